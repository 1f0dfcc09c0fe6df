"""Text folding: the one way kiosk compares what people typed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.domain.text import (
    clean_display, fits_one_segment, gsm7_septets, normalise, normalise_with_map, words,
)


@pytest.mark.parametrize("raw,expected", [
    ("OK", "ok"), ("ＯＫ", "ok"), ("Arrivé", "arrive"), ("  a \t\n b  ", "a b"), ("O\u200bK", "ok"),
    ("\u202eOK", "ok"), ("\x00ok\x07", "ok"), ("Straße", "strasse"), ("ﬁsh", "fish"),
    ("\x1b[31mOK\x1b[0m", "ok"), ("\x1b]0;title\x07ok", "ok"), ("", ""), ("😀", "😀"),
])
def test_normalise(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize("raw,expected", [
    ("OK running late", ["ok", "running", "late"]), ("back@16:15", ["back"]),
    ("blue-bird", ["blue", "bird"]), ("a1b", ["a", "b"]), ("😀ok😀", ["ok"]), ("under_score", ["under", "score"]),
    ("", []),
])
def test_words(raw, expected):
    assert words(raw) == expected


def test_clean_display_keeps_case_and_accents():
    assert clean_display(" 3  Rue\u200b Bérénice\x1b[0m ") == "3 Rue Bérénice[0m"


def test_gsm7_counts():
    assert gsm7_septets("hello") == 5
    assert gsm7_septets("[x]") == 5  # [ and ] are escape-table characters: two septets each
    assert gsm7_septets("—") is None
    assert fits_one_segment("x" * 160) and not fits_one_segment("x" * 161)
    assert not fits_one_segment("€" * 81)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_map_points_into_the_original_and_normalise_is_idempotent(text):
    folded, src = normalise_with_map(text)
    assert len(folded) == len(src)
    assert all(0 <= i < len(text) for i in src)
    assert src == sorted(src)
    assert normalise(folded) == folded
    assert words(folded) == words(text)


def test_gsm7_count_agrees_with_the_pdu_codec():
    """The domain keeps its own copy of the alphabet (it may not import devices): same answers."""
    from kiosk.devices.gsm7 import can_encode_gsm7, septet_length

    for code in range(0x3000):
        ch = chr(code)
        expected = septet_length(ch) if can_encode_gsm7(ch) else None
        assert gsm7_septets(ch) == expected, hex(code)
