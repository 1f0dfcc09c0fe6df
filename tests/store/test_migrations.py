"""A school's database upgrades in place: from the first release's schema to the current one."""

import re
import sqlite3
from pathlib import Path

import peewee
import pytest

from kiosk.store import models as m
from kiosk.store import open_database
from kiosk.store.migrations import LATEST, current_version, migrate

V1_SQL = Path(__file__).with_name("schema_v1.sql").read_text()


def schema(db):
    """Tables -> columns (name, type, not null) and indexes (name, columns, unique)."""
    out = {}
    for table in sorted(db.get_tables()):
        columns = [(c.name, c.data_type.upper(), c.null) for c in db.get_columns(table)]
        indexes = sorted((i.name, tuple(i.columns), i.unique) for i in db.get_indexes(table))
        out[table] = (columns, indexes)
    return out


def make_v1(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(V1_SQL)
    conn.execute("INSERT INTO staff (name, mobile, role, receives_alerts, code_word, vehicle_reg, vehicle_make,"
                 " vehicle_colour, active, created_at) VALUES ('Ann Lee', '+447700900123', '', 1, 'bluebird',"
                 " '', '', '', 1, '2026-09-01 08:00:00')")
    conn.commit()
    conn.close()


@pytest.mark.sqlite_only
def test_v1_database_upgrades_to_the_fresh_schema_and_keeps_its_rows(tmp_path):
    old = tmp_path / "old.db"
    make_v1(old)
    db = open_database(old)
    assert current_version(db) == LATEST
    upgraded = schema(db)
    rows = db.execute_sql("SELECT name, code_word FROM staff").fetchall()
    db.close()
    fresh = open_database(tmp_path / "fresh.db")
    assert upgraded == schema(fresh)
    assert rows == [("Ann Lee", "bluebird")]
    assert LATEST >= 2  # there is a real step to run


@pytest.mark.sqlite_only
def test_item11_item13_v6_adds_approver_and_the_visit_car_keeping_rows(tmp_path):
    """v6: staff get `approver` (nobody is one until marked), visits get the make and colour of a car
    given for the visit; an existing visit keeps its registration."""
    old = tmp_path / "old.db"
    make_v1(old)
    conn = sqlite3.connect(old)
    conn.execute("INSERT INTO visit (label, place, home_phone, family_ref, purpose, travel, vehicle, started_by,"
                 " created_at, left_at, due_back, state, outcome) VALUES ('Visit 1', '1 Elm Rd', '', '', 'other',"
                 " 'car', 'AB12 CDE', 'cli', '2026-09-01 09:00:00', '2026-09-01 09:00:00', '2026-09-01 10:00:00',"
                 " 'back', '')")
    conn.commit()
    conn.close()
    db = open_database(old)
    with db.bind_ctx([m.Staff, m.Visit]):
        assert [(s.name, s.approver) for s in m.Staff.select()] == [("Ann Lee", False)]
        assert [(v.vehicle, v.vehicle_make, v.vehicle_colour) for v in m.Visit.select()] == [("AB12 CDE", "", "")]
    db.close()


def test_migrate_is_idempotent(database):
    db = open_database(database)
    assert migrate(db) == LATEST
    assert migrate(db) == LATEST
    versions = [r[0] for r in db.execute_sql("SELECT version FROM schema_version ORDER BY version")]
    assert versions == [LATEST]


def test_newer_database_is_refused(database):
    db = open_database(database)
    db.execute_sql(f"INSERT INTO schema_version VALUES ({db.param}, {db.param})",
                   (LATEST + 1, "2030-01-01T00:00:00+00:00"))
    with pytest.raises(RuntimeError, match="newer"):
        migrate(db)


def v1_on_postgresql(sql: str) -> str:
    """schema_v1.sql as PostgreSQL would have held it: serial ids, timestamps, real booleans."""
    booleans = {name for model in m.ALL_MODELS for name, field in model._meta.fields.items()
                if isinstance(field, peewee.BooleanField)}
    sql = sql.replace('"id" INTEGER NOT NULL PRIMARY KEY', '"id" SERIAL NOT NULL PRIMARY KEY')
    sql = sql.replace("DATETIME", "TIMESTAMP")
    sql = re.sub(r'"(\w+)" INTEGER', lambda x: f'"{x[1]}" BOOLEAN' if x[1] in booleans else x[0], sql)
    order = ["staff", "phone", "register_entry", "schema_version", "visit", "visit_member", "alarm", "message", "event"]
    statements = [line for line in sql.splitlines() if line and not line.startswith("--")]
    tables = sorted((line for line in statements if line.startswith("CREATE TABLE")),
                    key=lambda line: order.index(line.split('"')[1]))  # PostgreSQL: referenced tables first
    return "\n".join(tables + [line for line in statements if not line.startswith("CREATE TABLE")])


@pytest.mark.postgresql
def test_every_step_runs_on_postgresql_from_the_first_release(pg_server):
    """A PostgreSQL site made by an older kiosk upgrades in place like an SQLite one: every step
    above v1 runs there, and the result is the schema a fresh PostgreSQL database gets."""
    import psycopg2

    old, fresh = pg_server.empty(), pg_server.fresh()
    try:
        conn = psycopg2.connect(old)
        with conn, conn.cursor() as cur:
            cur.execute(v1_on_postgresql(V1_SQL))
        conn.close()
        db = open_database(old)
        assert current_version(db) == LATEST
        upgraded = schema(db)
        db.close()
        db = open_database(fresh)
        assert upgraded == schema(db)
        db.close()
    finally:
        pg_server.drop(old)
        pg_server.drop(fresh)
