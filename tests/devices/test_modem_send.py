"""Sending over a real pty: single and multi-part, PDU and text mode, typed errors, delivery reports."""

from __future__ import annotations

import pytest

from kiosk.devices.errors import SendError
from kiosk.devices.events import ReportReceived, ReportStored

pytestmark = pytest.mark.pty


def test_single_sms_is_sent_with_a_report_requested(sim, modem):
    refs = modem.send("+447700900123", "Thanks, logged at 14:00")
    assert len(refs) == 1
    [sent] = sim.sent
    assert (sent.number, sent.text, sent.message_ref, sent.mode) == ("+447700900123", "Thanks, logged at 14:00",
                                                                     refs[0], "pdu")
    assert sent.status_report_request and sent.concat is None


@pytest.mark.parametrize("text", ["Reply € {ok} " * 20, "Ça va 😀 " * 12], ids=["gsm7", "ucs2"])
def test_long_reply_is_sent_as_concatenated_parts(sim, modem, text):
    refs = modem.send("+447700900123", text)
    assert len(refs) == len(sim.sent) >= 2
    assert [s.message_ref for s in sim.sent] == refs
    assert "".join(s.text for s in sim.sent) == text
    concats = [s.concat for s in sim.sent]
    assert len({c.ref for c in concats}) == 1
    assert [c.seq for c in concats] == list(range(1, len(refs) + 1))
    assert {c.total for c in concats} == {len(refs)}


def test_two_long_messages_get_different_concat_references(sim, modem):
    modem.send("+447700900123", "a" * 200)
    modem.send("+447700900123", "b" * 200)
    assert sim.sent[0].concat.ref != sim.sent[2].concat.ref


def test_no_report_when_not_requested(sim, modem):
    modem.send("+447700900123", "no report please", request_report=False)
    assert not sim.sent[0].status_report_request


@pytest.mark.parametrize("text", ["Back at school", "Zoë 😀 fine", "x" * 200], ids=["gsm7", "ucs2", "long"])
def test_text_mode_send(sim, modem_factory, text):
    modem = modem_factory(sim.port, mode="text")
    refs = modem.send("+447700900123", text)
    assert [s.number for s in sim.sent] == ["+447700900123"] * len(refs)
    assert "".join(s.text for s in sim.sent) == text
    assert {s.mode for s in sim.sent} == {"text"}


@pytest.mark.parametrize("code,retryable", [(38, True), (41, True), (42, True), (331, True), (332, True),
                                            (1, False), (21, False), (28, False), (304, False),
                                            (305, False), (999, True)])
def test_send_errors_are_typed_and_say_whether_to_retry(sim, modem, code, retryable):
    sim.fail_next_send(code)
    with pytest.raises(SendError) as info:
        modem.send("+447700900123", "hello")
    assert info.value.code == code
    assert info.value.retryable is retryable
    assert sim.sent == []
    assert modem.send("+447700900123", "hello again")  # the line is fine afterwards


def test_failure_in_the_middle_of_a_multipart_send_reports_what_went(sim, modem):
    sim.fail_next_send(42, after=1)
    with pytest.raises(SendError) as info:
        modem.send("+447700900123", "y" * 400)
    assert info.value.retryable and info.value.code == 42
    assert info.value.sent_refs == [sim.sent[0].message_ref]
    assert len(sim.sent) == 1


def test_not_registered_is_a_retryable_error(sim, modem):
    sim.set_network(registration=2)
    with pytest.raises(SendError) as info:
        modem.send("+447700900123", "hello")
    assert info.value.retryable and info.value.code == 331


def test_invalid_number_is_a_permanent_error_before_touching_the_modem(sim, modem):
    with pytest.raises(SendError) as info:
        modem.send("not a number", "hello")
    assert not info.value.retryable
    assert not any(c.startswith("AT+CMGS") for c in sim.commands)


@pytest.mark.parametrize("mode", ["pdu", "text"])
def test_delivery_report_pushed_with_cds(sim, modem_factory, events, wait, mode):
    modem = modem_factory(sim.port, events=events, mode=mode)
    [mr] = modem.send("+447700900123", "hello")
    sim.inject_report(mr, status=0)
    report = wait(lambda: events.of(ReportReceived), what="+CDS")[0].report
    assert report.message_ref == mr and report.delivered and report.final
    assert report.recipient == "+447700900123"


@pytest.mark.parametrize("mode", ["pdu", "text"])
def test_delivery_report_stored_with_cdsi_is_drained(sim, modem_factory, events, wait, mode):
    modem = modem_factory(sim.port, events=events, mode=mode, quirks={"cnmi": ("AT+CNMI=2,1,0,2,0",)})
    [mr] = modem.send("+447700900123", "hello")
    sim.inject_report(mr, status=0x40)  # permanent failure
    wait(lambda: events.of(ReportStored), what="+CDSI")
    got = []
    modem.drain(got.append)
    [stored] = got
    assert stored.pdu.message_ref == mr and not stored.pdu.delivered and stored.pdu.final
    assert sim.stored() == {}
