"""Visit rules: the public label and the register / lone-visit verdicts."""

import pytest

from kiosk.domain.visits import Flag, find_postcode, matching_flags, normalise_postcode, public_label, sign_out_verdict


@pytest.mark.parametrize("place, label", [
    ("14 Elm Rd, Luton LU4 9AB", "Visit 12 · LU4"),
    ("flat 3, 2 High St, london sw1a1aa", "Visit 12 · SW1A"),
    ("14 Elm Rd", "Visit 12"),
    ("", "Visit 12"),
    ("LU4", "Visit 12"),  # not a full postcode: nothing from the address at all
])
def test_public_label_never_carries_the_address(place, label):
    assert public_label(12, place) == label
    assert "Elm" not in public_label(12, place)


def test_postcodes_normalise():
    assert find_postcode("x lu4 9ab") == "LU4 9AB"
    assert normalise_postcode(" lu4  9ab ") == "LU4 9AB"
    assert normalise_postcode("lu4") == "LU4"
    assert normalise_postcode("not one") is None


FLAGS = [Flag(1, "dog; history of aggression", postcode="LU4 9AB"),
         Flag(2, "whole estate", postcode="LU7"),
         Flag(3, "known risk", address="22 Oak Avenue"),
         Flag(4, "prohibited", address="1 Mill Lane", prohibited=True)]


def test_matching_flags_by_postcode_district_and_address_words():
    assert [f.id for f in matching_flags("14 Elm Rd, Luton LU4 9AB", FLAGS)] == [1]
    assert [f.id for f in matching_flags("3 Park Way LU7 1XX", FLAGS)] == [2]
    assert [f.id for f in matching_flags("22, oak avenue, Luton", FLAGS)] == [3]
    assert matching_flags("122 Oak Avenue", FLAGS) == []  # whole words: 122 is not 22
    assert matching_flags("22 Oak Road", FLAGS) == []


def test_lone_visit_to_flagged_place_refused_pair_warned():
    flagged = matching_flags("14 Elm Rd LU4 9AB", FLAGS)
    assert sign_out_verdict(1, flagged, "allow").outcome == "refuse"
    assert "dog" in sign_out_verdict(1, flagged, "allow").reason
    assert sign_out_verdict(2, flagged, "allow").outcome == "warn"


def test_prohibited_place_refused_even_in_pairs():
    assert sign_out_verdict(2, matching_flags("1 Mill Lane", FLAGS), "allow").outcome == "refuse"


@pytest.mark.parametrize("rule, outcome", [("allow", "allow"), ("warn", "warn"), ("refuse", "refuse")])
def test_lone_visits_setting(rule, outcome):
    assert sign_out_verdict(1, [], rule).outcome == outcome
    assert sign_out_verdict(2, [], rule).outcome == "allow"
