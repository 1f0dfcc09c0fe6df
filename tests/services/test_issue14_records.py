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
