"""What only a PostgreSQL site meets: concurrent senders, the write lock across connections,
NOTIFY for the UI, a server in another time zone, text SQLite would take and PostgreSQL refuses.

Run with `--database postgresql://...` (the CI's second pass); deselected without one.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

import peewee
import psycopg2
import pytest

from kiosk import services as svc
from kiosk.dbwatch import watch_database
from kiosk.store import open_database
from kiosk.store.db import WRITE_LOCK, is_postgres
from kiosk.store.migrations import notified_tables
from kiosk.store.models import Message, Staff
from tests.services.conftest import ANN, HANA, School

pytestmark = pytest.mark.postgresql


def queue_many(school, n: int) -> list[int]:
    with school.ctx.atomic():
        return [svc.outbox.queue(school.ctx, HANA, f"alert {i}", "alert").id for i in range(n)]


def raw(url: str):
    conn = psycopg2.connect(url)
    conn.autocommit = False
    return conn


def wait_until(predicate, timeout: float = 5.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_the_backend_really_is_postgresql(school, database):
    assert is_postgres(database) and is_postgres(school.db)
    assert school.db.execute_sql("SHOW server_version_num").fetchone()[0] >= "150000"


def test_a_message_being_claimed_elsewhere_is_skipped_not_waited_for(school, database):
    """Another sender holds the first message's row (its claim not yet committed): this sender
    takes the next one at once, never the same one, and the first is still there afterwards."""
    first, second = queue_many(school, 2)
    other = raw(database)
    try:
        with other.cursor() as cur:
            cur.execute("SELECT id FROM message WHERE id = %s FOR UPDATE", (first,))
        started = time.monotonic()
        taken = svc.claim_next(school.ctx)
        assert taken is not None and taken.id == second
        assert time.monotonic() - started < 2  # skipped, not waited for (lock_timeout is 5 s)
        assert svc.claim_next(school.ctx) is None  # the locked one is skipped, nothing else is due
    finally:
        other.rollback()
        other.close()
    again = svc.claim_next(school.ctx)
    assert again.id == first and Message.get_by_id(first).state == "sending"


def test_senders_on_four_connections_never_take_the_same_message(school):
    ids = queue_many(school, 40)
    taken: list[list[int]] = [[] for _ in range(4)]
    barrier = threading.Barrier(4)
    errors = []

    def sender(mine: list[int]) -> None:
        try:
            barrier.wait()
            while (msg := svc.claim_next(school.ctx)) is not None:
                mine.append(msg.id)
                svc.mark_sent(school.ctx, msg.id, modem_ref=msg.id % 256)
        except Exception as exc:  # noqa: BLE001 - shown by the assertion below
            errors.append(exc)
        finally:
            school.db.close()  # this thread's connection

    threads = [threading.Thread(target=sender, args=(mine,)) for mine in taken]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    every = [i for mine in taken for i in mine]
    assert sorted(every) == ids  # each exactly once
    assert Message.select().where(Message.state == "sent").count() == 40


def test_a_unit_of_work_waits_for_another_connections_write_transaction(school, database):
    """The PostgreSQL form of BEGIN IMMEDIATE: a write transaction elsewhere (holding kiosk's write
    lock) makes ctx.atomic() wait, so nothing is decided from facts being changed."""
    other = raw(database)
    done = threading.Event()

    def sign_out() -> None:
        try:
            school.out(school.bob)
        finally:
            school.db.close()
            done.set()

    try:
        with other.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        worker = threading.Thread(target=sign_out)
        worker.start()
        assert not done.wait(0.3), "the unit of work did not wait for the write lock"
    finally:
        other.commit()
        other.close()
    assert done.wait(5)
    worker.join(5)
    assert len(svc.board(school.ctx)) == 1


def test_a_lone_write_outside_a_transaction_takes_the_write_lock_too(school, database):
    other = raw(database)
    done = threading.Event()

    def rename() -> None:
        try:
            Staff.update(role="deputy").where(Staff.id == school.ann.id).execute()
        finally:
            school.db.close()
            done.set()

    try:
        with other.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        threading.Thread(target=rename).start()
        assert not done.wait(0.3)
    finally:
        other.commit()
        other.close()
    assert done.wait(5)
    assert Staff.get_by_id(school.ann.id).role == "deputy"


def test_a_screen_snapshot_is_read_only(school):
    with pytest.raises(peewee.DatabaseError, match="read-only"):
        with school.ctx.snapshot():
            Staff.update(role="x").execute()


def test_a_write_from_another_connection_reaches_the_watcher_within_a_second(school, database):
    stop, changes = threading.Event(), []
    watcher = threading.Thread(target=watch_database, args=(database, stop, lambda: changes.append(1)),
                               kwargs={"poll": 0.05})
    watcher.start()
    try:
        assert wait_until(lambda: _listening(database), 5), "the watcher never listened"
        time.sleep(0.1)
        assert changes == []  # nothing written yet: nothing seen
        other = raw(database)
        try:
            with other.cursor() as cur:  # one transaction, two tables: one notification
                cur.execute("UPDATE staff SET role = 'head' WHERE id = %s", (school.hana.id,))
                cur.execute("UPDATE visit SET outcome = '' WHERE false")
            written = time.monotonic()
            other.commit()
        finally:
            other.close()
        assert wait_until(lambda: changes, 1.0), "not seen within 1 s"
        assert time.monotonic() - written < 1.0
        time.sleep(0.2)
        assert len(changes) == 1
        school.out()  # kiosk's own writes notify too
        assert wait_until(lambda: len(changes) >= 2, 1.0)
    finally:
        stop.set()
        watcher.join(5)
    assert not watcher.is_alive()


def _listening(url: str) -> bool:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'kiosk-watch' "
                        "AND datname = current_database() AND query LIKE 'LISTEN%%'")
            return cur.fetchone()[0] == 1
    finally:
        conn.close()


def test_every_table_the_board_reads_notifies(school):
    rows = school.db.execute_sql(
        "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgname = 'kiosk_notify_changed'").fetchall()
    assert sorted(r[0] for r in rows) == sorted(notified_tables())
    assert {"visit", "alarm", "message", "gateway_health"} <= set(notified_tables())


def test_stored_times_are_utc_whatever_the_servers_time_zone(database, clock):
    conn = psycopg2.connect(database)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT current_database()")
        cur.execute(f'ALTER DATABASE "{cur.fetchone()[0]}" SET timezone = \'Pacific/Auckland\'')
    conn.close()
    db = open_database(database)
    try:
        assert db.execute_sql("SHOW TimeZone").fetchone()[0] == "UTC"
        at = datetime(2026, 11, 24, 14, 0, 30, tzinfo=timezone.utc)
        staff = Staff.create(name="Zed", mobile="+447700900999", created_at=at)
        assert db.execute_sql("SELECT created_at::text FROM staff WHERE id = %s",
                              (staff.id,)).fetchone()[0] == "2026-11-24 14:00:30"
        assert Staff.get_by_id(staff.id).created_at == at
    finally:
        db.close()


def test_a_text_with_a_nul_character_is_stored_not_refused(school):
    school.out()
    result = svc.sms_in(school.ctx, ANN, "OK\x00 back at 3")
    assert result.processed
    assert Message.get_by_id(result.message.id).text == "OK\ufffd back at 3"


def test_a_refused_key_does_not_quote_the_values(school):
    """PostgreSQL's DETAIL line names the duplicate value (a name, a number): not in our errors."""
    with pytest.raises(peewee.IntegrityError) as refused:
        Staff.create(name="Ann Lee", mobile="+447700900555", created_at=school.clock.now())
    assert "Ann Lee" not in str(refused.value) and "DETAIL" not in str(refused.value)


