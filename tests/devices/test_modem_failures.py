"""Where the best SMS stacks fail (issue 3): each failure mode is a named test over a real pty.

Issue references: python-gsmmodem #114 #42 #106 #63 #56, gammu #527 #217 #378 #4 #687 #552 #266 #394
#19 #442, FrontlineSMS core.
"""

from __future__ import annotations

import threading

import pytest

from kiosk.devices.concat import MemoryPartStore, Reassembler
from kiosk.devices.errors import CommandTimeout, ModemUnavailable
from kiosk.devices.events import (MessageReceived, MessageStored, ModemBack, ModemGone, RegistrationChanged,
                                  ReportStored, StorageFull)
from kiosk.devices.modem import ModemSettings

pytestmark = pytest.mark.pty


def test_byte_that_is_not_utf8_does_not_kill_the_reader(sim, modem, wait):
    """python-gsmmodem #114: a non-UTF-8 byte killed the read thread. Ours logs it and goes on."""
    sim.inject_garbage(b"\xff\xfe\x80\xc3\x28 noise\r\n\x00\x9f+CM\xffTI: bad\r\n")
    sim.inject_sms("+447700900123", "still here")
    got = []
    wait(lambda: modem.status(refresh=False).junk_lines >= 1, what="junk counted")
    modem.drain(got.append)
    assert [m.pdu.text for m in got] == ["still here"]
    assert modem.ready


def test_urc_arriving_inside_a_command_reply_is_dispatched(sim_factory, modem_factory, events, wait):
    """python-gsmmodem: a URC during a command's reply was swallowed. Ours dispatches it, and the
    reply (here a listing, arriving slowly and in pieces) is still read whole."""
    sim = sim_factory(chunk_size=7, chunk_delay=0.001)
    modem = modem_factory(sim.port, events=events)
    sim.inject_sms("+447700900123", "one")
    sim.inject_sms("+447700900123", "two")
    wait(lambda: len(events.of(MessageStored)) == 2)
    sim.interleave_next_reply('+CMTI: "SM",9', "RING")
    listed = modem.stored_messages()
    assert [m.pdu.text for m in listed] == ["one", "two"]
    wait(lambda: any(e.index == 9 for e in events.of(MessageStored)), what="interleaved +CMTI")


def test_message_is_never_deleted_before_the_handler_confirms(sim, modem):
    """python-gsmmodem #42, FrontlineSMS: deleted before stored. Ours deletes only after the
    handler returned normally; a handler that raises leaves it on the SIM."""
    sim.inject_sms("+447700900123", "keep me")
    on_sim_while_handling = []

    def handler(message):
        on_sim_while_handling.append(message.index in sim.stored())
        raise RuntimeError("database is locked")

    result = modem.drain(handler)
    assert on_sim_while_handling == [True]
    assert result.kept == 1 and result.handled == 0
    assert len(sim.stored()) == 1
    assert modem.drain(lambda m: False).kept == 1  # "not committed" said plainly: kept too
    assert len(sim.stored()) == 1
    confirmed = []
    modem.drain(lambda m: confirmed.append(m.index in sim.stored()))
    assert confirmed == [True] and sim.stored() == {}


def test_same_sms_pushed_and_stored_is_processed_once(sim, modem_factory, wait):
    """gammu #527/#217/#378: the modem pushed +CMT and also stored it. Fingerprints match; drain
    does not hand it over a second time (and the caller can tell by the fingerprint)."""
    seen = []
    modem = modem_factory(sim.port, on_event=seen.append)
    sim.inject_sms("+447700900123", "OK 😀", direct=True, also_store=True)
    sim.inject_urc("+CREG: 1")  # events run in order: once this is seen, the +CMT was confirmed
    wait(lambda: any(isinstance(e, RegistrationChanged) for e in seen), what="+CMT handled")
    assert isinstance(seen[0], MessageReceived)
    assert sim.stored()
    handled = []
    result = modem.drain(handled.append)
    assert handled == [] and result.duplicates == 1
    assert sim.stored() == {}


def test_command_that_never_answers_times_out_and_the_modem_is_reset(sim, modem_factory):
    """gammu #4: AT+CMGL silent for minutes. Every command has a timeout; the modem is probed and
    re-initialised, and the next listing works."""
    modem = modem_factory(sim.port, list_timeout=0.4)
    sim.inject_sms("+447700900123", "patience")
    sim.silence("AT+CMGL")
    before = len(sim.commands)
    with pytest.raises(CommandTimeout):
        modem.stored_messages()
    assert "ATE0" in sim.commands[before:]  # re-initialised after the probe answered
    assert modem.ready
    assert [m.pdu.text for m in modem.stored_messages()] == ["patience"]


