"""The simulator answers AT commands as real modems do, checked as raw transcripts over its pty
(no driver in between): what a client types, what comes back."""

from __future__ import annotations

import time

import pytest
import serial

from kiosk.devices.atlines import is_final
from kiosk.devices.pdu import encode_deliver, encode_submit

pytestmark = pytest.mark.pty


@pytest.fixture
def line(sim):
    port = serial.serial_for_url(sim.path, timeout=0.05)
    yield port
    port.close()


def at(port, command: str, *, payload: str | None = None, timeout: float = 5.0) -> list[str]:
    """Send one command; return the lines of its reply up to and including the final result."""
    port.write(command.encode() + b"\r")
    if payload is not None:
        _read_until(port, lambda buf: buf.endswith(b"> "), timeout)
        port.write(payload.encode() + b"\x1a")
    data = _read_until(port, lambda buf: buf.endswith(b"\r\n") and is_final(_lines(buf)[-1]), timeout)
    return _lines(data)


def _lines(buf: bytes) -> list[str]:
    return [x for x in buf.decode("utf-8", "replace").replace("\r", "\n").split("\n") if x.strip()] or [""]


def _read_until(port, done, timeout):
    buf = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        buf += port.read(256)
        if buf and done(buf):
            return buf
    pytest.fail(f"no complete reply: {buf!r}")


def test_echo_is_on_at_power_up_and_off_after_ate0(line):
    assert at(line, "AT") == ["AT", "OK"]
    assert at(line, "ATE0") == ["ATE0", "OK"]
    assert at(line, "AT") == ["OK"]


def test_unknown_command_answers_error_or_cme_error_after_cmee(line):
    at(line, "ATE0")
    assert at(line, "AT+NOSUCH") == ["ERROR"]
    at(line, "AT+CMEE=1")
    assert at(line, "AT+NOSUCH") == ["+CME ERROR: 4"]


def test_identity_and_health(sim, line):
    at(line, "ATE0")
    assert at(line, "AT+CGMM") == [sim.model, "OK"]
    assert at(line, "AT+CSQ") == ["+CSQ: 20,99", "OK"]
    assert at(line, "AT+CPMS?") == ['+CPMS: "SM",0,30,"SM",0,30,"SM",0,30', "OK"]
    assert at(line, "AT+CMGF=?;+CMGF?") == ["+CMGF: (0,1)", "+CMGF: 0", "OK"]


def test_pdu_listing_delete_flags_and_empty_index(sim_factory):
    sim = sim_factory(empty_delete_error=True)
    port = serial.serial_for_url(sim.path, timeout=0.05)
    try:
        at(port, "ATE0")
        for text in ("one", "two", "three"):
            sim.inject_pdu(encode_deliver("+447700900123", text, sim.clock.now()))
        listing = at(port, "AT+CMGL=0")  # unread ones, now marked read
        assert [x for x in listing if x.startswith("+CMGL:")] == [
            f"+CMGL: {i},0,,{len(sim.stored()[i][1]) // 2 - 1}" for i in (1, 2, 3)]
        assert [x for x in at(port, "AT+CMGL=0") if x.startswith("+CMGL")] == []
        assert at(port, "AT+CMGD=2") == ["OK"]
        assert at(port, "AT+CMGD=2") == ["+CMS ERROR: 321"]
        assert at(port, "AT+CMGD=0,1") == ["OK"]  # delete all read messages
        assert sim.stored() == {}
    finally:
        port.close()


def test_send_checks_the_announced_length(sim, line):
    at(line, "ATE0")
    [part] = encode_submit("+447700900123", "hello")
    assert at(line, f"AT+CMGS={part.tpdu_length + 1}", payload=part.hex) == ["+CMS ERROR: 304"]
    assert at(line, f"AT+CMGS={part.tpdu_length}", payload=part.hex) == ["+CMGS: 1", "OK"]
    assert [(m.number, m.text) for m in sim.sent] == [("+447700900123", "hello")]


def test_text_mode_send_and_list_in_ucs2(sim, line):
    at(line, "ATE0")
    at(line, "AT+CMGF=1")
    at(line, 'AT+CSCS="UCS2"')
    number = "+447700900123".encode("utf-16-be").hex().upper()
    body = "Zoë 😀".encode("utf-16-be").hex().upper()
    assert at(line, f'AT+CMGS="{number}"', payload=body) == ["+CMGS: 1", "OK"]
    assert sim.sent[0].text == "Zoë 😀" and sim.sent[0].mode == "text"
    sim.inject_sms("+447700900124", "Ça va")
    listing = at(line, 'AT+CMGL="ALL"')
    assert listing[1] == "Ça va".encode("utf-16-be").hex().upper()
    assert listing[0].startswith('+CMGL: 1,"REC UNREAD","' + "+447700900124".encode("utf-16-be").hex().upper())