def test_unique_keys_where_a_message_could_be_stored_twice(school):
    """Inbound fingerprint, SMS parts (key, seq), the health row, one member once per visit."""
    unique = set()
    for table in ("message", "sms_part", "gateway_health", "visit_member", "reception_user", "staff", "phone"):
        for index in school.db.get_indexes(table):
            if index.unique:
                unique.add((table, tuple(index.columns)))
        unique |= {(table, tuple(school.db.get_primary_keys(table)))}
    assert {("message", ("fingerprint",)), ("sms_part", ("key", "seq")), ("gateway_health", ("id",)),
            ("visit_member", ("visit_id", "staff_id")), ("reception_user", ("initials",)),
            ("staff", ("mobile",)), ("phone", ("number",))} <= unique


def test_two_processes_opening_an_empty_database_at_once_both_get_the_schema(pg_server, tmp_path):
    """Two kiosk processes starting together on a new server database: one creates the tables,
    the other waits for the write lock and finds them."""
    import subprocess
    import sys

    from tests.conftest import REPO

    url = pg_server.empty()
    try:
        code = ("import sys; from kiosk.store import open_database; from kiosk.store.migrations import "
                "current_version, LATEST; db = open_database(sys.argv[1]); assert current_version(db) == LATEST")
        procs = [subprocess.Popen([sys.executable, "-c", code, url], cwd=REPO, stderr=subprocess.PIPE, text=True)
                 for _ in range(3)]
        results = [(p.wait(30), p.stderr.read()) for p in procs]
        assert results == [(0, "")] * 3
        conn = psycopg2.connect(url)
        with conn.cursor() as cur:
            cur.execute("SELECT version FROM schema_version")
            assert len(cur.fetchall()) == 1
        conn.close()
    finally:
        pg_server.drop(url)


