"""Phone numbers: every way a UK mobile is written is one E.164 number; senders never crash us."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.domain.phones import (
    PhoneError, is_plausible_sender, national_format, normalise_mobile, normalise_phone,
    normalise_sender,
)


@pytest.mark.parametrize("raw", [
    "07700 900123", "+44 7700 900123", "447700900123", "0044 7700 900123", "07700900123",
    "+44 (0)7700 900123", " 07700-900-123 ", "０７７００ ９００１２３",
])
def test_one_mobile_many_spellings(raw):
    assert normalise_mobile(raw) == "+447700900123"


def test_real_uk_mobile_and_foreign_numbers():
    assert normalise_mobile("07911 123456") == "+447911123456"
    assert normalise_mobile("+1 202 555 0100") == "+12025550100"
    assert normalise_mobile("202 555 0100", region="US") == "+12025550100"


@pytest.mark.parametrize("raw,reason", [
    ("", "empty"), ("   ", "empty"), ("VODAFONE", "only digits"), ("07700 9OO123", "only digits"),
    ("+44", "not a phone number"), ("123", "not"), ("1" * 100, "only digits"),
    ("07700 900123; DROP TABLE staff", "only digits"), ("\x00\x1b[31m", "only digits"), ("\x00\u200b", "empty"),
    ("020 7946 0000", "not a mobile"), ("0800 123 4567", "not a mobile"),
])
def test_bad_mobiles_are_refused_with_a_reason(raw, reason):
    with pytest.raises(PhoneError, match=reason):
        normalise_mobile(raw)


def test_a_landline_is_a_phone_number_but_not_a_mobile():
    assert normalise_phone("020 7946 0000") == "+442079460000"


def test_national_format():
    assert national_format("+447700900123") == "07700 900123"
    assert national_format("+447911123456") == "07911 123456"
    assert national_format("+12025550100") == "+1 202-555-0100"
    assert national_format("not a number") == "not a number"


@pytest.mark.parametrize("raw,plausible,normalised", [
    ("+447700900123", True, "+447700900123"),
    ("07700 900123", True, "+447700900123"),
    ("VODAFONE", True, "VODAFONE"),
    ("O2 UK", True, "O2 UK"),
    ("", False, ""),
    ("+", False, "+"),
    ("\x1b[31m", False, "[31m"),
    ("ThisIsTooLongForASender", False, "ThisIsTooLongForASender"),
])
def test_senders(raw, plausible, normalised):
    assert is_plausible_sender(raw) is plausible
    assert normalise_sender(raw) == normalised


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.from_regex(r"\+?[0-9 ]{0,20}", fullmatch=True)))
def test_phone_functions_never_raise_anything_but_phone_error(raw):
    try:
        result = normalise_mobile(raw)
    except PhoneError as error:
        assert str(error) and "\n" not in str(error)
    else:
        assert result.startswith("+") and result[1:].isdigit()
        assert normalise_mobile(result) == result
    assert isinstance(is_plausible_sender(raw), bool)
    assert isinstance(normalise_sender(raw), str)
    assert isinstance(national_format(raw), str)
