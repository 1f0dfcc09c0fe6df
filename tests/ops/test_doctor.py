"""`kiosk doctor` against the in-process simulator: "tested against the simulator (healthy, no SIM,
no signal, port busy, wrong clock, stale heartbeat, broken config) with the right message for each"
(issue 6)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest

from kiosk.clock import FakeClock
from kiosk.simulator.modem import ModemSimulator
from kiosk.ops import doctor
from kiosk.store import open_database
from kiosk.store.models import GatewayHealth
from tests.conftest import run_kiosk

SYSTEMCTL = {("is-active", "ModemManager.service"): "inactive",
             ("is-enabled", "kiosk-gateway.service"): "enabled", ("is-active", "kiosk-gateway.service"): "active",
             ("is-enabled", "kiosk-ui.service"): "enabled", ("is-active", "kiosk-ui.service"): "active"}


def fake_run(answers):
    def run(argv):
        if argv[0] == "systemctl":
            return 0, answers.get(tuple(argv[1:]), "unknown")
        if argv[-1] == "-l":
            return 0, "**** List of PLAYBACK Hardware Devices ****\ncard 0: Headphones [bcm2835 Headphones]"
        return 127, "not found"
    return run


def healthy_host(answers=None):
    return doctor.Host(run=fake_run({**SYSTEMCTL, **(answers or {})}), which=lambda name: f"/usr/bin/{name}", systemd=True)


@pytest.fixture
def sim(tmp_path, clock):
    s = ModemSimulator(link_path=tmp_path / "modem", ring_interval=0.3, clock=clock)
    s.start()
    yield s
    s.stop()


@pytest.fixture
def kiosk(tmp_path, clock, sim):
    """A config naming the simulator's port, a database with a fresh gateway heartbeat."""
    config = tmp_path / "kiosk.toml"
    db_path = tmp_path / "kiosk.db"
    config.write_text(f'[modem]\nport = "{sim.port}"\n[database]\npath = "{db_path}"\n')
    db = open_database(db_path)
    GatewayHealth.insert(id=1, heartbeat_at=clock.now(), pid=999_999, started_at=clock.now(), modem_connected=True,
                         registration="home", sim_state="ready", signal_bars=4,
                         selftest_sent_at=clock.now() - timedelta(hours=2),
                         selftest_received_at=clock.now() - timedelta(hours=2) + timedelta(seconds=20),
                         selftest_due_by=clock.now() - timedelta(hours=1, minutes=50)).execute()
    db.close()
    return config, db_path


def run(kiosk, clock, host=None, env=None, **kw):
    config, db_path = kiosk
    return doctor.run_checks(clock=clock, config_path=str(config), host=host or healthy_host(), env=env or {}, **kw)


def by_name(checks):
    return {c.name: c for c in checks}


def failing(checks):
    return {c.name: c for c in checks if c.status in (doctor.WARN, doctor.FAIL)}


def test_healthy_kiosk_is_all_ok(kiosk, clock):
    checks = run(kiosk, clock)
    assert failing(checks) == {}, [c.line() for c in checks]
    assert doctor.exit_code(checks) == 0 and doctor.verdict(checks) == "all good"
    names = [c.name for c in checks]
    for expected in ("config", "database integrity", "database schema", "database writable", "modem port",
                     "modem free", "modem answers", "SIM", "network", "signal", "clock", "gateway",
                     "kiosk-gateway.service", "kiosk-ui.service", "alarm sound"):
        assert expected in names
    assert by_name(checks)["modem answers"].detail.startswith("AT ok")


def test_no_sim(kiosk, clock, sim):
    sim.set_sim("ABSENT")
    checks = run(kiosk, clock)
    sim_check = by_name(checks)["SIM"]
    assert sim_check.status == doctor.FAIL and sim_check.detail == "no SIM card" and "insert the SIM" in sim_check.fix
    assert doctor.exit_code(checks) == 2