def test_the_ui_follows_notifications_on_a_postgresql_site(school, database):
    from kiosk.app import build_app

    app = build_app(school.ctx, live=False, console=False, env={})
    assert app.options.db_path == database


def test_twin_school_gets_its_own_database(new_database, tmp_path, clock):
    first, second = new_database(tmp_path / "a"), new_database(tmp_path / "b")
    assert first != second
    a = School(first, clock)
    a.db.close()
    b = School(second, clock)  # the same staff again: a separate database, no clash
    assert Staff.select().count() == 4
    b.db.close()


def _drop_connections_of(url: str) -> int:
    conn = psycopg2.connect(url)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            return cur.fetchone()[0]
    finally:
        conn.close()


def test_a_connection_the_server_dropped_is_replaced_before_the_next_unit_of_work(school, database):
    """A server restart must not leave the gateway failing every job: the next read and the next
    transaction run on a new connection."""
    school.out()
    assert _drop_connections_of(database) >= 1
    assert len(svc.board(school.ctx)) == 1  # a lone read: reconnected
    assert _drop_connections_of(database) >= 1
    school.out(school.bob)  # a unit of work: reconnected at BEGIN, then done in full
    assert len(svc.board(school.ctx)) == 2


def test_a_transaction_the_server_broke_fails_and_the_next_one_works(school, database):
    with pytest.raises(peewee.DatabaseError):
        with school.ctx.atomic():
            Staff.update(role="x").where(Staff.id == school.ann.id).execute()
            _drop_connections_of(database)
            Staff.update(role="y").where(Staff.id == school.bob.id).execute()
    assert Staff.get_by_id(school.ann.id).role == ""  # nothing of the broken unit was kept
    school.out()
    assert len(svc.board(school.ctx)) == 1


def test_the_watcher_listens_again_after_the_server_dropped_it(school, database):
    stop, changes = threading.Event(), []
    watcher = threading.Thread(target=watch_database, args=(database, stop, lambda: changes.append(1)),
                               kwargs={"poll": 0.05})
    watcher.start()
    try:
        assert wait_until(lambda: _listening(database), 5)
        _drop_connections_of(database)
        assert wait_until(lambda: changes, 5), "no reload after reconnecting (writes meanwhile were missed)"
        assert wait_until(lambda: _listening(database), 5), "not listening again"
        seen = len(changes)
        school.out()
        assert wait_until(lambda: len(changes) > seen, 1.0)
    finally:
        stop.set()
        watcher.join(5)
    assert not watcher.is_alive()
