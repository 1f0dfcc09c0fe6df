"""Fixtures for gateway tests: a simulator on a real pty, and a gateway built in-process on a FakeClock."""

from __future__ import annotations

import pytest

from kiosk.clock import FakeClock
from kiosk.simulator.modem import ModemSimulator
from kiosk.gateway.runner import build_gateway
from kiosk.gateway.service import GatewaySettings
from tests.gateway.harness import seed, make_config, texts, wait_for


@pytest.fixture
def simulator(tmp_path, clock):
    """The simulated modem; its network time and timestamps follow the test's clock."""
    sim = ModemSimulator(link_path=tmp_path / "modem", ring_interval=0.3, clock=clock)
    sim.start()
    yield sim
    sim.stop()


class InProcess:
    """A Gateway over the real driver and simulator, stepped by hand on a FakeClock."""

    def __init__(self, database, simulator, clock: FakeClock, config=None, seed_visits=True,
                 base_clock: FakeClock | None = None, before_start=None):
        self.config = config or make_config()
        self.db_path = database  # an SQLite path or a PostgreSQL URL (tests/conftest.py)
        self.ids = seed(self.db_path, clock.now(), config=self.config, visits=seed_visits)
        self.clock = base_clock or clock
        self.sim = simulator
        if before_start is not None:
            before_start()
        self.gateway, self.db = build_gateway(
            self.config, self.db_path, simulator.port, base_clock=self.clock, env={}, synchronised=lambda: None,
            settings=GatewaySettings.from_config(self.config))
        self.gateway.start()
        self.gateway.first_pass()

    @property
    def ctx(self):
        return self.gateway.ctx

    def step(self, seconds: float = 0.0) -> None:
        if seconds:
            self.clock.advance(seconds)
        self.gateway.loop.step()

    def until(self, predicate, timeout: float = 10.0, what: str = "condition", advance: float = 0.0):
        """Step the loop (moving the clock `advance` seconds each time) until predicate() is true."""
        def poll():
            self.step(advance)
            return predicate()
        return wait_for(poll, timeout, what=what)

    def sent_to(self, number: str) -> list[str]:
        return texts(self.sim.sent, number)

    def close(self):
        self.gateway.close()
        self.db.close()


@pytest.fixture
def start_gateway(database, simulator, clock):
    made = []

    def make(**kw) -> InProcess:
        g = InProcess(database, simulator, clock, **kw)
        made.append(g)
        return g

    yield make
    for g in made:
        g.close()
