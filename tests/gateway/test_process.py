"""The real `kiosk gateway` process on a real pty against the simulated modem.

These start `python -m kiosk gateway` as systemd would, inject SMS into the simulator and read the
database and what the simulator recorded as sent. The ladder over minutes is covered in-process on a
FakeClock (test_service.py); here: the command path, SIGTERM, an unplugged modem, and SIGKILL.
"""

from __future__ import annotations

import random
import signal
import time
from datetime import timedelta

import pytest

from kiosk.clock import SystemClock
from kiosk.simulator.modem import ModemSimulator
from kiosk.domain.link import link_state
from kiosk.services import board, outbox, sms_in
from kiosk.services.context import Context
from kiosk.store import open_database
from kiosk.store.models import Alarm, Event, GatewayHealth, Message, Visit
from tests.gateway.harness import GatewayProcess, seed, make_config, texts, wait_for, write_config

ANN, BEN, CAT = "+447700900001", "+447700900002", "+447700900003"
HEAD, LEAD = "+447700900100", "+447700900101"


@pytest.fixture
def live_sim(tmp_path):
    sim = ModemSimulator(link_path=tmp_path / "modem", clock=SystemClock())
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def gateway_proc(tmp_path, database, live_sim):
    procs = []

    def make(**kw) -> GatewayProcess:
        cfg = write_config(tmp_path / "kiosk.toml")
        g = GatewayProcess(database, live_sim.port, config_path=cfg, **kw)
        procs.append(g)
        return g

    yield make
    for g in procs:
        g.kill()


def db_read(path, fn):
    db = open_database(path)
    try:
        return fn()
    finally:
        db.close()


def test_commands_end_to_end_and_clean_sigterm(tmp_path, database, live_sim, gateway_proc):
    """Check-in, extend, duress (covert reply), SOS with alerts to every receiver, BACK; SIGTERM
    exits 0 and the board then says the gateway was stopped."""
    ids = seed(database, SystemClock().now())
    g = gateway_proc().start()
    sent = lambda n: texts(live_sim.sent, n)  # noqa: E731

    live_sim.inject_sms(ANN, "OK")
    wait_for(lambda: sent(ANN), what="check-in reply")
    assert sent(ANN)[0].startswith("Check-in noted")
    live_sim.inject_sms(ANN, "EXTEND 20")
    wait_for(lambda: len(sent(ANN)) == 2, what="extend reply")
    assert "20" in sent(ANN)[1] or "Due back" in sent(ANN)[1]

    live_sim.inject_sms(BEN, "OK running late marigold")
    wait_for(lambda: sent(BEN), what="covert reply")
    assert "alarm" not in sent(BEN)[0].lower()
    wait_for(lambda: sent(HEAD) and sent(LEAD), what="duress alerts")

    live_sim.inject_sms(CAT, "SOS")
    wait_for(lambda: sent(CAT), what="SOS confirmation")
    assert "Alarm raised" in sent(CAT)[0]
    wait_for(lambda: len(sent(HEAD)) == 2 and len(sent(LEAD)) == 2, what="SOS alerts")

    live_sim.inject_sms(ANN, "BACK")
    wait_for(lambda: len(sent(ANN)) == 3, what="back reply")

    def facts():
        visits = {v.id: v for v in Visit.select()}
        kinds = sorted(a.kind for a in Alarm.select())
        words = Message.select().where(Message.text.contains("marigold")).count()
        return visits, kinds, words

    visits, kinds, words = db_read(database, facts)
    assert visits[ids["visit:Ann Lee"]].ended_at is not None
    assert visits[ids["visit:Ben Ode"]].ended_at is None, "nothing applied under duress"
    assert kinds == ["duress", "sos"] and words == 0

    assert g.terminate() == 0
    row = db_read(database, lambda: GatewayHealth.get_by_id(1))
    state = link_state(row, SystemClock().now(), 90)
    assert not state.up and "stopped" in state.reason
    assert "ready" in g.lines
    assert "+4477009" not in g.log() and "marigold" not in g.log(), "no numbers or code words in logs"


def test_unplugged_modem_reconnects_drains_and_sends_what_queued(tmp_path, database, live_sim, gateway_proc):
    seed(database, SystemClock().now())
    gateway_proc().start()
    live_sim.unplug()

    def health():
        return db_read(database, lambda: GatewayHealth.get_by_id(1))

    wait_for(lambda: not health().modem_connected, what="outage on the health row")
    assert link_state(health(), SystemClock().now(), 90).banner.startswith("SMS link down: modem disconnected")

    def queue_alert():
        ctx = Context(make_config(), SystemClock())
        outbox.queue(ctx, HEAD, "Test alert queued during the outage", "alert")

    db_read(database, queue_alert)
    live_sim.inject_sms(ANN, "OK")  # waits on the SIM while the modem is unplugged
    time.sleep(0.3)
    assert live_sim.sent == []
    live_sim.plug()  # back under a new /dev/pts name; the stable link follows it
    wait_for(lambda: texts(live_sim.sent, HEAD) and texts(live_sim.sent, ANN), timeout=20,
             what="queued alert and the drained message's reply")
    assert texts(live_sim.sent, HEAD) == ["Test alert queued during the outage"]
    assert health().modem_connected and health().modem_gone_at is not None
    kinds = db_read(database, lambda: [e.kind for e in Event.select().order_by(Event.id)])
    assert "modem-gone" in kinds and "modem-back" in kinds


