"""The self-test contract from outside (issue 17): the real `kiosk gateway` process on a pty to a
modem that hands the text back, then swallows it; driven only by `kiosk selftest` and
`kiosk status --json`, as an outside run (or a monitoring script) would."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.clock import SystemClock
from kiosk.simulator.modem import ModemSimulator
from tests.conftest import run_kiosk
from tests.gateway.harness import GatewayProcess, seed, texts, wait_for, write_config

KEYS = {"link", "reason", "self_test", "signal_bars", "registration", "access_technology", "sent_this_month",
        "credit"}


@pytest.fixture
def live_sim(tmp_path):
    sim = ModemSimulator(link_path=tmp_path / "modem", clock=SystemClock())
    sim.start()
    yield sim
    sim.stop()


def test_selftest_and_status_json_from_outside(tmp_path, database, live_sim):
    seed(database, SystemClock().now(), visits=False)
    cfg = write_config(tmp_path / "kiosk.toml", selftest={"enabled": True, "timeout_minutes": 1},
                       gateway={"heartbeat_stale_seconds": 3600})
    env = {"KIOSK_CONFIG": str(cfg)}
    gateway = GatewayProcess(database, live_sim.port, config_path=cfg).start()
    try:
        def status(at: datetime | None = None) -> tuple[int, dict]:
            extra = {"KIOSK_NOW": at.isoformat()} if at else {}
            done = run_kiosk("--db", str(database), "status", "--json", env={**env, **extra})
            data = json.loads(done.stdout)
            assert set(data) == KEYS
            return done.returncode, data

        own = live_sim.own_number  # the gateway learns it from the SIM (AT+CNUM): no own_number set
        wait_for(lambda: status()[1]["self_test"]["ok"] is True, timeout=30, interval=0.5,
                 what="the start-up self-test back")
        code, data = status()
        assert code == 0 and data["link"] == "up" and data["access_technology"] == "LTE"
        first = data["self_test"]["received_at"]

        asked = run_kiosk("--db", str(database), "selftest", env=env)
        assert asked.returncode == 0 and "asked the gateway" in asked.stdout
        wait_for(lambda: len(texts(live_sim.sent, own)) == 2, timeout=30, what="the asked-for self-test sent")
        wait_for(lambda: status()[1]["self_test"]["received_at"] != first, timeout=30, interval=0.5,
                 what="the asked-for self-test back")
        assert status()[1]["self_test"]["ok"] is True

        live_sim.swallow_sends = True  # credit ran out: the modem says OK, nothing arrives
        assert run_kiosk("--db", str(database), "selftest", env=env).returncode == 0
        wait_for(lambda: len(texts(live_sim.sent, own)) == 3, timeout=30, what="the swallowed self-test sent")
        wait_for(lambda: status()[1]["self_test"]["ok"] is None, timeout=30, interval=0.5, what="waiting")
        code, data = status(datetime.now(timezone.utc) + timedelta(minutes=2))  # after the 1-minute timeout
        assert code == 1 and data["link"] == "down" and data["self_test"]["ok"] is False
        assert data["reason"].startswith("self-test text not received since ")
        assert data["reason"].endswith(": check the SIM's credit and signal")
    finally:
        gateway.kill()
