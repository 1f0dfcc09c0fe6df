"""An idle modem driver sleeps: its reader blocks until the modem sends something, and closing the
port wakes it at once (bench figure 3: the reader used to wake 20 times a second all night)."""

from __future__ import annotations

import time

from kiosk.devices import events as ev


def _reader_wakeups(modem, seconds: float) -> int:
    """Reads the reader thread made on the port in `seconds` with nothing arriving."""
    ser = modem._channel._serial
    calls = 0
    real = ser.read

    def counting(size=1):
        nonlocal calls
        calls += 1
        return real(size)

    ser.read = counting
    try:
        time.sleep(seconds)
    finally:
        ser.read = real
    return calls


def test_an_idle_reader_wakes_at_most_about_once_a_second(modem):
    assert _reader_wakeups(modem, 0.45) <= 1


def test_close_wakes_the_blocked_reader_at_once(sim, modem_factory):
    modem = modem_factory(sim.port)
    reader = modem._channel._reader
    t0 = time.monotonic()
    modem.close()
    assert time.monotonic() - t0 < 0.5
    assert reader is not None and not reader.is_alive()


def test_an_sms_still_arrives_promptly_while_the_reader_is_blocked(sim, modem_factory, events, wait):
    modem_factory(sim.port, events=events)
    time.sleep(0.2)  # let the reader settle into its blocking read
    t0 = time.monotonic()
    sim.inject_sms("+447700900001", "OK")
    wait(lambda: events.of(ev.MessageStored) or events.of(ev.MessageReceived), timeout=5, what="the SMS notice")
    assert time.monotonic() - t0 < 0.5
