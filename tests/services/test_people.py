"""Staff, phones and the register: validated first, nothing written on error."""

import pytest

from kiosk import services as svc
from kiosk.store.models import Phone, RegisterEntry, Staff, Visit


def test_one_mobile_in_three_spellings(school):
    with pytest.raises(svc.Invalid, match="duplicate mobile"):
        svc.add_staff(school.ctx, "Someone Else", "447700900123")
    with pytest.raises(svc.Invalid, match="duplicate mobile"):
        svc.add_staff(school.ctx, "Someone Else", "+44 7700 900123")
    assert Staff.select().count() == 4


@pytest.mark.parametrize("kwargs, match", [
    (dict(name="", mobile="07700 900300"), "name is required"),
    (dict(name="X\x1b[31m", mobile="07700 900300"), "control"),
    (dict(name="Ann Lee", mobile="07700 900300"), "already"),
    (dict(name="New", mobile="01632 960000"), "mobile"),
    (dict(name="New", mobile="banana"), "mobile"),
    (dict(name="New", mobile="07700 900300", code_word="ok"), "code word"),
    (dict(name="New", mobile="07700 900300", code_word="back"), "code word"),
    (dict(name="New", mobile="07700 900300", code_word="blue bird"), "code word"),
    (dict(name="New", mobile=None, alerts=True), "alert receiver needs a mobile"),
])
def test_bad_staff_is_refused_and_nothing_written(school, kwargs, match):
    with pytest.raises(svc.Invalid, match=match):
        svc.add_staff(school.ctx, **kwargs)
    assert Staff.select().count() == 4


def test_listing_never_carries_the_word_itself(school):
    names = [s.name for s in svc.list_staff(school.ctx)]
    assert names == sorted(names)


def test_member_without_code_word_cannot_go_out(school):
    with pytest.raises(svc.Refused, match="no code word"):
        school.out(school.hana)
    assert Visit.select().count() == 0
    assert school.out(school.hana, code_word="sycamore").state == "out"  # a visit code word will do


def test_phone_add(school):
    phone = svc.add_phone(school.ctx, "07700 900999", "school mobile 1")
    assert (phone.number, phone.label) == ("+447700900999", "school mobile 1")
    for number in ("07700 900999", "07700 900123", "not a phone"):
        with pytest.raises(svc.Invalid):
            svc.add_phone(school.ctx, number, "again")
    assert Phone.select().count() == 1


def test_register(school):
    svc.add_register_entry(school.ctx, postcode="lu4 9ab", reason="dog")
    svc.add_register_entry(school.ctx, address="22 Oak Avenue", reason="known risk", prohibited=True)
    assert [(e.postcode, e.address) for e in svc.list_register(school.ctx)] == [("LU4 9AB", ""), ("", "22 Oak Avenue")]
    for bad in (dict(reason=""), dict(reason="x"), dict(reason="x", postcode="ZZZ")):
        with pytest.raises(svc.Invalid):
            svc.add_register_entry(school.ctx, **bad)
    assert RegisterEntry.select().count() == 2
    with pytest.raises(svc.Refused, match="prohibited"):
        school.out(school.ann, school.bob, place="22 Oak Avenue, Luton")


def test_sign_out_validation(school, clock):
    from datetime import timedelta
    now = clock.now()
    cases = [
        (dict(staff=[school.ann], place="", due_back=now + timedelta(hours=1)), svc.Invalid),
        (dict(staff=[school.ann], place="x", due_back=now - timedelta(minutes=1)), svc.Invalid),
        (dict(staff=[school.ann], place="x", due_back=now + timedelta(hours=5)), svc.Invalid),
        (dict(staff=[school.ann, school.ann], place="x", due_back=now + timedelta(hours=1)), svc.Invalid),
        (dict(staff=["Nobody"], place="x", due_back=now + timedelta(hours=1)), svc.NotFound),
        (dict(staff=[school.ann], place="x", due_back=now + timedelta(hours=1), purpose="fun"), svc.Invalid),
        (dict(staff=[school.ann], place="x", due_back=now + timedelta(hours=1), check_in_minutes=0), svc.Invalid),
        (dict(staff=[school.ann], place="1 Elm Rd\x1b[2J", due_back=now + timedelta(hours=1)), svc.Invalid),
        (dict(staff=[school.ann], place="x" * 301, due_back=now + timedelta(hours=1)), svc.Invalid),
        (dict(staff=[school.ann], place="x", due_back=now + timedelta(hours=1), vehicle="\x07"), svc.Invalid),
    ]
    for kwargs, error in cases:
        with pytest.raises(error):
            svc.sign_out(school.ctx, **kwargs)
    assert Visit.select().count() == 0
    school.out()
    with pytest.raises(svc.Refused, match="already out"):
        school.out()
    assert svc.sign_out(school.ctx, ["bob cole"], "x", now + timedelta(hours=1)).visit.state == "out"