def test_hung_modem_is_dropped_then_reopened_after_it_reboots(sim, modem_factory, events, clock, wait):
    modem = modem_factory(sim.port, events=events, command_timeout=0.3, list_timeout=0.3,
                          probe_timeout=0.3)
    sim.hang()
    with pytest.raises(CommandTimeout):
        modem.stored_messages()
    wait(lambda: events.of(ModemGone), what="ModemGone")
    assert not modem.connected
    sim.reboot()
    clock.advance(2)
    assert modem.ensure_open()
    wait(lambda: events.of(ModemBack), what="ModemBack")


def test_modem_re_enumerated_under_a_new_name_is_reopened_by_its_stable_path(sim, modem_factory, events,
                                                                             clock, wait):
    """gammu #687/#552/#266: a reset re-enumerates the USB device as a new ttyUSBn. We open the
    stable udev-style symlink and keep trying, with backoff paced by the clock."""
    modem = modem_factory(sim.port, events=events)
    old = sim.path
    sim.unplug()
    gone = wait(lambda: events.of(ModemGone), what="ModemGone")[0]
    assert "read failed" in gone.reason
    assert not modem.ensure_open()  # nothing there yet
    sim.plug(new_name=True)
    assert sim.path != old
    assert not modem.ensure_open()  # still backing off: the clock has not moved
    clock.advance(60)
    assert modem.ensure_open()
    back = wait(lambda: events.of(ModemBack), what="ModemBack")[0]
    assert back.gap.total_seconds() == 60 and back.port == sim.port
    sim.inject_sms("+447700900123", "after the replug")
    got = []
    modem.drain(got.append)
    assert [m.pdu.text for m in got] == ["after the replug"]


def test_cms_321_on_an_empty_index_means_nothing_there(sim_factory, modem_factory, events, wait):
    """python-gsmmodem #106, gammu #394: +CMS ERROR: 321 after a status-report notice looped forever.
    Ours: nothing there, move on."""
    sim = sim_factory(empty_delete_error=True)
    modem = modem_factory(sim.port, events=events)
    sim.inject_urc('+CDSI: "SM",9')
    wait(lambda: events.of(ReportStored))
    assert modem.delete(9) is False
    assert modem.drain(lambda m: None).handled == 0
    sim.inject_sms("+447700900123", "next")
    got = []
    modem.drain(got.append)
    assert [m.pdu.text for m in got] == ["next"]


def test_flow_control_is_configuration_and_off_by_default(sim, modem_factory):
    """python-gsmmodem #63: hard-wired rtscts/dsrdtr hung at the first AT on some boards."""
    assert ModemSettings().rtscts is False and ModemSettings().dsrdtr is False
    modem = modem_factory(sim.port)
    assert modem.ready and modem._channel._serial.rtscts is False and modem._channel._serial.dsrdtr is False
    modem.close()
    flow = modem_factory(sim.port, rtscts=True)
    assert flow._channel._serial.rtscts is True


def test_echo_left_on_does_not_break_pdu_parsing(sim_factory, modem_factory):
    """python-gsmmodem #56: echo on (ATE1) broke PDU parsing. This modem ignores ATE0."""
    sim = sim_factory(echo_locked=True)
    modem = modem_factory(sim.port)
    assert sim.settings.echo
    sim.inject_sms("+447700900123", "Zoë 😀 " * 30)
    got = []
    modem.drain(got.append)
    assert len(got) >= 2 and all(m.pdu for m in got)
    refs = modem.send("+447700900123", "reply " * 40)
    assert len(refs) == len(sim.sent) == 2


def test_sim800_gets_its_own_cnmi(sim_factory, modem_factory):
    sim = sim_factory(model="SIM800L")
    modem_factory(sim.port)
    assert "AT+CNMI=2,1,0,1" in sim.commands
    assert sim.settings.cnmi[:4] == (2, 1, 0, 1)


def test_siemens_delete_without_flag(sim_factory, modem_factory):
    """Siemens rejects AT+CMGD=<n>,0: the plain form is used."""
    sim = sim_factory(model="MC35i", reject_delete_flag=True)
    modem = modem_factory(sim.port)
    sim.inject_sms("+447700900123", "hallo")
    assert modem.drain(lambda m: None).handled == 1
    assert sim.stored() == {}
    assert modem.quirks.name == "Siemens MC35"


def test_huawei_full_store_announced_with_smmemfull_is_drained(sim_factory, modem_factory, events, wait):
    sim = sim_factory(model="E3372", smmemfull=True, capacity=3)
    modem = modem_factory(sim.port, events=events)
    sim.fill_sim()
    wait(lambda: events.of(StorageFull), what="^SMMEMFULL")
    assert modem.status().storage_full
    sim.inject_sms("+447700900123", "waiting for room")  # the network holds it back
    assert modem.drain(lambda m: None).handled == 3
    got = []
    wait(lambda: modem.drain(got.append).handled or got, what="held-back message")
    assert [m.pdu.text for m in got] == ["waiting for room"]
    assert not modem.status().storage_full