def test_sim_asks_for_a_pin(tmp_path, clock):
    sim = ModemSimulator(link_path=tmp_path / "pin-modem", clock=clock, pin="1234")
    sim.start()
    try:
        sim.set_sim("PIN")
        checks = doctor.run_checks(clock=clock, config_path=None, db_path=tmp_path / "none.db", port=sim.port,
                                   host=healthy_host(), env={"KIOSK_CONFIG": "/dev/null"})
    finally:
        sim.stop()
    check = by_name(checks)["SIM"]
    assert check.status == doctor.FAIL and check.detail == "SIM PIN required" and "modem.pin" in check.fix


def test_no_signal_and_not_registered(kiosk, clock, sim):
    sim.set_network(registration=2, rssi=99)
    checks = failing(run(kiosk, clock))
    assert checks["signal"].detail == "no signal" and "antenna" in checks["signal"].fix
    assert checks["network"].detail == "not registered (searching)"


def test_port_busy_with_another_process(kiosk, clock, sim):
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import os, sys
        fd = os.open({sim.port!r}, os.O_RDWR | os.O_NOCTTY)
        print("holding", flush=True)
        sys.stdin.read()
        """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        checks = run(kiosk, clock)
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    busy = by_name(checks)["modem free"]
    assert busy.status == doctor.FAIL and f"pid {holder.pid}" in busy.detail and "ModemManager" in busy.fix
    assert "modem answers" not in by_name(checks)  # never talks to a port someone else holds
    assert not any(c.startswith("AT+C") for c in sim.commands)


def test_port_held_by_our_own_gateway_is_fine(kiosk, clock, sim):
    holder = subprocess.Popen([sys.executable, "-c", f"import os,sys; os.open({sim.port!r}, os.O_RDWR|os.O_NOCTTY); "
                               "print('holding', flush=True); sys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        holder.stdout.readline()
        con = sqlite3.connect(kiosk[1])  # the health row names the holder as the gateway
        con.execute("UPDATE gateway_health SET pid = ?", (holder.pid,))
        con.commit()
        con.close()
        checks = run(kiosk, clock)
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)
    assert by_name(checks)["modem free"].status == doctor.OK
    assert by_name(checks)["SIM"].detail == "ready" and by_name(checks)["signal"].detail == "4/5"


def test_modem_port_missing(kiosk, clock, tmp_path):
    checks = run(kiosk, clock, port=str(tmp_path / "ttyUSB9"))
    check = by_name(checks)["modem port"]
    assert check.status == doctor.FAIL and "does not exist" in check.detail and "udev" in check.fix


def test_wrong_clock(kiosk, sim):
    ahead = FakeClock("2026-11-24T14:12:00+00:00")  # the simulator's network says 14:00
    checks = failing(run(kiosk, ahead))
    assert checks["clock"].status == doctor.WARN
    assert checks["clock"].detail == "system clock is 12 min ahead of network time" and "set-ntp" in checks["clock"].fix
    assert doctor.verdict([c for c in checks.values() if c.name == "clock"]).startswith("warnings: 1 warning")


def test_clock_within_five_minutes_is_ok(kiosk, sim):
    near = FakeClock("2026-11-24T14:04:00+00:00")
    assert by_name(run(kiosk, near))["clock"].status == doctor.OK


def test_stale_heartbeat(kiosk, clock):
    clock.advance(minutes=10)
    checks = run(kiosk, clock)
    gateway = by_name(checks)["gateway"]
    assert gateway.status == doctor.FAIL and gateway.detail == "no heartbeat for 10 min (stale after 90 s)"
    assert "systemctl restart kiosk-gateway" in gateway.fix
    assert doctor.exit_code(checks) == 2


def set_health(kiosk, **fields):
    db = open_database(kiosk[1])
    GatewayHealth.update(**fields).where(GatewayHealth.id == 1).execute()
    db.close()


def test_a_self_test_that_never_came_back_fails_with_the_reason(kiosk, clock):
    sent = clock.now() - timedelta(minutes=30)
    set_health(kiosk, selftest_sent_at=sent, selftest_due_by=sent + timedelta(minutes=10))
    checks = by_name(run(kiosk, clock))
    reason = "self-test text not received since 13:30: check the SIM's credit and signal"
    assert checks["SMS self-test"].status == doctor.FAIL and checks["SMS self-test"].detail == reason
    assert checks["SMS link"].status == doctor.FAIL and checks["SMS link"].detail == reason
    assert "credit" in checks["SMS self-test"].fix


def test_watchdog_old_network_low_credit_and_quota_are_warnings(kiosk, clock, tmp_path):
    set_health(kiosk, watchdog_count=2, watchdog_step="radio off and on", watchdog_at=clock.now(),
               watchdog_reason="no answer to AT", access_technology="UMTS", credit="£1.20", credit_amount=1.2,
               sent_this_month=85)
    config = tmp_path / "kiosk.toml"
    config.write_text(config.read_text().replace("[modem]\n", "[modem]\nmonthly_sms_limit = 100\n"))
    checks = failing(run(kiosk, clock))
    assert "radio off and on at 14:00 (no answer to AT)" in checks["modem watchdog"].detail
    assert checks["network generation"].detail.startswith("modem on 3G (UMTS)")
    assert checks["SIM credit"].detail.startswith("SIM credit low: £1.20")
    assert checks["texts this month"].detail.startswith("85 of 100 texts")
    assert all(c.status == doctor.WARN for c in checks.values())


def test_self_test_switched_off_or_without_a_number_is_a_warning(kiosk, clock):
    set_health(kiosk, selftest_note="no own number: set [modem] own_number")
    check = by_name(run(kiosk, clock))["SMS self-test"]
    assert check.status == doctor.WARN and "own_number" in check.fix


def test_broken_config_names_the_key(kiosk, clock, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[ladder]\nreply_window_minutes = 'soon'\n")
    checks = doctor.run_checks(clock=clock, config_path=str(bad), db_path=kiosk[1], host=healthy_host(), env={},
                               port=str(tmp_path / "none"))
    config = checks[0]
    assert config.status == doctor.FAIL and "ladder.reply_window_minutes" in config.detail
    assert str(bad) in config.fix and "ladder.reply_window_minutes" in config.fix


def test_services_and_modem_manager(kiosk, clock):
    host = healthy_host({("is-active", "ModemManager.service"): "active",
                           ("is-enabled", "kiosk-ui.service"): "disabled", ("is-active", "kiosk-ui.service"): "inactive"})
    checks = failing(run(kiosk, clock, host=host))
    assert checks["ModemManager"].status == doctor.WARN and "ID_MM_DEVICE_IGNORE" in checks["ModemManager"].fix
    assert checks["kiosk-ui.service"].detail == "disabled, inactive"
    no_systemd = doctor.Host(run=fake_run(SYSTEMCTL), which=lambda n: f"/usr/bin/{n}", systemd=False)
    skipped = by_name(run(kiosk, clock, host=no_systemd))
    assert skipped["services"].status == doctor.SKIP and skipped["services"].detail.startswith("not checked")


def test_database_problems(tmp_path, clock):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    (check,) = doctor.check_database(junk)
    assert check.status == doctor.FAIL and "kiosk restore" in check.fix
    (missing,) = doctor.check_database(tmp_path / "nowhere.db")
    assert missing.status == doctor.FAIL and "no database" in missing.detail


def test_cli_doctor_exit_status_and_one_line_per_check(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[school]\ntimezone = 'Mars/Olympus'\n")
    got = run_kiosk("doctor", "--config", str(bad), "--db", str(tmp_path / "k.db"), "--port", str(tmp_path / "none"))
    assert got.returncode == 2
    lines = got.stdout.splitlines()
    assert lines[0].startswith("FAIL  config: ") and "school.timezone" in lines[0]
    assert all(line.split()[0] in ("OK", "WARN", "FAIL", "SKIP") for line in lines[:-1])
    assert lines[-1].startswith("failures: ")


def test_database_with_an_odd_file_name_is_checked(tmp_path):
    odd = tmp_path / "odd ?name#1.db"
    open_database(odd).close()
    checks = doctor.check_database(odd)
    assert [c.status for c in checks] == [doctor.OK] * 3, [c.line() for c in checks]
