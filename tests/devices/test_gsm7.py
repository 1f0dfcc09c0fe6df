"""GSM 03.38 alphabet: strict encoding, lenient decoding, septet packing with fill bits."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.devices import gsm7

GSM7_CHARS = sorted(set(gsm7.DEFAULT_ALPHABET.replace("\x1b", "")) | gsm7.EXTENSION_CHARS)


def test_every_extension_character_takes_two_septets():
    for ch in "€[]{}^~\\|\f":
        assert gsm7.can_encode_gsm7(ch)
        assert gsm7.septet_length(ch) == 2
        assert gsm7.encode_septets(ch)[0] == gsm7.ESC


def test_default_alphabet_positions_from_the_standard():
    assert gsm7.encode_septets("@£$") == [0x00, 0x01, 0x02]
    assert gsm7.encode_septets("ΔÉ¡§¿à") == [0x10, 0x1F, 0x40, 0x5F, 0x60, 0x7F]
    assert gsm7.encode_septets("€") == [0x1B, 0x65]


def test_characters_outside_the_alphabet_are_refused():
    assert not gsm7.can_encode_gsm7("héllo ç")  # é is in, ç is not
    assert not gsm7.can_encode_gsm7("😀")
    assert not gsm7.can_encode_gsm7("`")
    with pytest.raises(ValueError, match="U\\+0060"):
        gsm7.septet_length("a`b")


def test_hellohello_packs_to_the_textbook_octets():
    # The classic 7-bit packing example (3GPP TS 23.038 6.1.2.1.1 style): "hellohello".
    assert gsm7.pack_septets(gsm7.encode_septets("hellohello")).hex().upper() == "E8329BFD4697D9EC37"


def test_fill_bits_shift_the_septets():
    packed = gsm7.pack_septets([0x41], fill_bits=1)
    assert packed == bytes([0x82])
    assert gsm7.unpack_septets(packed, 1, fill_bits=1) == [0x41]


def test_unknown_extension_code_decodes_leniently_and_is_reported():
    problems: list[str] = []
    assert gsm7.decode_septets([0x41, 0x1B, 0x41, 0x1B], problems) == "AA "
    assert len(problems) == 2
    assert gsm7.decode_septets([0x1B, 0x1B]) == " "


def test_unpack_refuses_too_few_octets():
    with pytest.raises(ValueError, match="need"):
        gsm7.unpack_septets(b"\x00", 3)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=GSM7_CHARS, max_size=200), st.integers(0, 6))
def test_pack_unpack_round_trip(text, fill):
    septets = gsm7.encode_septets(text)
    assert len(septets) == gsm7.septet_length(text)
    packed = gsm7.pack_septets(septets, fill)
    assert len(packed) == gsm7.packed_octets(len(septets), fill)
    assert gsm7.decode_septets(gsm7.unpack_septets(packed, len(septets), fill)) == text


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(0, 127), max_size=200))
def test_decoding_any_septets_never_raises(septets):
    assert isinstance(gsm7.decode_septets(septets, []), str)