def test_missed_urc_is_found_by_the_periodic_sweep(sim, modem_factory, events):
    """URCs on another port (some Huawei sticks) or lost: the sweep still finds the message."""
    modem = modem_factory(sim.port, events=events, quirks={"cnmi": ("AT+CNMI=2,0,0,0,0",)})
    sim.inject_sms("+447700900123", "no URC for me")
    got = []
    modem.drain(got.append)
    assert [m.pdu.text for m in got] == ["no URC for me"]
    assert events.of(MessageStored) == []


def test_config_overrides_the_init_sequence_and_quirks(sim, modem_factory):
    modem = modem_factory(sim.port, init=("AT+CSCLK=0",), quirks={"hang_up": "AT+CHUP"})
    assert "AT+CSCLK=0" in sim.commands
    modem.hang_up()
    assert sim.commands[-1] == "AT+CHUP"


def test_multipart_whose_last_part_never_comes_is_kept_and_handed_over_part_by_part(sim, modem, clock):
    """gammu #19/#442: every part that did arrive is handed over at once (for the duress scan) and,
    after the timeout, stored as one incomplete message."""
    text = "Help me please, I am at 12 Elm Road with the client's brother, he is angry. " * 6
    total = len(sim.inject_sms("+447700900123", text, order=[], ref=77))  # how many parts it makes
    assert total == 3
    sim.inject_sms("+447700900123", text, drop_parts=(2,), ref=77)  # the last part never comes
    reassembler = Reassembler(MemoryPartStore())
    got = []
    modem.drain(got.append)
    assert len(got) == total - 1
    assert all(reassembler.add(m.pdu.sender, m.pdu, clock.now()) is None for m in got)
    [key] = reassembler.pending()
    assert reassembler.partial_text(key).startswith("Help me please")
    [late] = reassembler.expire(clock.advance(minutes=11))
    assert late.incomplete and "12 Elm Road" in late.text


def test_crash_between_receive_and_delete_leaves_the_message_to_be_seen_again(sim, modem_factory):
    """The process dies after storing but before deleting: on restart the message is listed again
    with the same fingerprint, so the caller recognises the duplicate."""
    first = modem_factory(sim.port)
    sim.inject_sms("+447700900123", "OK 1432")
    database = []

    def store_then_die(message):
        database.append(message.fingerprint)
        raise KeyboardInterrupt  # the process is killed here: no delete happens

    with pytest.raises(KeyboardInterrupt):
        first.drain(store_then_die)
    first.close()
    assert len(sim.stored()) == 1
    restarted = modem_factory(sim.port)
    again = []
    restarted.drain(again.append)
    assert [m.fingerprint for m in again] == database
    assert sim.stored() == {}


def test_pty_closed_mid_exchange_then_reopened(sim_factory, modem_factory, events, clock, wait):
    sim = sim_factory()
    modem = modem_factory(sim.port, events=events)
    sim.inject_sms("+447700900123", "survive")
    sim.silence("AT+CMGL")  # the listing is answered by nothing: the pty goes while it waits
    errors = []

    def list_slowly():
        try:
            modem.stored_messages()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            errors.append(exc)

    before = len(sim.commands)  # opening the modem may already have listed the store once
    worker = threading.Thread(target=list_slowly)
    worker.start()
    wait(lambda: "AT+CMGL=4" in sim.commands[before:], what="listing started")
    sim.unplug()
    worker.join(timeout=5)
    assert not worker.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], ModemUnavailable)
    wait(lambda: events.of(ModemGone))
    sim.plug()
    clock.advance(5)
    assert modem.ensure_open()
    got = []
    modem.drain(got.append)
    assert [m.pdu.text for m in got] == ["survive"]


def test_unplug_during_a_slow_reply_fails_the_command_cleanly(sim_factory, modem_factory, events, wait):
    sim = sim_factory(reply_delay=2.0, slow_commands=("AT+CSQ",))
    modem = modem_factory(sim.port, events=events, command_timeout=4.0)
    errors = []

    def ask():
        try:
            modem.status()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            errors.append(exc)

    before = len(sim.commands)
    worker = threading.Thread(target=ask)
    worker.start()
    wait(lambda: "AT+CSQ" in sim.commands[before:], what="AT+CSQ sent")
    sim.unplug()  # the reply never comes: the cable is out
    worker.join(timeout=3)
    assert not worker.is_alive()
    assert errors == []  # status() never raises; it reports instead
    status = modem.status(refresh=False)
    assert not status.connected and "read failed" in status.last_error
    wait(lambda: events.of(ModemGone))


def test_full_store_seen_by_cpms_is_reported_and_drained(sim_factory, modem_factory, events, wait):
    """No ^SMMEMFULL on most modems: AT+CPMS? used == total is enough to raise StorageFull."""
    sim = sim_factory(capacity=3)
    modem = modem_factory(sim.port, events=events)
    sim.fill_sim()
    status = modem.status()
    assert status.storage_full and (status.storage_used, status.storage_total) == (3, 3)
    wait(lambda: events.of(StorageFull), what="StorageFull")
    assert modem.drain(lambda m: None).handled == 3
    assert not modem.status().storage_full
    assert len(events.of(StorageFull)) == 1
