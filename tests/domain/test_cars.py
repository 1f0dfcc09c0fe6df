"""Item 13 of issue 14: the car is the car (kiosk.domain.cars)."""

import pytest

from kiosk.domain.cars import Car, car_used

ANNS = Car("AB12 CDE", "Ford Fiesta", "blue")
HIRED = Car("HX70 AAA", "Vauxhall Corsa", "white")


@pytest.mark.parametrize("visit, members, expected", [
    (HIRED, [("Ann Lee", ANNS)], Car("HX70 AAA", "Vauxhall Corsa", "white")),  # the visit's car wins
    (Car("HX70 AAA"), [("Ann Lee", ANNS)], Car("HX70 AAA")),  # a registration alone is still the visit's
    (Car(), [("Ann Lee", ANNS)], Car("AB12 CDE", "Ford Fiesta", "blue", owner="Ann Lee")),
    (Car(), [("Bob Cole", Car()), ("Ann Lee", ANNS)], Car("AB12 CDE", "Ford Fiesta", "blue", owner="Ann Lee")),
    (Car(), [("Bob Cole", Car())], Car()),
    (Car(), [], Car()),
])
def test_item13_the_car_used_is_the_visits_else_a_members_own(visit, members, expected):
    assert car_used(visit, members) == expected


def test_item13_the_car_is_told_with_make_model_and_colour_and_whose_it_is():
    assert car_used(HIRED, []).text == "HX70 AAA white Vauxhall Corsa"
    assert car_used(Car(), [("Ann Lee", ANNS)]).described == "AB12 CDE blue Ford Fiesta (Ann Lee's own car)"
    assert car_used(HIRED, [("Ann Lee", ANNS)]).described == "HX70 AAA white Vauxhall Corsa"
    assert not Car() and Car().text == "" and Car().described == ""
