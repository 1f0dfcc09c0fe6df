"""Issue 14 item 9: every rule that guards a write is checked inside the write's transaction.

Each test races two processes for one guarded write (tests/services/race.py): this process makes
the competing change inside a transaction and commits it only once the other process has asked
for its own transaction. A service that checked its rule before BEGIN would have decided on the
old facts and written over the new ones; the invariant each test asserts is what that would break
(above all: never a closed visit with an unresolved red alarm). Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest

from kiosk import services as svc
from kiosk.domain import ladder as L
from kiosk.services import alarms, staff_admin
from kiosk.store.models import Alarm, Message, Visit, VisitMember
from tests.services.conftest import ANN
from tests.services.race import cli_in_other_process, in_other_process

PLACE = "14 Elm Rd, Luton LU4 9AB"


def closed_over_red() -> list[int]:
    """Visits marked back while a red alarm on them is unresolved: must always be empty."""
    return [a.visit_id for a in Alarm.select().join(Visit).where(
        (Alarm.level == L.RED) & Alarm.resolved_at.is_null() & (Visit.state == "back"))]


def open_visits_of(staff) -> int:
    return (VisitMember.select().join(Visit).where((VisitMember.staff == staff) & (Visit.state != "back"))
            .count())


# --- sign_out: already out, the lone-visit rule, the register, an active member -------------------

def test_item9_sign_out_already_out_is_checked_in_the_transaction(school):
    outcome = in_other_process(school, "sign_out", lambda: school.out(), staff=["Ann Lee"])
    assert outcome == ("refused", "Ann Lee is already out on a visit")
    assert open_visits_of(school.ann) == 1


def test_item9_sign_out_register_prohibited_is_checked_in_the_transaction(school):
    def flag():
        svc.add_register_entry(school.ctx, reason="dog attacks visitors", postcode="LU4 9AB", prohibited=True)

    outcome = in_other_process(school, "sign_out", flag, staff=["Ann Lee", "Bob Cole"], place=PLACE)
    assert outcome[0] == "refused" and "prohibited place" in outcome[1]
    assert Visit.select().count() == 0


def test_item9_sign_out_lone_visit_rule_is_checked_in_the_transaction(school):
    def flag():
        svc.add_register_entry(school.ctx, reason="two staff only", postcode="LU4 9AB")

    outcome = in_other_process(school, "sign_out", flag, staff=["Ann Lee"], place=PLACE)
    assert outcome == ("refused", "don't visit alone: two staff only")
    assert Visit.select().count() == 0


def test_item9_sign_out_of_a_member_deactivated_meanwhile_is_refused(school):
    outcome = in_other_process(school, "sign_out",
                               lambda: staff_admin.set_staff_active(school.ctx, school.ann.id, False),
                               staff=["Ann Lee"])
    assert outcome == ("refused", "Ann Lee is not active")
    assert Visit.select().count() == 0


def test_item9_deactivating_a_member_signed_out_meanwhile_is_refused(school):
    outcome = in_other_process(school, "deactivate", lambda: school.out(), staff_id=school.ann.id)
    assert outcome[0] == "refused" and "out on a visit" in outcome[1]
    assert school.ann.__class__.get_by_id(school.ann.id).active


# --- mark_back and BACK by text: an open red ------------------------------------------------------

def test_item9_mark_back_never_closes_over_a_red_raised_meanwhile(school):
    visit = school.out()
    outcome = in_other_process(school, "mark_back", lambda: svc.duress_by_phone(school.ctx, visit.id, by="AB"),
                               visit_id=visit.id)
    assert outcome[0] == "refused" and "unresolved red alarm" in outcome[1]
    assert Visit.get_by_id(visit.id).state == "out"
    assert closed_over_red() == []


def test_item9_back_by_text_never_closes_over_a_red_raised_meanwhile(school):
    visit = school.out()
    outcome = in_other_process(school, "sms_in", lambda: svc.duress_by_phone(school.ctx, visit.id, by="AB"),
                               number=ANN, text="BACK")
    assert outcome[0] == "done"
    assert Visit.get_by_id(visit.id).state == "out"
    assert closed_over_red() == []


# --- a visit closed meanwhile: no red on it, no change to it --------------------------------------

def test_item9_duress_by_phone_on_a_visit_closed_meanwhile_is_refused(school):
    visit = school.out()
    outcome = in_other_process(school, "duress_by_phone", lambda: svc.mark_back(school.ctx, visit.id, by="AB"),
                               visit_id=visit.id)
    assert outcome == ("refused", f"visit {visit.id} is already over")
    assert closed_over_red() == []
    assert Alarm.select().count() == 0


@pytest.mark.parametrize("action", ["extend", "check_in_by_phone", "approve"])
def test_item9_changes_to_a_visit_closed_meanwhile_are_refused(school, action):
    visit = school.out()
    before = Visit.get_by_id(visit.id)
    outcome = in_other_process(school, action, lambda: svc.mark_back(school.ctx, visit.id, by="AB"),
                               visit_id=visit.id)
    assert outcome == ("refused", f"visit {visit.id} is already over")
    after = Visit.get_by_id(visit.id)
    assert (after.state, after.due_back, after.last_contact_at, after.approved_by) == \
        ("back", before.due_back, before.last_contact_at, before.approved_by)


# --- alarms: resolved once, owned once -------------------------------------------------------------

def test_item9_an_alarm_is_not_resolved_twice(school):
    visit = school.out()
    alarm = svc.duress_by_phone(school.ctx, visit.id, by="AB")
    outcome = in_other_process(school, "acknowledge",
                               lambda: svc.acknowledge(school.ctx, alarm.id, by="AB", action="answered"),
                               alarm_id=alarm.id, how="false-alarm")
    assert outcome == ("refused", f"alarm {alarm.id} is already resolved")
    stored = Alarm.get_by_id(alarm.id)
    assert (stored.action, stored.resolved_by) == ("answered", "AB")
    assert Message.select().where(Message.kind == "stand-down").count() == 2  # Hana and Dee, once each


def test_item9_two_receivers_acking_at_once_make_one_owner(school):
    visit = school.out()
    alarm = svc.duress_by_phone(school.ctx, visit.id, by="AB")
    outcome = in_other_process(school, "take_charge", lambda: alarms.take_charge(school.ctx, school.hana, alarm.id),
                               name="Dee Lead", alarm_id=alarm.id)
    assert outcome[0] == "done"
    assert Alarm.get_by_id(alarm.id).owner_id == school.hana.id
    told = Message.select().where((Message.alarm == alarm) & (Message.kind == "alert"))
    assert [m.number for m in told if "Hana Head" in m.text] == ["+447700900201"]  # Dee told once, of Hana
    assert [m.number for m in told if "Dee Lead" in m.text] == []  # nobody told that Dee has it


# --- through the CLI (KIOSK_NOW) -------------------------------------------------------------------

def test_item9_cli_visit_back_never_closes_over_a_red_raised_meanwhile(school):
    visit = school.out()
    done = cli_in_other_process(school, lambda: svc.duress_by_phone(school.ctx, visit.id, by="AB"),
                                "visit", "back", str(visit.id), "--by", "RB")
    assert done.returncode == 1, done.stderr
    assert "unresolved red alarm" in done.stderr
    assert Visit.get_by_id(visit.id).state == "out"
    assert closed_over_red() == []


def test_item9_cli_visit_out_of_a_member_signed_out_meanwhile_is_refused(school):
    done = cli_in_other_process(school, lambda: school.out(), "visit", "out", "--staff", "Ann Lee",
                                "--place", PLACE, "--due", "+60")
    assert done.returncode == 1, done.stderr
    assert "Ann Lee is already out on a visit" in done.stderr
    assert open_visits_of(school.ann) == 1


def test_item9_cli_visit_duress_on_a_visit_closed_meanwhile_is_refused(school):
    visit = school.out()
    done = cli_in_other_process(school, lambda: svc.mark_back(school.ctx, visit.id, by="AB"),
                                "visit", "duress", str(visit.id), "--by", "RB")
    assert done.returncode == 1, done.stderr
    assert f"visit {visit.id} is already over" in done.stderr
    assert closed_over_red() == []
