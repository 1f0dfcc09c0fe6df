"""What runs on every text, every tick and every board reload uses an index, never a scan of history.

Found by the benchmarks (bench/, issue 7): with six years of history (40,000 visits, 1M events,
500k texts) a tick scanned the whole visit table three times and each text scanned every visit
member and half the messages (flood control), so the tick took 20-50 ms and grew with the years.
Schema v5 adds the indexes; these tests upgrade a real v4 database that has rows in it, then run the
board, the ladder, an SMS in and out, and a missed call, and EXPLAIN every statement they ran.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager

import pytest

from kiosk import services as svc
from kiosk.services.board_view import load_board
from kiosk.services.calls import contact_by_call
from kiosk.store import migrations
from kiosk.store.db import database_proxy
from kiosk.store.migrations import LATEST, current_version
from kiosk.store.models import Message, Staff, Visit
from tests.services.conftest import ANN, BOB, School
from tests.sql_trace import statements
from tests.store.test_migrations import V1_SQL

pytestmark = pytest.mark.sqlite_only  # SQLite's EXPLAIN QUERY PLAN on an upgraded SQLite file

HISTORY = {"visit", "visit_member", "message", "event", "alarm"}  # tables that grow with the years
V5_INDEXES = {("visit", "visit_state"), ("visit_member", "visit_member_phone_number"),
              ("message", "message_number_created_at"), ("event", "event_kind"), ("event", "event_visit_id")}


def history_scans(sql: str) -> list[str]:
    """The plan lines of `sql` that read a history table (or one of its indexes) end to end, or half
    of the messages (an index searched by direction alone: every text in, or every text out)."""
    aliases: dict[str, set[str]] = {}
    for table, alias in re.findall(r'(?:FROM|JOIN) "(\w+)" AS "(\w+)"', sql):
        aliases.setdefault(alias, set()).add(table)
    plan = database_proxy.obj.connection().execute("EXPLAIN QUERY PLAN " + sql).fetchall()
    bad = []
    for row in plan:
        detail = row[-1]
        match = re.match(r"SCAN (\w+)", detail)
        if match and match.group(1) != "CONSTANT" and (aliases.get(match.group(1), {match.group(1)}) & HISTORY):
            bad.append(detail)
        elif re.search(r"INDEX \w+ \(direction=\?\)", detail):
            bad.append(detail)
    return bad


def the_hot_paths(school: School, clock) -> list[str]:
    """Run what the gateway and the board run all day; every statement they ran."""
    with statements() as seen:
        load_board(school.ctx)
        svc.tick(school.ctx)
        svc.sms_in(school.ctx, ANN, "OK running late")
        svc.sms_in(school.ctx, ANN, "bluebird")  # duress: code words, a red alarm, alerts
        clock.advance(minutes=100)
        svc.tick(school.ctx)  # overdue amber for Bob, reminder
        contact_by_call(school.ctx, BOB, confirm_sms=True)
        while (msg := svc.next_outgoing(school.ctx)) is not None and svc.mark_sending(school.ctx, msg.id):
            svc.mark_sent(school.ctx, msg.id, msg.id % 256)
        svc.mark_delivered_by_ref(school.ctx, 1, ok=True)
        load_board(school.ctx)
    return [s for s in seen if s.split(None, 1)[0].upper() in ("SELECT", "UPDATE", "DELETE")]


@contextmanager
def models_as_in(db):
    """The models without the fields a later schema step adds, while rows are written to an older
    database (kiosk at v4 wrote no `staff.approver`), then as they are."""
    from kiosk.store.models import ALL_MODELS

    hidden = []
    for model in ALL_MODELS:
        if not db.table_exists(model._meta.table_name):
            continue
        have = {c.name for c in db.get_columns(model._meta.table_name)}
        for name, field in list(model._meta.fields.items()):
            if field.column_name not in have:
                model._meta.remove_field(name)
                delattr(model, name)  # else setting it would still write the column
                hidden.append((model, name, field))
    try:
        yield
    finally:
        for model, name, field in hidden:
            model._meta.add_field(name, field)


@pytest.fixture
def upgraded(tmp_path, clock, monkeypatch):
    """A school's database created at v1, used at v4 (rows in every table), then opened by this kiosk."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as conn:  # the first release's tables, as a school's kiosk created them
        conn.executescript(V1_SQL)
    monkeypatch.setattr(migrations, "STEPS", [s for s in migrations.STEPS if s[0] <= 4])
    monkeypatch.setattr(migrations, "LATEST", 4)
    old = School.__new__(School)
    old.path, old.clock, old.visits, old.db = path, clock, {}, None
    old.reopen()
    assert current_version(old.db) == 4
    with models_as_in(old.db):
        School.__init__(old, path, clock)
        old.out(old.ann, minutes=60)
        old.out(old.bob, minutes=90)
        svc.sms_in(old.ctx, ANN, "OK")
    old.db.close()
    monkeypatch.undo()
    school = School.__new__(School)
    school.path, school.clock, school.visits, school.db = path, clock, {}, None
    school.reopen()
    school.ann, school.bob = (Staff.get(Staff.mobile == n) for n in (ANN, BOB))
    yield school
    school.db.close()


def test_v4_database_upgrades_to_v5_with_its_rows_and_the_new_indexes(upgraded):
    db = upgraded.db
    assert current_version(db) == LATEST >= 5
    indexes = {(t, i.name) for t in db.get_tables() for i in db.get_indexes(t)}
    assert V5_INDEXES <= indexes
    assert Visit.select().count() == 2
    assert [m.state for m in Message.select().where(Message.direction == "in")] == ["processed"]


def test_board_tick_and_sms_path_never_scan_history_after_the_upgrade(upgraded, clock):
    ran = the_hot_paths(upgraded, clock)
    assert len(ran) > 40  # the paths really ran (board, ticks, texts, a call, the outbox)
    scans = {sql[:120]: bad for sql in ran if (bad := history_scans(sql))}
    assert scans == {}


def test_the_check_can_fail_without_the_indexes(upgraded, clock):
    """Drop the v5 indexes again: the same paths then scan visits, members and messages."""
    for _table, name in V5_INDEXES:
        upgraded.db.execute_sql(f'DROP INDEX "{name}"')
    ran = the_hot_paths(upgraded, clock)
    scanned = " ".join(" ".join(re.findall(r'FROM "(\w+)"', sql)) for sql in ran if history_scans(sql))
    assert {"visit", "visit_member", "message"} <= set(scanned.split())
