"""Receiving over a real pty: single and multi-part SMS, GSM 7-bit and UCS-2, PDU and text mode.

"No message is ever lost": each message is handed to the caller and deleted only after it returns.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.devices.concat import MemoryPartStore, Reassembler
from kiosk.devices.events import MessageReceived, MessageStored, RegistrationChanged
from kiosk.devices.pdu import Deliver

pytestmark = pytest.mark.pty

LONG_GSM = "Running late at 14 Acacia Avenue, parking is awful, back by 4pm; code word is {blue} € " * 5
LONG_UCS2 = "Zoë says hi 😀 — back soon from the Ağaç Street visit, all fine here. " * 3


def _texts(messages):
    return [m.pdu.text for m in messages]


@pytest.mark.parametrize("mode", ["pdu", "text"])
@pytest.mark.parametrize("text", ["OK", "Back at school [done] ~ €5 ^_^", "Всё хорошо 😀 مرحبا"])
def test_single_sms_any_alphabet_is_received(sim, modem_factory, events, wait, mode, text):
    modem = modem_factory(sim.port, events=events, mode=mode)
    sim.inject_sms("+447700900123", text)
    wait(lambda: events.of(MessageStored), what="+CMTI")
    got = []
    result = modem.drain(got.append)
    assert result.handled == 1
    assert [(m.pdu.sender, m.pdu.text) for m in got] == [("+447700900123", text)]
    assert got[0].pdu.timestamp == sim.clock.now()
    assert sim.stored() == {}


@pytest.mark.parametrize("text", [LONG_GSM, LONG_UCS2], ids=["gsm7", "ucs2"])
def test_multipart_sms_in_any_order_reassembles(sim, modem, clock, text):
    total = len(sim.inject_sms("+447700900123", text, order=[], ref=7))  # count the parts only
    assert total >= 3
    order = [total - 1, 0] + list(range(1, total - 1))  # last part first
    sim.inject_sms("+447700900123", text, order=order, ref=200)
    got = []
    modem.drain(got.append)
    assert [m.pdu.concat.seq for m in got] == [i + 1 for i in order]
    reassembler = Reassembler(MemoryPartStore())
    done = [a for m in got if (a := reassembler.add(m.pdu.sender, m.pdu, clock.now()))]
    assert len(done) == 1 and done[0].text == text


def test_multipart_parts_listed_in_text_mode_arrive_as_parts(sim, modem_factory):
    """Text mode loses the concatenation header: every part still arrives, in order, none lost."""
    modem = modem_factory(sim.port, mode="text")
    pdus = sim.inject_sms("+447700900123", LONG_UCS2)
    got = []
    modem.drain(got.append)
    assert len(got) == len(pdus)
    assert "".join(_texts(got)) == LONG_UCS2


def test_sixteen_bit_concat_reference(sim, modem):
    sim.inject_sms("+447700900123", LONG_GSM, ref=4321, ref_bits=16)
    got = []
    modem.drain(got.append)
    assert {m.pdu.concat.ref for m in got} == {4321}
    assert {m.pdu.concat.ref_bits for m in got} == {16}


@pytest.mark.parametrize("mode", ["pdu", "text"])
def test_message_pushed_directly_with_cmt(sim, modem_factory, events, wait, mode):
    modem = modem_factory(sim.port, events=events, mode=mode)
    sim.inject_sms("+447700900123", "SOS 😀", direct=True)
    event = wait(lambda: events.of(MessageReceived), what="+CMT")[0]
    assert isinstance(event.message, Deliver)
    assert (event.message.sender, event.message.text) == ("+447700900123", "SOS 😀")
    assert sim.stored() == {} and modem.stored_messages() == []


def test_undecodable_stored_message_is_handed_over_not_dropped(sim, modem):
    sim.inject_pdu("0004FFFF")  # truncated garbage where a PDU should be
    sim.inject_sms("+447700900123", "fine")
    got = []
    modem.drain(got.append)
    assert len(got) == 2
    bad = [m for m in got if m.pdu is None][0]
    assert bad.error and "undecodable" in bad.error and bad.raw == "0004FFFF"
    assert [m.pdu.text for m in got if m.pdu] == ["fine"]
    assert sim.stored() == {}


def test_index_zero_storage_is_handled(sim_factory, modem_factory):
    """Some Huawei sticks number the store from 0."""
    sim = sim_factory(first_index=0)
    modem = modem_factory(sim.port)
    sim.inject_sms("+447700900123", "zero")
    got = []
    modem.drain(got.append)
    assert [(m.index, m.pdu.text) for m in got] == [(0, "zero")]
    assert sim.stored() == {}


@pytest.mark.parametrize("handler_ok", [True, False], ids=["stored", "handler-failed"])
def test_cmt_is_acknowledged_with_cnma_only_after_the_handler_returns(sim, modem_factory, wait, handler_ok):
    """Modems in phase 2+ want AT+CNMA for +CMT; unacknowledged, the network delivers it again."""
    seen = []

    def on_event(event):
        seen.append(event)
        if isinstance(event, MessageReceived) and not handler_ok:
            raise RuntimeError("database is locked")

    modem_factory(sim.port, on_event=on_event, quirks={"needs_cnma": True})
    sim.inject_sms("+447700900123", "pushed", direct=True)
    sim.inject_urc("+CREG: 1")  # events run in order: once this one is seen, the +CMT one is done
    wait(lambda: any(isinstance(e, RegistrationChanged) for e in seen), what="barrier event")
    assert isinstance(seen[0], MessageReceived)
    assert ("AT+CNMA" in sim.commands) is handler_ok


_counter = iter(range(10**6))
ANY_TEXT = st.text(alphabet=st.one_of(st.sampled_from("€[]{}^~\\|@£$¥èéùìò\n\r ÄÖÑÜ§¿"),
                                      st.characters(blacklist_categories=("Cs",))), max_size=400)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ANY_TEXT, reverse=st.booleans())
def test_any_text_in_any_part_order_arrives_whole(sim, modem, clock, text, reverse):
    """Property over the pty: whatever the alphabet and length, in whatever order the parts come,
    the parts handed over reassemble to the text that was sent."""
    sender = f"+4477009{next(_counter):05d}"  # a new sender each time: no fingerprint repeats
    parts = len(sim.inject_sms(sender, text, order=[]))
    order = list(range(parts))[::-1] if reverse else list(range(parts))
    sim.inject_sms(sender, text, order=order)
    got = []
    modem.drain(got.append)
    assert len(got) == parts and all(m.pdu is not None for m in got)
    if parts == 1:
        assert got[0].pdu.text == text
    else:
        reassembler = Reassembler(MemoryPartStore())
        done = [a for m in got if (a := reassembler.add(m.pdu.sender, m.pdu, clock.now()))]
        assert [d.text for d in done] == [text]


def test_text_mode_on_a_modem_without_ucs2_charset(sim_factory, modem_factory):
    """A modem that refuses AT+CSCS="UCS2": ASCII texts still come and go; a hex-looking text is
    not mistaken for UCS-2, and a text it cannot carry is refused clearly, not garbled."""
    from kiosk.devices.errors import SendError

    sim = sim_factory(charsets=("IRA", "GSM"))
    modem = modem_factory(sim.port, mode="text")
    sim.inject_sms("+447700900123", "BEEF")
    got = []
    modem.drain(got.append)
    assert [(m.pdu.sender, m.pdu.text) for m in got] == [("+447700900123", "BEEF")]
    assert modem.send("+447700900123", "OK thanks")
    assert [(s.number, s.text) for s in sim.sent] == [("+447700900123", "OK thanks")]
    with pytest.raises(SendError) as info:
        modem.send("+447700900123", "Zoë 😀")
    assert not info.value.retryable and "ASCII" in info.value.message
