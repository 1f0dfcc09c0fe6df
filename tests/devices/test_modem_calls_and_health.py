"""Calls (RING/+CLIP, hang-up), health (signal, network, SIM, identity, storage), network time, reboots."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from kiosk.devices.events import (CallEnded, IncomingCall, MessageStored, ModemRebooted, NetworkTimeReceived,
                                  RegistrationChanged)
from kiosk.devices.modem import signal_from_csq

pytestmark = pytest.mark.pty
UTC = timezone.utc


@pytest.mark.parametrize("mode", ["pdu", "text"])
def test_incoming_call_is_reported_once_with_caller_id_and_hung_up(sim, modem_factory, events, wait, mode):
    """Issue 10: a missed-call check-in. The caller is rejected at once so it costs them nothing."""
    modem = modem_factory(sim.port, events=events, mode=mode)
    call = sim.ring("+447700900123")
    event = wait(lambda: events.of(IncomingCall), what="IncomingCall")[0]
    assert event.number == "+447700900123"
    wait(lambda: call.rings >= 3, what="more rings")
    modem.hang_up()
    assert call.hung_up and not sim.ringing
    assert len(events.of(IncomingCall)) == 1  # one call, however many RINGs


def test_withheld_number_is_reported_as_none(sim, modem, events, wait):
    sim.ring(None)
    assert wait(lambda: events.of(IncomingCall))[0].number is None
    modem.hang_up()


def test_second_call_after_hang_up_is_a_new_call(sim, modem, events, wait):
    sim.ring("+447700900123")
    wait(lambda: events.of(IncomingCall))
    modem.hang_up()
    sim.ring("+447700900124")
    wait(lambda: len(events.of(IncomingCall)) == 2, what="second call")
    assert [e.number for e in events.of(IncomingCall)] == ["+447700900123", "+447700900124"]
    modem.hang_up()


def test_call_that_stops_ringing_ends(sim_factory, modem_factory, events, wait):
    sim = sim_factory(max_rings=2, ring_interval=0.01)
    modem_factory(sim.port, events=events)
    sim.ring("+447700900123")
    wait(lambda: events.of(CallEnded), what="NO CARRIER")
    assert len(events.of(IncomingCall)) == 1


def test_ring_without_caller_id_still_reports_a_call(sim, modem, events, wait):
    modem.hang_up()  # harmless with no call
    sim.inject_urc("RING")
    sim.inject_urc("RING")
    assert wait(lambda: events.of(IncomingCall))[0].number is None


def test_status_reports_identity_signal_network_and_storage(sim, modem):
    sim.inject_sms("+447700900123", "one")
    status = modem.status()
    assert status.connected and status.ready and status.sim == "ready"
    assert (status.manufacturer, status.model, status.imei) == ("KIOSK", "KIOSK-SIM800", sim.imei)
    assert status.firmware == "KSIM800 R1.0"
    assert (status.signal_bars, status.signal_dbm) == (4, -73)
    assert (status.registration, status.operator) == ("home", "KIOSK NET")
    assert (status.storage_used, status.storage_total, status.storage_full) == (1, 30, False)
    assert status.last_exchange == sim.clock.now() and status.last_error is None


@pytest.mark.parametrize("rssi,bars,dbm", [(0, 0, -113), (5, 1, -103), (12, 2, -89), (17, 3, -79),
                                           (22, 4, -69), (31, 5, -51), (99, 0, None), (40, 0, None)])
def test_signal_bars_and_dbm(rssi, bars, dbm):
    assert signal_from_csq(rssi) == (bars, dbm)


def test_no_signal_and_not_registered_show_in_status(sim, modem, events, wait):
    sim.set_network(registration=0, rssi=99)
    wait(lambda: events.of(RegistrationChanged))
    status = modem.status()
    assert (status.signal_bars, status.signal_dbm) == (0, None)
    assert status.registration == "not registered" and status.operator == ""


def test_no_sim_is_reported_not_fatal(sim_factory, modem_factory):
    sim = sim_factory()
    sim.set_sim("ABSENT")
    modem = modem_factory(sim.port)
    status = modem.status()
    assert status.connected and not status.ready and status.sim == "absent"
    assert "SIM" in status.last_error


def test_sim_pin_is_entered_from_settings(sim_factory, modem_factory):
    sim = sim_factory(pin="1234")
    sim.set_sim("PIN")
    without = modem_factory(sim.port, pin="")
    assert not without.ready and without.status().sim == "PIN required"
    without.close()
    assert modem_factory(sim.port, pin="1234").ready


def test_wrong_pin_is_never_retried(sim_factory, modem_factory, clock):
    """Three wrong PINs lock the SIM: after one rejection the driver stops trying."""
    sim = sim_factory(pin="1234")
    sim.set_sim("PIN")
    modem = modem_factory(sim.port, pin="9999")
    assert modem.status().sim == "PIN rejected" and not modem.ready
    clock.advance(120)
    modem.ensure_open()
    modem.ensure_open()
    assert sum(1 for c in sim.commands if c.startswith("AT+CPIN=")) == 1


def test_network_time_from_nitz_moves_with_the_monotonic_clock(sim, modem, events, clock, wait):
    told = datetime(2026, 11, 24, 14, 0, 5, tzinfo=UTC)
    sim.inject_network_time(told)
    assert wait(lambda: events.of(NetworkTimeReceived))[0].network_time == told
    clock.advance(30)
    assert modem.network_time() == datetime(2026, 11, 24, 14, 0, 35, tzinfo=UTC)


def test_network_time_falls_back_to_cclk(sim, modem):
    assert modem.network_time() == sim.clock.now()


def test_network_time_ignores_an_unset_modem_clock(sim_factory, modem_factory):
    from kiosk.clock import FakeClock
    sim = sim_factory(clock=FakeClock("2004-01-01T00:00:00+00:00"))
    assert modem_factory(sim.port).network_time() is None


def test_reboot_is_noticed_and_the_modem_re_initialised(sim, modem, events, wait):
    sim.reboot()
    wait(lambda: events.of(ModemRebooted), what="ModemRebooted")
    wait(lambda: sim.settings.cnmi[1] == 1 and not sim.settings.echo, what="re-initialised")
    sim.inject_sms("+447700900123", "after reboot")
    wait(lambda: events.of(MessageStored), what="+CMTI after reboot")
    assert [m.pdu.text for m in modem.stored_messages()] == ["after reboot"]


def test_missing_port_backs_off_then_connects_when_the_modem_appears(sim_factory, modem_factory, events,
                                                                    clock, tmp_path, wait):
    from kiosk.devices.events import ModemBack, ModemGone

    link = tmp_path / "later-modem"
    modem = modem_factory(str(link), events=events, open=False)
    assert not modem.ensure_open()
    assert "cannot open" in modem.status().last_error and not modem.status().connected
    assert len(wait(lambda: events.of(ModemGone))) == 1
    assert not modem.ensure_open()  # backoff: no new attempt before 1 s on the clock
    clock.advance(1)
    assert not modem.ensure_open()  # tried and failed again: now waits 2 s
    clock.advance(1.5)
    sim = sim_factory(link_path=link)
    assert not modem.ensure_open()
    clock.advance(0.5)
    assert modem.ensure_open()
    back = wait(lambda: events.of(ModemBack))[0]
    assert back.gap.total_seconds() == 3 and back.port == str(link) == sim.port
    assert len(events.of(ModemGone)) == 1


def test_settings_from_the_modem_config_section():
    from kiosk.config import ModemConfig
    from kiosk.devices.modem import settings_from_config

    settings = settings_from_config(ModemConfig(), command_timeout=2.0)
    assert (settings.port, settings.mode, settings.rtscts, settings.command_timeout) == \
        ("/dev/kiosk-modem", "pdu", False, 2.0)
