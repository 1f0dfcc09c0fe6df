"""Issue 14, items 3, 4, 6, 8 and 14 through the services: who may take charge of an alarm, what
every alert text says, what counts as contact, and the whole history of an alarm."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from kiosk import services as svc
from kiosk.services import alarms, outbox
from kiosk.store.models import Alarm, Event, Message, Visit
from tests.services.conftest import ANN, DEE, HANA

SCHOOL_PHONE = "+447700900999"


def reply(result):
    return result.reply.text if result.reply else None


def no_word_of_an_alarm(text: str) -> None:
    assert text is not None and "alarm" not in text.lower() and not re.search(r"\bACK\b", text, re.I)


def hana_out_with_ann(school, **kw):
    """Hana (an alert receiver) is out with Ann; Dee is the only receiver left at base."""
    return school.out(school.ann, school.hana, code_word="marigold", **kw)


# --- item 3: nobody on the visit can take charge of its alarm -------------------------------------

def _duress(school, clock):
    hana_out_with_ann(school)
    return svc.sms_in(school.ctx, ANN, "OK marigold").message.alarm


def _sos(school, clock):
    hana_out_with_ann(school)
    return svc.sms_in(school.ctx, HANA, "SOS").message.alarm


def _no_reply(school, clock):
    hana_out_with_ann(school, minutes=30)
    clock.advance(minutes=30)
    svc.tick(school.ctx)
    clock.advance(minutes=15)
    svc.tick(school.ctx)
    return Alarm.get(Alarm.kind == "no-reply")


def _send_failed(school, clock):
    visit = hana_out_with_ann(school)
    with school.ctx.atomic():
        msg = outbox.queue(school.ctx, DEE, "an alert", "alert", visit=visit)
    outbox.mark_failed(school.ctx, msg.id, "SIM gone", retryable=False)
    return Alarm.get(Alarm.kind == "send-failed")


@pytest.mark.parametrize("raise_it", [_duress, _sos, _no_reply, _send_failed], ids=lambda f: f.__name__[1:])
@pytest.mark.parametrize("number", [HANA, SCHOOL_PHONE], ids=["own-mobile", "phone-carried"])
@pytest.mark.parametrize("with_id", [True, False], ids=["ACK-n", "ACK"])
def test_item3_an_ack_from_the_visit_takes_nothing_and_says_nothing_of_an_alarm(school, clock, raise_it, number,
                                                                                 with_id):
    svc.add_phone(school.ctx, SCHOOL_PHONE, "school mobile")
    if number == SCHOOL_PHONE:  # Hana carries the school phone: her own mobile stays at base
        school.out = _with_phone(school.out, {school.hana.id: SCHOOL_PHONE})
    alarm = raise_it(school, clock)
    assert alarm is not None and alarm.level in ("red", "amber")
    before = Alarm.get_by_id(alarm.id)
    clock.advance(minutes=1)
    result = svc.sms_in(school.ctx, number, f"ACK {alarm.id}" if with_id else "ACK")
    after = Alarm.get_by_id(alarm.id)
    assert after.owner_id is None and after.owner_at is None
    assert (after.alert_count, after.resolved_at) == (before.alert_count, None)
    no_word_of_an_alarm(reply(result))
    assert reply(result).startswith("Thanks, noted")  # what any other text gets
    assert not any("taken charge" in t for t in school.texts(kind="alert"))
    if after.alert_count:  # repeats go on: Dee is still texted every ten minutes
        sent = len(school.texts(DEE, "alert"))
        clock.advance(minutes=10)
        svc.tick(school.ctx)
        assert len(school.texts(DEE, "alert")) == sent + 1


def _with_phone(out, phones):
    def wrapped(*staff, **kw):
        return out(*staff, phones=phones, **kw)
    return wrapped


def test_item3_the_same_receiver_takes_charge_of_another_visits_alarm(school, clock):
    hana_out_with_ann(school)
    own = svc.sms_in(school.ctx, ANN, "OK marigold").message.alarm
    other = svc.duress_by_phone(school.ctx, school.out(school.bob).id, by="RC")
    assert reply(svc.sms_in(school.ctx, HANA, f"ACK {own.id}")).startswith("Thanks, noted")
    result = svc.sms_in(school.ctx, HANA, "ACK")  # the newest unowned red that is not her own
    assert reply(result) == f"You have alarm {other.id}. The others are told. Record the outcome at the kiosk."
    assert (Alarm.get_by_id(other.id).owner_id, Alarm.get_by_id(own.id).owner_id) == (school.hana.id, None)


def test_item3_an_sos_from_a_receiver_not_out_is_not_hers_to_take_nor_texted_to_her(school, clock):
    result = svc.sms_in(school.ctx, DEE, "SOS")
    alarm = result.message.alarm
    assert alarm.visit_id is None and alarm.level == "red"
    assert school.texts(DEE, "alert") == []  # her own alarm is not texted to her phone
    assert len(school.texts(HANA, "alert")) == 1
    ack = svc.sms_in(school.ctx, DEE, f"ACK {alarm.id}")
    assert reply(ack) == "Thanks, noted. Text ? for commands."
    assert Alarm.get_by_id(alarm.id).owner_id is None
    assert reply(svc.sms_in(school.ctx, HANA, f"ACK {alarm.id}")).startswith(f"You have alarm {alarm.id}")


# --- item 4: a second ACK is told who has the alarm -----------------------------------------------

def test_item4_a_second_ack_is_told_who_has_it_and_the_owner_stays(school, clock):
    alarm = svc.duress_by_phone(school.ctx, school.out().id, by="RC")
    clock.advance(minutes=3)
    first = svc.sms_in(school.ctx, DEE, f"ACK {alarm.id}")
    assert reply(first) == f"You have alarm {alarm.id}. The others are told. Record the outcome at the kiosk."
    queued = len(school.queued())
    clock.advance(minutes=2)
    for text in (f"ACK {alarm.id}", "ACK"):
        second = svc.sms_in(school.ctx, HANA, text)
        assert reply(second) == f"Alarm {alarm.id} is already with Dee Lead (since 14:03). Nothing changed."
    again = svc.sms_in(school.ctx, DEE, f"ACK {alarm.id}")
    assert reply(again).startswith(f"You have alarm {alarm.id}.")
    owner = Alarm.get_by_id(alarm.id)
    assert (owner.owner.name, owner.owner_at) == ("Dee Lead", clock.now() - timedelta(minutes=2))
    assert len(school.queued()) == queued + 3  # the three replies, nobody else told anything
    assert Message.select().where(Message.text.contains("has taken charge")).count() == 1


# --- item 8: reception's actions are not contact from the member ---------------------------------

def test_item8_extending_is_not_contact_only_texts_calls_and_phoned_are(school, clock):
    visit = school.out(minutes=30, check_in_minutes=20)
    svc.sms_in(school.ctx, ANN, "OK bluebird")  # her only text: a code word (nothing applied)
    assert Visit.get_by_id(visit.id).last_contact_at is None
    clock.advance(minutes=10)
    svc.extend(school.ctx, visit.id, by="RC", minutes=30)
    after = Visit.get_by_id(visit.id)
    assert (after.last_contact_at, after.due_back) == (None, visit.due_back + timedelta(minutes=30))
    assert not Event.select().where(Event.kind == "contact").exists()
    clock.advance(minutes=15)  # the check-in interval still runs from leaving: 20 + 5 grace
    svc.tick(school.ctx)
    amber = Alarm.get(Alarm.kind == "missed-check-in")
    svc.extend(school.ctx, visit.id, by="RC", minutes=15)
    assert Alarm.get_by_id(amber.id).resolved_at is None  # moving due-back is no check-in
    assert Visit.get_by_id(visit.id).last_contact_at is None
    svc.check_in_by_phone(school.ctx, visit.id, by="RC")  # "phoned: spoke to them"
    assert Visit.get_by_id(visit.id).last_contact_at == clock.now()
    assert Alarm.get_by_id(amber.id).resolved_at == clock.now()


def test_item8_an_overdue_amber_is_resolved_by_an_extension_as_extended_not_contact(school, clock):
    visit = school.out(minutes=30)
    clock.advance(minutes=31)
    svc.tick(school.ctx)
    amber = Alarm.get(Alarm.kind == "overdue")
    svc.extend(school.ctx, visit.id, by="RC", minutes=20)
    amber = Alarm.get_by_id(amber.id)
    assert (amber.resolved_at, amber.resolved_by, amber.action) == (clock.now(), "RC", "extended")
    assert Visit.get_by_id(visit.id).last_contact_at is None
    clock.advance(minutes=15)
    svc.tick(school.ctx)
    assert not Alarm.select().where(Alarm.kind == "no-reply").exists()  # no "no reply" after a deliberate extension
