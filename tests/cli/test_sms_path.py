"""`kiosk selftest` and `kiosk status --json`: the contract of issue 17 from the command line."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.cli import main
from kiosk.store import open_database
from kiosk.store.models import GatewayHealth, SelfTest
from tests.conftest import run_kiosk

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc)
KEYS = {"link", "reason", "self_test", "signal_bars", "registration", "access_technology", "sent_this_month",
        "credit"}


@pytest.fixture
def kiosk(db_path, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_CONFIG", "/dev/null")
    monkeypatch.setenv("KIOSK_NOW", NOW.isoformat())
    assert main(["--db", str(db_path), "init"]) == 0  # only kiosk init (or staff add) makes a database
    capsys.readouterr()

    def run(*args: str):
        code = main(["--db", str(db_path), *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def health(db_path, **fields):
    db = open_database(db_path)
    base = dict(id=1, heartbeat_at=NOW - timedelta(seconds=10), started_at=NOW - timedelta(hours=9),
                modem_connected=True, registration="home", signal_bars=4, access_technology="LTE",
                sent_this_month=31)
    GatewayHealth.insert(**{**base, **fields}).execute()
    db.close()


def test_selftest_asks_the_gateway_and_returns_at_once(kiosk, db_path):
    code, out, err = kiosk("selftest")
    assert code == 0 and out.startswith("asked the gateway for self-test 1")
    db = open_database(db_path)
    (test,) = SelfTest.select()
    assert (test.requested_by, test.message_id, test.received_at) == ("cli", None, None)
    db.close()


def test_selftest_switched_off_is_refused_and_writes_nothing(kiosk, db_path, tmp_path, monkeypatch):
    config = tmp_path / "off.toml"
    config.write_text("[selftest]\nenabled = false\n")
    code, out, err = kiosk("--config", str(config), "selftest")
    assert code == 1 and "switched off" in err and out == ""
    db = open_database(db_path)
    assert SelfTest.select().count() == 0
    db.close()


def test_status_json_has_exactly_the_contract_keys(kiosk, db_path):
    sent = NOW - timedelta(hours=7)
    health(db_path, selftest_sent_at=sent, selftest_received_at=sent + timedelta(seconds=25),
           selftest_due_by=sent + timedelta(minutes=10), credit="£4.20", credit_amount=4.2)
    code, out, err = kiosk("status", "--json")
    data = json.loads(out)
    assert code == 0 and set(data) == KEYS
    assert data == {"link": "up", "reason": None,
                    "self_test": {"sent_at": "2026-11-24T07:00:00+00:00", "received_at": "2026-11-24T07:00:25+00:00",
                                  "ok": True},
                    "signal_bars": 4, "registration": "home", "access_technology": "LTE", "sent_this_month": 31,
                    "credit": "£4.20"}


def test_status_json_down_when_the_self_test_did_not_come_back(kiosk, db_path):
    sent = NOW - timedelta(minutes=30)
    health(db_path, selftest_sent_at=sent, selftest_due_by=sent + timedelta(minutes=10),
           selftest_received_at=sent - timedelta(days=1))
    code, out, _ = kiosk("status", "--json")
    data = json.loads(out)
    assert code == 1 and data["link"] == "down"
    assert data["reason"] == "self-test text not received since 13:30: check the SIM's credit and signal"
    assert data["self_test"] == {"sent_at": "2026-11-24T13:30:00+00:00", "received_at": None, "ok": False}


def test_status_without_a_gateway_says_so(kiosk):
    code, out, _ = kiosk("status", "--json")
    data = json.loads(out)
    assert code == 1 and set(data) == KEYS and data["link"] == "down"
    assert data["reason"] == "the gateway has not started" and data["self_test"]["ok"] is None
    code, out, _ = kiosk("status")
    assert code == 1 and out.startswith("SMS link down: the gateway has not started")


def test_the_real_command_from_a_fresh_database(tmp_path):
    db = str(tmp_path / "fresh.db")
    assert run_kiosk("--db", db, "init").returncode == 0
    asked = run_kiosk("--db", db, "selftest")
    status = run_kiosk("--db", db, "status", "--json")
    assert asked.returncode == 0 and "asked the gateway" in asked.stdout
    assert status.returncode == 1 and set(json.loads(status.stdout)) == KEYS
