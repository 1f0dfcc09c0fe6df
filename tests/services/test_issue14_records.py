"""Issue 14, items 11-13, through the services: approval, the register's addresses, the car used."""

from __future__ import annotations

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
