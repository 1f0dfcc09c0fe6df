"""The database PartStore (multi-part SMS survive a restart) and the board's link state."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from kiosk.devices.concat import Reassembler
from kiosk.devices.pdu import decode_pdu, encode_deliver_parts
from kiosk.domain.link import link_state
from kiosk.gateway.health import HealthRecorder
from kiosk.gateway.parts import DatabasePartStore
from kiosk.store import open_database


SENDER = "+447700900123"
LONG = "Arrived at the visit, all calm. " * 4 + "Leaving at 15:30, back by 16:00 😀"


def parts_of(text, clock):
    return [decode_pdu(h) for h in encode_deliver_parts(SENDER, text, clock.now(), ref=42, ref_bits=8)]


def test_parts_survive_a_restart_and_reassemble_in_any_order(database, clock):
    db = open_database(database)
    p1, p2, p3 = parts_of(LONG, clock)
    r = Reassembler(DatabasePartStore(db))
    assert r.add(SENDER, p3, clock.now()) is None
    assert r.add(SENDER, p1, clock.now()) is None
    assert r.add(SENDER, p1, clock.now()) is None  # duplicate
    db.close()
    db = open_database(database)  # a restart: a new store over the same file
    r = Reassembler(DatabasePartStore(db))
    assert r.partial_text(r.key(SENDER, p1)) == p1.text + "…" + p3.text
    whole = r.add(SENDER, p2, clock.now())
    assert whole is not None and whole.text == LONG and not whole.incomplete
    assert DatabasePartStore(db).keys() == []


def test_incomplete_message_is_handed_back_after_the_timeout(database, clock):
    db = open_database(database)
    r = Reassembler(DatabasePartStore(db), timeout=timedelta(minutes=10))
    p1 = parts_of(LONG, clock)[0]
    r.add(SENDER, p1, clock.now())
    assert r.expire(clock.now() + timedelta(minutes=9)) == []
    (late,) = r.expire(clock.now() + timedelta(minutes=10))
    assert late.incomplete and late.text == p1.text + "……"


def row(**kw):
    base = dict(heartbeat_at=None, stopped_at=None, modem_connected=True, modem_gone_at=None,
                registration="home", signal_bars=3, queue_length=0, clock_warning=None, sound_warning=None)
    base.update(kw)
    return SimpleNamespace(**base)


def test_link_state_up_down_and_warnings(clock):
    now = clock.now()
    assert link_state(None, now).banner == "SMS link down: the gateway has not started"
    assert link_state(row(heartbeat_at=now - timedelta(seconds=30)), now, 90).up
    stale = link_state(row(heartbeat_at=now - timedelta(seconds=91)), now, 90)
    assert not stale.up and "no heartbeat" in stale.banner
    gone = link_state(row(heartbeat_at=now, modem_connected=False, modem_gone_at=now - timedelta(minutes=3)), now)
    assert gone.banner == "SMS link down: modem disconnected since 13:57 UTC"
    stopped = link_state(row(heartbeat_at=now, stopped_at=now), now)
    assert not stopped.up and "stopped" in stopped.reason
    searching = link_state(row(heartbeat_at=now, registration="searching"), now)
    assert not searching.up
    warned = link_state(row(heartbeat_at=now, clock_warning="clock: using network time", signal_bars=0), now)
    assert warned.up and warned.warnings == ("clock: using network time", "no mobile signal")


def test_health_recorder_writes_one_row(database, clock):
    db = open_database(database)
    h = HealthRecorder(clock)
    h.started(pid=123, port="/dev/pts/9")
    h.modem(connected=True, signal_bars=4, operator="Test")
    clock.advance(10)
    h.heartbeat(queue_length=2)
    h.error("send failed: network timeout")
    r = h.read()
    assert (r.pid, r.port, r.modem_connected, r.signal_bars, r.queue_length) == (123, "/dev/pts/9", True, 4, 2)
    assert r.heartbeat_at == clock.now() and "network timeout" in r.last_error
    assert link_state(r, clock.now()).up
    h.stopped()
    assert not link_state(h.read(), clock.now()).up
    assert db.execute_sql("SELECT COUNT(*) FROM gateway_health").fetchone() == (1,)


def test_a_part_listed_again_after_its_message_was_stored_is_a_duplicate(database, clock):
    """Crash after the whole message was committed but before the modem deleted its last part."""
    db = open_database(database)
    store = DatabasePartStore(db)
    p1, p2, p3 = parts_of(LONG, clock)
    r = Reassembler(store)
    r.add(SENDER, p1, clock.now())
    r.add(SENDER, p2, clock.now())
    assert r.add(SENDER, p3, clock.now()).text == LONG
    r = Reassembler(DatabasePartStore(db))  # restart: the in-memory memory of completed keys is gone
    assert r.add(SENDER, p3, clock.now()) is None
    assert r.pending() == [] and r.expire(clock.now() + timedelta(hours=1)) == []
    assert db.execute_sql(f"SELECT COUNT(*) FROM sms_part WHERE text LIKE {db.param}", ("%calm%",)).fetchone() == (0,)
    # a different message that reuses the reference later is not mistaken for the old one
    other = [decode_pdu(h) for h in encode_deliver_parts(SENDER, "Different words entirely 😀. " * 5,
                                                          clock.now(), ref=42, ref_bits=8)]
    assert len(other) == 3
    results = [r.add(SENDER, p, clock.now()) for p in other]
    assert results[-1] is not None and results[-1].text == "Different words entirely 😀. " * 5
    assert store.forget_done(clock.now() + timedelta(days=2)) == 3
