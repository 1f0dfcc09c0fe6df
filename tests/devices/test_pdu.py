"""SMS PDU codec: published examples, round trips, splitting rules and malformed input."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kiosk.devices import gsm7
from kiosk.devices.pdu import (
    Concat, Deliver, PduError, StatusReport, Submit, decode_pdu, encode_deliver,
    encode_deliver_parts, encode_status_report, encode_submit, split_text,
)

UTC = timezone.utc
BST = timezone(timedelta(hours=1))
T = datetime(2026, 11, 24, 14, 0, 5, tzinfo=UTC)


# --- published examples ----------------------------------------------------------------------------

def test_classic_deliver_how_are_you():
    # The classic SMS-DELIVER example from dreamfabric.com's "SMS and the PDU format" page, also
    # in python-messaging's and python-gsmmodem's test suites; its text is "How are you?".
    msg = decode_pdu("07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07")
    assert isinstance(msg, Deliver)
    assert msg.smsc == "+31624000000"
    assert msg.sender == "+31641600986"
    assert msg.text == "How are you?"
    assert msg.encoding == "gsm7"
    assert msg.timestamp == datetime(2002, 8, 26, 19, 37, 41, tzinfo=UTC)  # zone "-0" quarters
    assert msg.concat is None and msg.pid == 0 and msg.dcs == 0
    assert msg.problems == ()


# --- round trips -----------------------------------------------------------------------------------

@pytest.mark.parametrize("sender", ["+447700900123", "07700900123", "85075", "VODAFONE", "Kiosk-1"])
@pytest.mark.parametrize("text", ["OK", "Back at 15:30 €5 [x] {y} ^~\\|", "Zoë 😀 done", ""])
def test_deliver_round_trip(sender, text):
    hex_ = encode_deliver(sender, text, T.astimezone(BST))
    msg = decode_pdu(hex_)
    assert isinstance(msg, Deliver)
    assert (msg.sender, msg.text, msg.timestamp) == (sender, text, T)
    assert msg.encoding == ("gsm7" if gsm7.can_encode_gsm7(text) else "ucs2")


def test_scts_zone_is_converted_to_utc():
    ts = datetime(2026, 3, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5, minutes=-45)))
    msg = decode_pdu(encode_deliver("+1", "x", ts))
    assert msg.timestamp == datetime(2026, 3, 2, 5, 15, tzinfo=UTC)
    assert msg.timestamp.tzinfo == UTC


def test_submit_single_part_gsm7_and_report_request():
    [part] = encode_submit("+447700900123", "OK 15:30", message_ref=9)
    assert part.hex.startswith("00")
    assert part.tpdu_length == len(part.hex) // 2 - 1
    msg = decode_pdu(part.hex, direction="mo")
    assert isinstance(msg, Submit)
    assert (msg.recipient, msg.text, msg.encoding, msg.message_ref) == ("+447700900123", "OK 15:30", "gsm7", 9)
    assert msg.status_report_request and msg.concat is None
    [quiet] = encode_submit("+447700900123", "OK", request_report=False)
    assert not decode_pdu(quiet.hex, direction="mo").status_report_request


def test_submit_chooses_ucs2_only_when_needed():
    assert decode_pdu(encode_submit("+44", "Łódź ok")[0].hex, direction="mo").encoding == "ucs2"
    assert decode_pdu(encode_submit("+44", "Ärger ok")[0].hex, direction="mo").encoding == "gsm7"
    forced = decode_pdu(encode_submit("+44", "plain", force_ucs2=True)[0].hex, direction="mo")
    assert (forced.encoding, forced.text) == ("ucs2", "plain")


def test_single_part_limits():
    assert len(encode_submit("+44", "a" * 160)) == 1
    assert len(encode_submit("+44", "a" * 161)) == 2
    assert len(encode_submit("+44", "€" * 80)) == 1
    assert len(encode_submit("+44", "ж" * 70)) == 1
    assert len(encode_submit("+44", "ж" * 71)) == 2


def _submit_texts(parts):
    decoded = [decode_pdu(p.hex, direction="mo") for p in parts]
    return decoded, [d.text for d in decoded]


def test_long_gsm7_splits_153_septets_and_never_splits_an_escape():
    text = "a" * 152 + "€" + "b" * 10
    parts = encode_submit("+447700900123", text, concat_ref=77)
    decoded, texts = _submit_texts(parts)
    assert texts == ["a" * 152, "€" + "b" * 10]
    assert [d.concat for d in decoded] == [Concat(77, 2, 1, 8), Concat(77, 2, 2, 8)]
    assert [p.seq for p in parts] == [1, 2] and all(p.total == 2 for p in parts)


def test_long_ucs2_splits_67_units_and_keeps_emoji_whole():
    text = "ж" * 66 + "😀" + "ж" * 5
    decoded, texts = _submit_texts(encode_submit("+44", text))
    assert texts == ["ж" * 66, "😀" + "ж" * 5]
    assert "".join(texts) == text
    assert all(d.problems == () for d in decoded)


def test_sixteen_bit_reference_deliver_parts():
    text = "x" * 400
    hexes = encode_deliver_parts("+447700900123", text, T, ref=0xBEEF, ref_bits=16)
    msgs = [decode_pdu(h) for h in hexes]
    assert [len(m.text) for m in msgs] == [152, 152, 96]
    assert {(m.concat.ref, m.concat.ref_bits, m.concat.total) for m in msgs} == {(0xBEEF, 16, 3)}
    assert "".join(m.text for m in msgs) == text


def test_split_text_capacities():
    assert [len(p) for p in split_text("y" * 306, "gsm7")] == [153, 153]
    assert [len(p) for p in split_text("y" * 306, "gsm7", ref_bits=16)] == [152, 152, 2]
    assert [len(p) for p in split_text("ж" * 134, "ucs2")] == [67, 67]
    assert [len(p) for p in split_text("ж" * 134, "ucs2", ref_bits=16)] == [66, 66, 2]


def test_status_report_round_trip():
    hex_ = encode_status_report(42, "+447700900123", 0x00, T, T + timedelta(seconds=7))
    rep = decode_pdu(hex_)
    assert isinstance(rep, StatusReport)
    assert (rep.message_ref, rep.recipient, rep.status, rep.delivered, rep.final) == (
        42, "+447700900123", 0, True, True)
    assert rep.discharge_time == T + timedelta(seconds=7)


@pytest.mark.parametrize(("status", "delivered", "final"), [
    (0x00, True, True), (0x01, True, True), (0x20, False, False), (0x30, False, False),
    (0x41, False, True), (0x60, False, True),
])
def test_status_report_meaning(status, delivered, final):
    rep = decode_pdu(encode_status_report(1, "+44", status, T, T))
    assert (rep.delivered, rep.final) == (delivered, final)


# --- malformed input -------------------------------------------------------------------------------

GOOD = "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07"


@pytest.mark.parametrize(("bad", "reason"), [
    ("", "empty"),
    (GOOD[:-1], "odd"),
    ("ZZ" + GOOD[2:], "not hex"),
    (GOOD[:-4], "truncated"),
    (GOOD[:30], "truncated"),
    ("00", "truncated"),
    ("FF" + GOOD[2:], "SMSC"),
])
def test_malformed_pdus_raise_pdu_error_with_a_reason(bad, reason):
    with pytest.raises(PduError, match=reason):
        decode_pdu(bad)


def test_wrong_direction_is_a_clear_error():
    with pytest.raises(PduError, match="SMS-SUBMIT"):
        decode_pdu(GOOD, direction="mo")
    with pytest.raises(PduError, match="direction='mo'"):
        decode_pdu(encode_submit("+44", "x")[0].hex)


def test_encode_refuses_bad_numbers_and_naive_times():
    with pytest.raises(PduError):
        encode_submit("call me", "x")
    with pytest.raises(PduError):
        encode_submit("", "x")
    with pytest.raises(PduError, match="aware"):
        encode_deliver("+44", "x", datetime(2026, 1, 1))
