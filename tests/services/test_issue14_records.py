"""Issue 14, items 11-13, through the services: approval, the register's addresses, the car used."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from kiosk import services as svc
from kiosk.store.models import Visit


# --- item 12: the register matches addresses as people write them ------------------------------

def test_item12_a_prohibited_address_written_another_way_is_refused_and_nothing_written(school):
    svc.add_register_entry(school.ctx, reason="violent resident", address="22 Oak Lane, Luton", prohibited=True)
    for place in ("22 Oak Ln, Luton", "22 oak lane luton", "Flat 1, 22 Oak Ln., Luton LU4 9AB"):
        with pytest.raises(svc.Refused, match="prohibited place on the register: violent resident"):
            school.out(school.ann, school.bob, place=place)
    assert Visit.select().count() == 0


def test_item12_a_near_match_signs_out_with_a_warning(school):
    svc.add_register_entry(school.ctx, reason="violent resident", address="22 Oak Lane, Luton", prohibited=True)
    result = svc.sign_out(school.ctx, [school.ann], "22 Oak Ln, Dunstable LU6 1AA",
                          school.clock.now() + timedelta(minutes=60))
    assert result.visit.id and any("check the address: 22 Oak Lane, Luton is a prohibited place" in w
                                   for w in result.warnings)


def test_item12_dont_visit_alone_refuses_a_lone_visit_to_the_abbreviated_address(school):
    svc.add_register_entry(school.ctx, reason="dog", address="9 Church Street, St Albans")
    with pytest.raises(svc.Refused, match="don't visit alone: dog"):
        school.out(school.ann, place="9 Church St, St. Albans AL1 1AA")
    visit = school.out(school.ann, school.bob, place="9 Church St, St. Albans AL1 1AA")
    assert [r.flagged for r in svc.board(school.ctx) if r.id == visit.id] == [True]


# --- item 13: the car is the car ---------------------------------------------------------------

def _alert(school, visit) -> str:
    from kiosk.services.visits import duress_by_phone

    alarm = duress_by_phone(school.ctx, visit.id, by="RC")
    texts = [m.text for m in school.queued(kind="alert") if m.alarm_id == alarm.id]
    assert len(texts) == 2  # Hana and Dee
    return texts[0], alarm


def test_item13_a_car_given_for_the_visit_keeps_make_model_and_colour_everywhere(school):
    from kiosk.services.board_view import alarm_detail
    from kiosk.ops.export import report_text, visit_record, to_csv

    visit = school.out(school.ann, vehicle="HX70 AAA", vehicle_make="Vauxhall Corsa", vehicle_colour="white")
    assert (visit.vehicle, visit.vehicle_make, visit.vehicle_colour) == ("HX70 AAA", "Vauxhall Corsa", "white")
    text, alarm = _alert(school, visit)
    assert "Car HX70 AAA white Vauxhall Corsa." in text and "AB12" not in text  # not Ann's own car
    detail = alarm_detail(school.ctx, alarm.id)
    assert (detail.vehicle_reg, detail.vehicle_make, detail.vehicle_colour) == ("HX70 AAA", "Vauxhall Corsa", "white")
    record = visit_record(school.ctx, visit.id)
    assert (record["vehicle"], record["vehicle_reg"], record["vehicle_make"], record["vehicle_colour"],
            record["vehicle_owner"]) == ("HX70 AAA white Vauxhall Corsa", "HX70 AAA", "Vauxhall Corsa", "white", "")
    assert "Vehicle:              HX70 AAA white Vauxhall Corsa\n" in report_text(record, "School")
    assert "HX70 AAA,Vauxhall Corsa,white," in to_csv([record])


def test_item13_a_members_own_car_is_named_never_a_blank_vehicle(school):
    from kiosk.services.board_view import alarm_detail
    from kiosk.ops.export import report_text, visit_record

    visit = school.out(school.bob, school.ann)  # Bob has no car on record; Ann has
    text, alarm = _alert(school, visit)
    assert "Car AB12 CDE blue Ford Fiesta." in text
    detail = alarm_detail(school.ctx, alarm.id)
    assert detail.vehicle == "AB12 CDE blue Ford Fiesta (Ann Lee's own car)"
    assert (detail.vehicle_reg, detail.vehicle_make, detail.vehicle_colour) == ("AB12 CDE", "Ford Fiesta", "blue")
    record = visit_record(school.ctx, visit.id)
    assert (record["vehicle"], record["vehicle_owner"]) == ("AB12 CDE blue Ford Fiesta", "Ann Lee")
    assert "Vehicle:              AB12 CDE blue Ford Fiesta (Ann Lee's own car)\n" in report_text(record, "School")


def test_item13_no_car_anywhere_says_so(school):
    from kiosk.ops.export import report_text, visit_record

    visit = school.out(school.bob)
    text, _ = _alert(school, visit)
    assert "Car" not in text
    assert "Vehicle:              none recorded\n" in report_text(visit_record(school.ctx, visit.id), "School")


@pytest.mark.parametrize("field, value, message", [
    ("vehicle_make", "x" * 81, "vehicle make/model is too long"),
    ("vehicle_colour", "blue\x1b[2J", "vehicle colour contains control characters"),
])
def test_item13_garbage_car_details_are_refused_and_nothing_written(school, field, value, message):
    with pytest.raises(svc.Invalid, match=message.replace("/", ".")):
        school.out(school.bob, vehicle="HX70 AAA", **{field: value})
    assert Visit.select().count() == 0


# --- item 11: approval is controlled -----------------------------------------------------------

def _events(kind="visit-approved"):
    from kiosk.store.models import Event

    return [(e.visit_id, e.staff_id, e.at) for e in Event.select().where(Event.kind == kind).order_by(Event.id)]


def test_item11_the_approver_and_the_time_are_kept(school):
    visit = school.out(school.ann, approved_by="Hana Head")
    assert (visit.approved_by, visit.approved_at) == ("Hana Head", school.clock.now())
    row = svc.board(school.ctx)[0]
    assert (row.approved, row.approved_by, row.approved_at) == (True, "Hana Head", school.clock.now())
    assert _events() == [(visit.id, school.hana.id, school.clock.now())]
    assert school.out(school.bob, approved_by="hh").approved_by == "Hana Head"  # initials, any case


@pytest.mark.parametrize("setup, approver, message", [
    (None, "Dee Lead", "Dee Lead is not marked as an approver"),  # a member, but not marked --approver
    (None, "Nobody Known", "Nobody Known is not a member of staff who may approve visits"),
    ("own", "Ann Lee", "Ann Lee is on this visit and cannot approve it"),  # the observed case
    ("inactive", "Dee Lead", "Dee Lead is not active and cannot approve visits"),
    ("twins", "HH", "HH are the initials of 2 approvers: give the full name"),
    (None, "\x1b[2J", "contains control characters|give the name \\(or initials\\) of a member of staff"),
])
def test_item11_only_an_active_approver_not_on_the_visit_may_approve(school, setup, approver, message):
    from kiosk.services.staff_admin import set_staff_active, set_staff_approver

    if setup == "own":
        set_staff_approver(school.ctx, "Ann Lee", True)
    if setup == "inactive":
        set_staff_approver(school.ctx, "Dee Lead", True)
        set_staff_active(school.ctx, school.dee.id, False)
    if setup == "twins":
        svc.add_staff(school.ctx, "Harry Hill", None, approver=True)
    pattern = message if "|" in message else re.escape(message)
    with pytest.raises(svc.Invalid, match=pattern):
        school.out(school.ann, approved_by=approver)
    assert Visit.select().count() == 0 and _events() == []
    visit = school.out(school.ann)  # unapproved: then approving it afterwards is refused the same way
    with pytest.raises(svc.Invalid, match=pattern):
        svc.approve(school.ctx, visit.id, by=approver)
    assert Visit.get_by_id(visit.id).approved_by is None and _events() == []


def test_item11_a_second_approval_is_kept_beside_the_first(school):
    from kiosk.services.approval import approvals
    from kiosk.ops.export import report_text, visit_record
    from kiosk.services.staff_admin import set_staff_approver

    set_staff_approver(school.ctx, "Dee Lead", True)
    visit = school.out(school.ann)
    assert svc.board(school.ctx)[0].approved is False  # record mode: flagged, not refused
    svc.approve(school.ctx, visit.id, by="Hana Head")
    first = school.clock.now()
    school.clock.advance(minutes=5)
    svc.approve(school.ctx, visit.id, by="Dee Lead")
    visit = Visit.get_by_id(visit.id)
    assert (visit.approved_by, visit.approved_at) == ("Hana Head", first)  # not replaced
    assert approvals([visit.id]) == {visit.id: [("Hana Head", first), ("Dee Lead", school.clock.now())]}
    record = visit_record(school.ctx, visit.id)
    assert (record["approved_by"], record["approved_at"], [a["by"] for a in record["approvals"]]) == (
        "Hana Head", "2026-11-24T14:00:00+00:00", ["Hana Head", "Dee Lead"])
    assert "Approved by:          Hana Head at 2026-11-24 14:00 (also Dee Lead at 2026-11-24 14:05)" in \
        report_text(record, "School")


def test_item11_require_refuses_reception_but_a_text_is_still_tracked_and_flagged(database, clock):
    from tests.services.conftest import ANN, School

    strict = School(database, clock, approval="require")
    try:
        with pytest.raises(svc.Refused, match="this school requires approval before a visit"):
            strict.out(strict.ann)
        for started_by in ("kiosk", "cli"):
            with pytest.raises(svc.Refused):
                strict.out(strict.ann, started_by=started_by)
        assert Visit.select().count() == 0
        result = svc.sms_in(strict.ctx, ANN, "OUT 14 Elm Rd LU4 9AB UNTIL 15:30")
        visit = Visit.get()
        assert result.reply.text.startswith(f"Visit {visit.id} started, due back 15:30. Not yet approved")
        assert (visit.started_by, visit.approved_by, visit.state) == ("sms", None, "out")
        assert [(r.id, r.approved) for r in svc.board(strict.ctx)] == [(visit.id, False)]
        assert strict.out(strict.bob, approved_by="Hana Head").approved_by == "Hana Head"
    finally:
        strict.db.close()


def test_item11_the_termly_report_lists_visits_closed_never_approved(school):
    from kiosk.ops import report
    from kiosk.ops.export import period

    never = school.out(school.ann)
    approved = school.out(school.bob, approved_by="Hana Head")
    svc.mark_back(school.ctx, never.id, by="RC")
    svc.mark_back(school.ctx, approved.id, by="RC")
    still_out = school.out(school.ann)  # open: not yet "closed never approved"
    built = report.build(school.ctx, period("2026-11-24", "2026-11-24"))
    assert built.never_approved == [(never.id, "2026-11-24")]
    text = report.text(built)
    assert f"Visits closed never approved: 1\n  Visit {never.id} (2026-11-24)\n" in text
    assert f"Visit {still_out.id}" not in text and "Ann" not in text


def test_item11_an_approver_is_marked_and_unmarked_on_staff(school):
    from kiosk.services.staff_admin import set_staff_approver, update_staff

    assert (school.hana.approver, school.ann.approver) == (True, False)
    assert set_staff_approver(school.ctx, "dee lead", True).approver is True
    edited = update_staff(school.ctx, school.dee.id, name="Dee Lead", mobile="07700 900201", alerts=True,
                          approver=False)
    assert edited.approver is False
    kept = update_staff(school.ctx, school.hana.id, name="Hana Head", mobile="07700 900200", alerts=True)
    assert kept.approver is True  # not given: left as it was
    with pytest.raises(svc.NotFound):
        set_staff_approver(school.ctx, "Nobody", True)


def test_item11_erasing_an_approver_leaves_their_name_nowhere_on_the_visit(school):
    from kiosk.ops.export import visit_record
    from kiosk.services.data_protection import erase_staff
    from kiosk.services.staff_admin import set_staff_active, set_staff_approver

    set_staff_approver(school.ctx, "Dee Lead", True)
    visit = school.out(school.ann, approved_by="Dee Lead")
    svc.mark_back(school.ctx, visit.id, by="RC")
    set_staff_active(school.ctx, school.dee.id, False)
    erase_staff(school.ctx, school.dee.id)
    record = visit_record(school.ctx, visit.id)
    assert record["approved_by"] == f"former staff {school.dee.id}"
    assert [a["by"] for a in record["approvals"]] == [f"former staff {school.dee.id}"]
    assert "Dee" not in str(record)