STAFF_12 = [(f"Staff {i:02d}", f"+4477009002{i:02d}", w, False) for i, w in enumerate(
    ["bluebird", "marigold", "lanterns", "pinecone", "seashell", "dolphin", "thistle", "woodland",
     "snowdrop", "bramble", "meadow", "harvest"])] + [("Head Teacher", "+447700900100", None, True)]


def crash_texts():
    """200 SMS from 12 staff: numbered notes, then BACK from half of them last."""
    out = []
    for n in range(1, 17):
        for _name, number, _, _ in STAFF_12[:12]:
            out.append((number, f"OK {n}"))
    for _name, number, _, _ in STAFF_12[:8]:
        out.append((number, "BACK"))
    return out[:200]


def board_shape(ctx):
    return sorted((r.id, tuple(r.staff), r.state, r.level, tuple(r.alarms), r.approved) for r in board(ctx))


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_and_duplicates_nothing(tmp_path, database, live_sim, gateway_proc, new_database):
    """St Nicholas: the office must know who is out. 200 SMS from 12 staff while the gateway is
    killed (SIGKILL) at random moments and restarted: every SMS stored once, every reply sent,
    duplicates at most one per kill, and the board equals an uninterrupted run of the same texts."""
    rng = random.Random(20261124)
    now = SystemClock().now()
    db = database
    three_hours = lambda i: timedelta(hours=3)  # noqa: E731
    seed(db, now, staff=STAFF_12, due=three_hours)
    twin = new_database(tmp_path / "twin")  # the uninterrupted run: the same texts through the same service path
    seed(twin, now, staff=STAFF_12, due=three_hours)
    messages = crash_texts()
    assert len(messages) == 200 and len({n for n, _ in messages}) >= 10

    def uninterrupted():
        ctx = Context(make_config(), SystemClock())
        for number, text in messages:
            sms_in(ctx, number, text)
        return board_shape(ctx)

    expected_board = db_read(twin, uninterrupted)

    g = gateway_proc()
    g.start()
    kills = 0
    kill_after = set(rng.sample(range(10, 200), 6))
    for i, (number, text) in enumerate(messages):
        live_sim.inject_sms(number, text)
        if i in kill_after:
            time.sleep(rng.uniform(0.0, 0.5))
            g.kill()
            kills += 1
            g.start()
        elif rng.random() < 0.1:
            time.sleep(0.02)

    def counts():
        rows = list(Message.select().where(Message.direction == "in"))
        out = list(Message.select().where(Message.direction == "out"))
        return rows, out

    def settled():
        rows, out = db_read(db, counts)
        return len(rows) == 200 and all(m.state in ("processed", "ignored") for m in rows) \
            and all(m.state in ("sent", "delivered") for m in out) and len(out) >= 200
    wait_for(settled, timeout=60, interval=0.2, what="all 200 stored, processed and answered")
    rows, out = db_read(db, counts)
    assert sorted((m.number, m.text) for m in rows) == sorted(messages), "every SMS exactly once"
    assert len(out) == 200, "one reply per SMS, none missing"
    duplicates = len(live_sim.sent) - len(out)
    assert 0 <= duplicates <= kills
    assert db_read(db, lambda: board_shape(Context(make_config(), SystemClock()))) == expected_board
    assert g.terminate() == 0


def test_systemd_notify_ready_watchdog_and_stopping(tmp_path, database, live_sim, gateway_proc):
    """Type=notify: READY=1 once receiving, WATCHDOG=1 within the interval, STOPPING=1 on SIGTERM."""
    import socket

    seed(database, SystemClock().now(), visits=False)
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(10)
    try:
        g = gateway_proc(env={"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "2000000"})
        g.start()
        seen = []
        while not any(m.startswith("READY=1") for m in seen):
            seen.append(sock.recv(4096).decode())
        ready_at = len(seen)
        while not any(m.startswith("WATCHDOG=1") for m in seen[ready_at:]):
            seen.append(sock.recv(4096).decode())
        g.proc.send_signal(signal.SIGTERM)
        while not any("STOPPING=1" in m for m in seen):
            seen.append(sock.recv(4096).decode())
        assert g.proc.wait(10) == 0
    finally:
        sock.close()


def test_modem_missing_at_start_then_appearing(tmp_path, database):
    """The gateway starts before the modem is plugged in: it runs, says so on the board, and picks
    the modem up when it appears at its stable name."""
    seed(database, SystemClock().now())
    link = tmp_path / "modem"
    g = GatewayProcess(database, str(link), config_path=write_config(tmp_path / "k.toml"))
    try:
        g.start()
        row = db_read(database, lambda: GatewayHealth.get_by_id(1))
        assert not link_state(row, SystemClock().now(), 90).up
        sim = ModemSimulator(link_path=link, clock=SystemClock())
        sim.start()
        try:
            sim.inject_sms(ANN, "OK")
            wait_for(lambda: texts(sim.sent, ANN), timeout=20, what="reply once the modem appeared")
        finally:
            sim.stop()
        assert g.terminate() == 0
    finally:
        g.kill()


@pytest.mark.parametrize("args, message", [
    (["--port", ""], "--port"),
    (["--config", "/nonexistent/kiosk.toml"], "no such config file"),
])
def test_gateway_refuses_bad_options_with_one_line(tmp_path, args, message):
    from tests.conftest import run_kiosk

    result = run_kiosk("gateway", "--db", str(tmp_path / "k.db"), *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
