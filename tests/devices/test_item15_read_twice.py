"""Issue 14 item 15, the driver's half: a received SMS that does not decode is read once more
(AT+CMGR) before it is handed over undecoded; a line cut by a serial glitch then decodes. Real
driver, real pty, kiosk's own simulator (its `garble` cuts the PDU lines of one AT+CMGL answer)."""

from __future__ import annotations

from datetime import datetime, timezone

from kiosk.devices.pdu import encode_deliver, sender_of

ANN = "+447700900123"


def reads(sim) -> list[str]:
    return [c for c in sim.commands if c.upper().startswith("AT+CMGR")]


def test_item15_a_listing_cut_by_a_glitch_is_read_again_and_decodes(sim, modem):
    sim.inject_sms(ANN, "SOS help me please")
    (index,) = sim.stored()
    sim.garble("AT+CMGL")  # the next listing's PDU lines lose their second half
    got = []
    modem.drain(got.append)
    assert [(m.pdu.sender, m.pdu.text) for m in got if m.pdu] == [(ANN, "SOS help me please")]
    assert len(got) == 1 and reads(sim) == [f"AT+CMGR={index}"]
    assert sim.stored() == {}


def test_item15_a_decodable_listing_is_not_read_again(sim, modem):
    sim.inject_sms(ANN, "OK")
    got = []
    modem.drain(got.append)
    assert [m.pdu.text for m in got] == ["OK"] and reads(sim) == []


def test_item15_an_undecodable_sms_is_read_twice_then_handed_over_with_its_raw_pdu(sim, modem):
    sim.inject_pdu("0004FFFF")  # garbage where a PDU should be, on the SIM itself
    (index,) = sim.stored()
    got = []
    modem.drain(got.append)
    (bad,) = got
    assert bad.pdu is None and bad.raw == "0004FFFF" and bad.index == index
    assert "undecodable" in bad.error and "read twice" in bad.error
    assert reads(sim) == [f"AT+CMGR={index}"]
    assert sim.stored() == {}  # the handler confirmed it (returned normally): then deleted


def test_item15_a_message_the_handler_did_not_confirm_stays_on_the_sim(sim, modem):
    sim.inject_pdu("0004FFFF")

    def refuse(message):
        raise RuntimeError("database down")

    modem.drain(refuse)
    assert list(sim.stored().values()) != []


def test_item15_sender_of_reads_the_start_of_a_broken_pdu():
    pdu = encode_deliver(ANN, "hello there", datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc))
    assert sender_of(pdu) == ANN
    assert sender_of(pdu[:len(pdu) // 2]) == ANN  # cut after the address
    assert sender_of(pdu[:24] + "ZZ-not-hex") == ANN
    for garbage in ("", "0004FFFF", "zz", "00", "0001", None, "0" * 7):
        assert sender_of(garbage) is None, garbage
