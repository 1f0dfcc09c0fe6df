"""Item 12 of issue 14: the register matches addresses as people write them (kiosk.domain.addresses).

Observed: with "22 Oak Lane, Luton" prohibited, `--place "22 Oak Ln, Luton"` was signed out.
"""

import pytest

from kiosk.domain.addresses import DIFFERENT, NEAR, SAME, compare, find_postcode, parse
from kiosk.domain.visits import Flag, matching_flags, near_flags, sign_out_verdict

# (register entry, the place as typed at sign-out, how they relate)
TABLE = [
    # the observed case, and each usual abbreviation both ways
    ("22 Oak Lane, Luton", "22 Oak Ln, Luton", SAME),
    ("22 Oak Ln, Luton", "22 oak lane luton", SAME),
    ("22 Oak Lane, Luton", "22 OAK LANE, LUTON", SAME),
    ("22 Oak Lane, Luton", "22, Oak Lane. Luton!", SAME),
    ("5 Mill Road, Luton", "5 Mill Rd Luton", SAME),
    ("5 High Street, Luton", "5 High St., Luton", SAME),
    ("5 Park Avenue, Luton", "5 Park Ave, Luton", SAME),
    ("5 Park Avenue, Luton", "5 Park Av Luton", SAME),
    ("7 Ash Close, Dunstable", "7 Ash Cl, Dunstable", SAME),
    ("7 Ash Drive, Dunstable", "7 Ash Dr Dunstable", SAME),
    ("7 Ash Crescent, Dunstable", "7 Ash Cres, Dunstable", SAME),
    ("7 Ash Court, Dunstable", "7 ash ct, dunstable", SAME),
    ("7 Ash Gardens, Dunstable", "7 Ash Gdns, Dunstable", SAME),
    ("7 Ash Place, Dunstable", "7 Ash Pl, Dunstable", SAME),
    ("7 Ash Square, Dunstable", "7 Ash Sq, Dunstable", SAME),
    ("7 Ash Terrace, Dunstable", "7 Ash Terr, Dunstable", SAME),
    ("7 Ash Terrace, Dunstable", "7 Ash Tce, Dunstable", SAME),
    # St is Saint before a name, Street after one
    ("3 St Mary's Road, St Albans", "3 Saint Marys Rd, Saint Albans", SAME),
    ("3 St Mary's Road, St Albans", "3 St Marys Street, St Albans", DIFFERENT),
    ("9 Church St, St Albans", "9 Church Street, St. Albans", SAME),
    # postcodes normalised, and taken out before the words are compared
    ("22 Oak Lane, Luton LU4 9AB", "22 Oak Ln, Luton, lu49ab", SAME),
    ("22 Oak Lane LU4 9AB", "22 Oak Lne, LU4 9AB", SAME),  # same number in the same postcode
    ("22 Oak Lane, Luton", "22 Oak Ln, Luton LU4 9AB", SAME),
    # flats, house letters, accents
    ("22 Oak Lane, Luton", "Flat 3, 22 Oak Ln, Luton", SAME),
    ("22a Oak Lane, Luton", "22A Oak Ln, Luton", SAME),
    ("22a Oak Lane, Luton", "22 Oak Ln, Luton", DIFFERENT),
    ("4 Rue Café, Luton", "4 rue cafe luton", SAME),
    # the town: missing on either side, or more words on one side, is not a disagreement
    ("22 Oak Lane", "22 Oak Ln, Luton", SAME),
    ("22 Oak Lane, Luton", "22 Oak Ln", SAME),
    ("22 Oak Lane, Luton", "22 Oak Ln, Stopsley, Luton", SAME),
    # near: same number and street, another town
    ("22 Oak Lane, Luton", "22 Oak Ln, Dunstable", NEAR),
    ("22 Oak Lane, Luton", "22 Oak Lane Dunstable LU6 1AA", NEAR),
    # different houses and streets
    ("22 Oak Lane, Luton", "122 Oak Lane, Luton", DIFFERENT),
    ("22 Oak Lane, Luton", "2 Oak Lane, Luton", DIFFERENT),
    ("22 Oak Lane, Luton", "22 Oak Road, Luton", DIFFERENT),
    ("22 Oak Lane, Luton", "22 Elm Lane, Luton", DIFFERENT),
    ("22 Oak Lane, Luton", "", DIFFERENT),
    # an entry without a house number flags the whole street, as before
    ("Oak Lane, Luton", "22 Oak Ln, Luton", SAME),
    ("Oak Lane", "122 oak lane", SAME),
    ("Oak Lane", "22 Oak Road", DIFFERENT),
]


@pytest.mark.parametrize("entry, place, expected", TABLE)
def test_item12_register_addresses_compare_as_people_write_them(entry, place, expected):
    assert compare(entry, place) == expected


def test_item12_an_address_is_read_into_number_street_town_and_postcode():
    a = parse("Flat 3, 22 Oak Ln., Stopsley, Luton lu49ab")
    assert (a.number, a.street, a.town, a.postcode) == ("22", ("oak", "lane"), ("stopsley", "luton"), "LU4 9AB")
    assert parse("22 St Mary's Rd").street == ("saint", "marys", "road")
    assert find_postcode("lu4  9ab") == "LU4 9AB"


@pytest.mark.parametrize("garbage", ["", " ", ",,,", "\x00\x07", "22", "🆘🆘", "a" * 500, "22 22 22"])
def test_item12_garbage_addresses_match_nothing_and_never_raise(garbage):
    assert compare("22 Oak Lane, Luton", garbage) == DIFFERENT
    assert compare(garbage, "22 Oak Lane, Luton") in (SAME, DIFFERENT)  # a garbage entry is refused at add


PROHIBITED = [Flag(1, "violent resident", address="22 Oak Lane, Luton", prohibited=True)]
DONT_GO_ALONE = [Flag(2, "dog", address="9 Church St, St Albans")]


def test_item12_the_observed_sign_out_is_refused_and_a_near_one_warns():
    assert sign_out_verdict(2, matching_flags("22 Oak Ln, Luton", PROHIBITED), "allow").outcome == "refuse"
    place = "22 Oak Ln, Dunstable"
    assert matching_flags(place, PROHIBITED) == []
    verdict = sign_out_verdict(2, [], "allow", near_flags(place, PROHIBITED))
    assert verdict.outcome == "warn"
    assert verdict.reason == ("check the address: 22 Oak Lane, Luton is a prohibited place (violent resident); "
                              "this one has the same number and street")
    lone = sign_out_verdict(1, [], "warn", near_flags(place, PROHIBITED))
    assert lone.outcome == "warn" and lone.reason.startswith("lone visit: ") and "check the address" in lone.reason
    assert sign_out_verdict(1, [], "refuse", near_flags(place, PROHIBITED)).outcome == "refuse"
    assert near_flags("22 Oak Ln, Luton", PROHIBITED) == []  # a match is not also a near match


def test_item12_dont_visit_alone_entries_match_the_same_way():
    flagged = matching_flags("9 Church Street, St. Albans", DONT_GO_ALONE)
    assert [f.id for f in flagged] == [2]
    assert sign_out_verdict(1, flagged, "allow").outcome == "refuse"
