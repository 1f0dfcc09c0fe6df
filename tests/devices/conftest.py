"""Fixtures for the modem tests: a simulator on a real pty, a driver with short timeouts, and polling.

Nothing here sleeps to wait for behaviour: `wait_for` (tests/polling.py) polls a condition.
"""

from __future__ import annotations


import pytest

from kiosk.devices.modem import Modem, ModemSettings
from kiosk.simulator.modem import ModemSimulator
from tests.polling import wait_for

FAST = dict(command_timeout=3.0, probe_timeout=1.0, list_timeout=3.0, send_timeout=3.0,
            prompt_timeout=3.0, reconnect_min=1.0, reconnect_max=8.0)  # generous under CI load; tests of timeouts set their own


@pytest.fixture
def sim_factory(clock, tmp_path):
    sims: list[ModemSimulator] = []

    def make(**kwargs) -> ModemSimulator:
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("link_path", tmp_path / f"kiosk-modem-{len(sims)}")
        kwargs.setdefault("ring_interval", 0.05)
        sim = ModemSimulator(**kwargs)
        sim.start()
        sims.append(sim)
        return sim

    yield make
    for sim in sims:
        sim.stop()


@pytest.fixture
def sim(sim_factory) -> ModemSimulator:
    return sim_factory()


class EventLog(list):
    """on_event sink that tests can query."""

    def of(self, kind: type) -> list:
        return [e for e in list(self) if isinstance(e, kind)]


@pytest.fixture
def modem_factory(clock):
    modems: list[Modem] = []

    def make(port: str, *, events: EventLog | None = None, on_event=None, open: bool = True,
             **settings) -> Modem:
        merged = {**FAST, **settings}
        sink = on_event if on_event is not None else (events.append if events is not None else None)
        modem = Modem(settings=ModemSettings(port=port, **merged), clock=clock, on_event=sink)
        modems.append(modem)
        if open:
            modem.open()
        return modem

    yield make
    for modem in modems:
        modem.close()


@pytest.fixture
def events() -> EventLog:
    return EventLog()


@pytest.fixture
def modem(sim, modem_factory, events) -> Modem:
    return modem_factory(sim.port, events=events)


@pytest.fixture
def wait():
    """`wait(predicate, timeout=10, what=...)`: poll, never sleep blindly."""
    return wait_for
