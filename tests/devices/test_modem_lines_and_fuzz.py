"""The AT line layer and the reader under garbage: lines, prompts, URCs, errors, quirks, and fuzz.

Random bytes are thrown at the line splitter, the URC parser, the listing parser and (over the pty)
at the running driver: no exception escapes, nothing hangs, and the driver still works afterwards.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.devices.atlines import (PROMPT, Line, LineSplitter, decode_ucs2_hex, encode_ucs2_hex, is_final,
                                   parse_modem_time, parse_nitz, parse_urc, split_fields)
from kiosk.devices.errors import CommandError, is_empty_index, is_retryable, parse_error
from kiosk.devices.listing import parse_pdu_listing, parse_text_listing
from kiosk.devices.quirks import GENERIC, quirks_for

UTC = timezone.utc
AT_NOISE = st.sampled_from([b"\r", b"\n", b"\r\n", b"OK", b"ERROR", b"+CMTI: \"SM\",", b"+CMT: ,", b"> ",
                            b"RING", b"+CLIP: ", b"\xff", b"\x00", b"\xc3", b"+CMGL: 1,0,,", b"0791", b"\x1a"])


def _lines(items):
    return [i.text for i in items if isinstance(i, Line)]


def test_splitter_handles_pieces_crlf_and_prompt_without_newline():
    s = LineSplitter()
    assert s.feed(b"\r\n+CS") == []
    assert _lines(s.feed(b"Q: 17,99\r\n\r\nO")) == ["+CSQ: 17,99"]
    assert _lines(s.feed(b"K\r\n")) == ["OK"]
    assert s.feed(b"\r\n> ") == [PROMPT]
    assert s.feed(b">") == [PROMPT]


def test_splitter_flags_non_utf8_and_over_long_lines():
    s = LineSplitter()
    [line] = s.feed(b"bad \xff\xfe byte\r\n")
    assert line.bad_bytes and "bad" in line.text and line.raw == b"bad \xff\xfe byte"
    items = s.feed(b"x" * 5000 + b"\r\n")
    assert items[0].cut and len(items[0].text) == 4096


@pytest.mark.parametrize("line,kind,body", [
    ('+CMTI: "SM",3', "message_stored", False), ('+CDSI: "SM",4', "report_stored", False),
    ("+CMT: ,24", "message_direct", True), ('+CMT: "+447700900123",,"26/11/24,14:00:00+00"', "message_direct", True),
    ("+CDS: 25", "report_direct", True), ('+CDS: 6,12,"+447700900123",145,"a","b",0', "report_direct", False),
    ("RING", "ring", False), ('+CLIP: "+447700900123",145,"",0,"",0', "caller_id", False),
    ("+CREG: 5", "registration", False), ("+CGREG: 1", "registration", False),
    ('*PSUTTZ: 2026,11,24,14,0,5,"+0",0', "network_time", False), ('+CTZE: "+04",0,"2026/11/24,14:00:05"', "time_zone", False),
    ("+CTZV: +04", "time_zone", False), ('^SMMEMFULL: "SM"', "storage_full", False), ("RDY", "rebooted", False),
    ("SMS Ready", "ready", False), ("NO CARRIER", "call_ended", False), ("^RSSI: 17", "noise", False),
])
def test_urcs_are_recognised(line, kind, body):
    urc = parse_urc(line)
    assert urc is not None and urc.kind == kind and urc.needs_body is body


@pytest.mark.parametrize("line", ["OK", "0791447758100650040C9144770009", "+CSQ: 17,99", "hello", ""])
def test_non_urcs_are_not(line):
    assert parse_urc(line) is None


def test_final_result_codes():
    for final in ("OK", "ERROR", "+CMS ERROR: 321", "+CME ERROR: SIM not inserted", "NO CARRIER"):
        assert is_final(final)
    assert not is_final("+CMGS: 12") and not is_final("OKAY")


def test_network_and_modem_times():
    assert parse_modem_time('"26/11/24,15:00:00+04"') == datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    assert parse_modem_time("26/11/24,13:00:00-04") == datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    assert parse_modem_time("26/13/45,99:00:00+00") is None
    assert parse_nitz(parse_urc('*PSUTTZ: 2026,11,24,14,0,5,"+0",0')) == datetime(2026, 11, 24, 14, 0, 5, tzinfo=UTC)
    assert parse_nitz(parse_urc('+CTZE: "+04",0,"2026/11/24,14:00:05"')) == datetime(2026, 11, 24, 14, 0, 5, tzinfo=UTC)
    assert parse_nitz(parse_urc("+CTZV: +04")) is None


def test_fields_and_ucs2():
    assert split_fields(' 1,"REC, READ","+44",,"x"') == ["1", "REC, READ", "+44", "", "x"]
    assert decode_ucs2_hex(encode_ucs2_hex("Zoë 😀")) == "Zoë 😀"
    assert decode_ucs2_hex("+447700900123") == "+447700900123"


@pytest.mark.parametrize("reply,code,kind,retry", [
    ("+CMS ERROR: 38", 38, "cms", True), ("+CMS ERROR: 21", 21, "cms", False),
    ("+CMS ERROR: Network timeout", 332, "cms", True), ("+CME ERROR: 10", 10, "cme", True),
    ("+CME ERROR: SIM not inserted", 10, "cme", True), ("+CMS ERROR: 777", 777, "cms", True),
    ("+CMS ERROR: something odd", None, "cms", True), ("ERROR", None, "plain", True)])
def test_errors_parse_and_say_whether_to_retry(reply, code, kind, retry):
    error = parse_error("AT+CMGS=20", reply)
    assert isinstance(error, CommandError)
    assert (error.code, error.kind, is_retryable(error)) == (code, kind, retry)


def test_empty_index_is_recognised():
    assert is_empty_index(parse_error("AT+CMGD=3", "+CMS ERROR: 321"))
    assert not is_empty_index(parse_error("AT+CMGD=3", "+CMS ERROR: 322"))


def test_quirks_table_and_overrides():
    assert quirks_for("SIMCOM_Ltd SIM800L").cnmi[0] == "AT+CNMI=2,1,0,1"
    assert quirks_for("Siemens MC35i").delete == "AT+CMGD={index}"
    assert quirks_for("huawei E3372").storage == "ME" and quirks_for("huawei E3372").list_timeout == 60.0
    assert quirks_for("Unknown Thing") == GENERIC
    assert quirks_for("SIM800", {"hang_up": "AT+CHUP", "cnmi": ["AT+CNMI=1,1"]}).cnmi == ("AT+CNMI=1,1",)
    with pytest.raises(ValueError, match="unknown modem quirk"):
        quirks_for("SIM800", {"no_such_thing": 1})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=40), AT_NOISE), max_size=30))
def test_fuzz_splitter_and_parsers_never_raise(chunks):
    splitter = LineSplitter()
    texts = []
    for chunk in chunks:
        for item in splitter.feed(chunk):
            if isinstance(item, Line):
                parse_urc(item.text)
                is_final(item.text)
                texts.append(item.text)
    parse_pdu_listing(texts, "SM")
    parse_text_listing(texts, "SM")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["+CMGL: 1,0,,23", "+CMGL: x,y", "+CMGL: 2,1,,5", "00", "GG", "0791",
                                 "+CMGL: 3,\"REC READ\",6,1,\"+44\",145,\"a\",\"b\",0", "", "+CMGL:"]),
                max_size=12))
def test_fuzz_listing_never_drops_an_entry(lines):
    listed = parse_pdu_listing(lines, "SM")
    assert len(listed) == sum(1 for line in lines if line.startswith("+CMGL:"))
    assert all(m.pdu is not None or m.error for m in listed)


@pytest.mark.pty
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.binary(max_size=60), AT_NOISE), min_size=1, max_size=10))
def test_fuzz_garbage_on_the_line_never_kills_the_driver(sim, modem, chunks):
    for chunk in chunks:
        sim.inject_garbage(chunk)
    sim.inject_garbage(b"\r\n")  # end any partial line the garbage left
    status = modem.status()  # a full exchange after the noise
    assert status.connected
    assert modem._channel._reader is not None and modem._channel._reader.is_alive()


HEX_PDU = st.one_of(
    st.binary(min_size=0, max_size=60).map(lambda b: b.hex().upper()),
    st.text(alphabet="0123456789ABCDEFG ", min_size=1, max_size=40),
)


@pytest.mark.pty
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(HEX_PDU, min_size=1, max_size=4))
def test_fuzz_random_pdus_on_the_sim_are_all_handed_over_none_lost(sim, modem, pdus):
    """Valid or not, every stored PDU reaches the handler (decoded, or with a clear error and the raw
    text) unless an identical one was already confirmed, and only then leaves the SIM."""
    for pdu in pdus:
        sim.inject_pdu(pdu.strip() or "00")
    got = []
    result = modem.drain(got.append)
    assert result.handled + result.duplicates == len(pdus) and result.handled == len(got)
    assert len({m.fingerprint for m in got}) == len(got)
    for message in got:
        assert message.pdu is not None or (message.error and message.error.strip())
    assert sim.stored() == {}
