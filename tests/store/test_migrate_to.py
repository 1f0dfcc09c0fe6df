"""`kiosk migrate --to postgresql://...`: an SQLite site moved to PostgreSQL, verified row by row,
and every reason to refuse (one line, exit 2, nothing changed anywhere)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import psycopg2
import pytest

from kiosk import services as svc
from kiosk.gateway.health import HealthRecorder
from kiosk.services.reception import set_reception_pin
from kiosk.store import models as m
from kiosk.store import open_database
from kiosk.store.models import Message, SmsPart, Staff
from tests.conftest import run_kiosk
from tests.services.conftest import ANN, BOB, School, make_config


def populated_site(path, clock) -> dict:
    """A school with a bit of everything: visits open and back, an amber and its red, replies,
    texts with odd characters, audit events, SMS parts, the health row, a PIN, the register."""
    school = School(path, clock)
    ctx = school.ctx
    svc.add_phone(ctx, "07700 900999", "school mobile 1")
    svc.add_register_entry(ctx, reason="dog", postcode="SW1A 1AA")
    set_reception_pin(ctx, "RC", "4711", name="Rita")
    late = school.out(minutes=20)
    school.out(school.bob, minutes=120)
    clock.advance(minutes=21)
    svc.tick(ctx)
    clock.advance(minutes=16)
    svc.tick(ctx)  # no reply: the amber escalates to a red with a parent
    svc.sms_in(ctx, BOB, "OK back by 4 ☕ — naïve café \u202e")
    svc.sms_in(ctx, BOB, "nul\x00inside")
    svc.sms_in(ctx, ANN, "BACK")
    while (msg := svc.claim_next(ctx)) is not None:
        svc.mark_sent(ctx, msg.id, modem_ref=msg.id % 256)
    with ctx.atomic():
        SmsPart.create(key="k1", seq=1, total=2, text="first half", received_at=clock.now())
    HealthRecorder(clock).started(pid=4242, port="/dev/kiosk-modem")
    HealthRecorder(clock).stopped()  # the gateway was stopped for the move
    counts = {model._meta.table_name: model.select().count() for model in m.ALL_MODELS}
    school.db.close()
    return {"counts": counts, "late": late.id}


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(db, model):
    with db.bind_ctx([model]):
        return list(model.select().order_by(*model._meta.get_primary_keys()).tuples())


def public_tables(url: str) -> int:
    """How many tables the target database has: a refused or undone copy leaves none."""
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
            return cur.fetchone()[0]
    finally:
        conn.close()


@pytest.mark.postgresql
def test_a_populated_school_moves_over_row_for_row(tmp_path, clock, pg_server):
    site = tmp_path / "site.db"
    facts = populated_site(site, clock)
    assert facts["counts"]["alarm"] >= 2 and facts["counts"]["event"] > 5 and facts["counts"]["message"] >= 6
    before = digest(site)
    url = pg_server.empty()
    try:
        result = run_kiosk("migrate", "--db", str(site), "--to", url)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        for table, count in facts["counts"].items():
            assert f"{table}: {count} row(s) copied, {count} verified" in lines
        assert "every row verified" in result.stdout and "database.url" in result.stdout
        assert digest(site) == before  # the SQLite file itself is not changed

        sqlite_db = open_database(site)
        theirs = {model: rows(sqlite_db, model) for model in m.ALL_MODELS}
        sqlite_db.close()
        pg_db = open_database(url)
        try:
            for model in m.ALL_MODELS:
                ours = rows(pg_db, model)
                expected = [tuple(v.replace("\x00", "\ufffd") if isinstance(v, str) else v for v in row)
                            for row in theirs[model]]
                assert ours == expected, model._meta.table_name
            # the code word is the site's own record: it moves as it is
            assert Staff.get(Staff.name == "Ann Lee").code_word == "bluebird"
            # the sequences continue after the copied ids
            top = Message.select().order_by(Message.id.desc()).first().id
            svc.sms_in(svc.Context(make_config(), clock), BOB, "OK")
            assert Message.select().order_by(Message.id.desc()).first().id > top
        finally:
            pg_db.close()
    finally:
        pg_server.drop(url)


@pytest.mark.postgresql
def test_a_target_that_already_holds_kiosk_data_is_refused_and_left_alone(tmp_path, clock, pg_server, database):
    site = tmp_path / "site.db"
    populated_site(site, clock)
    db = open_database(database)
    Staff.create(name="Already here", mobile="+447700900777", created_at=clock.now())
    db.close()
    result = run_kiosk("migrate", "--db", str(site), "--to", database)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "already holds kiosk data" in result.stderr
    db = open_database(database)
    assert [s.name for s in Staff.select()] == ["Already here"]
    db.close()


@pytest.mark.postgresql
def test_a_source_that_is_not_a_kiosk_database_is_refused_and_the_target_stays_empty(tmp_path, pg_server):
    import sqlite3

    other = tmp_path / "recipes.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE recipe (name TEXT)")
    conn.commit()
    conn.close()
    text = tmp_path / "notes.db"
    text.write_text("not a database at all\n" * 50)
    url = pg_server.empty()
    try:
        for source, why in ((other, "not a kiosk database"), (text, "not an SQLite database"),
                            (tmp_path / "missing.db", "no SQLite database at")):
            result = run_kiosk("migrate", "--db", str(source), "--to", url)
            assert result.returncode == 2, result.stderr
            assert result.stderr.count("\n") == 1 and why in result.stderr
        assert not (tmp_path / "missing.db").exists()
        assert public_tables(url) == 0
    finally:
        pg_server.drop(url)


@pytest.mark.postgresql
def test_refused_while_the_gateway_is_running_on_the_site(tmp_path, clock, pg_server):
    site = tmp_path / "site.db"
    School(site, clock).db.close()
    db = open_database(site)
    HealthRecorder(clock).started(pid=4242, port="/dev/kiosk-modem")
    db.close()
    url = pg_server.empty()
    try:
        result = run_kiosk("migrate", "--db", str(site), "--to", url, env={"KIOSK_NOW": clock.now().isoformat()})
        assert result.returncode == 2 and "gateway is running" in result.stderr
        later = (clock.now() + timedelta(hours=1)).isoformat()  # a heartbeat an hour old: it is not running
        result = run_kiosk("migrate", "--db", str(site), "--to", url, env={"KIOSK_NOW": later})
        assert result.returncode == 0, result.stderr
    finally:
        pg_server.drop(url)


@pytest.mark.parametrize("url, why", [
    ("mysql://kiosk@localhost/kiosk", "--to: must be empty or a"),
    ("postgresql://kiosk@localhost:port/kiosk", "--to: not a valid address"),
    ("postgresql://kiosk@localhost", "--to: must name the database"),
    ("postgresql://kiosk:secret@127.0.0.1:1/kiosk", "cannot reach postgresql://kiosk:***@127.0.0.1:1/kiosk"),
])
def test_a_malformed_or_unreachable_address_is_refused_in_one_line(tmp_path, clock, url, why):
    site = tmp_path / "site.db"
    School(site, clock).db.close()
    before = digest(site)
    result = run_kiosk("migrate", "--db", str(site), "--to", url)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and why in result.stderr
    assert "secret" not in result.stderr + result.stdout
    assert digest(site) == before


def test_a_site_already_on_postgresql_has_nothing_to_migrate(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('[database]\nurl = "postgresql://kiosk@localhost/kiosk"\n')
    result = run_kiosk("migrate", "--config", str(config), "--to", "postgresql://kiosk@localhost/other")
    assert result.returncode == 2 and "already uses PostgreSQL" in result.stderr


@pytest.mark.postgresql
def test_a_value_postgresql_refuses_rolls_the_whole_copy_back(tmp_path, clock, pg_server):
    """SQLite does not enforce a column's length; PostgreSQL does. The move stops, and the empty
    database it started from is empty again: no table, no row."""
    import sqlite3

    site = tmp_path / "site.db"
    populated_site(site, clock)
    conn = sqlite3.connect(site)
    conn.execute("UPDATE staff SET role = ? WHERE name = 'Bob Cole'", ("x" * 300,))
    conn.commit()
    conn.close()
    url = pg_server.empty()
    try:
        result = run_kiosk("migrate", "--db", str(site), "--to", url)
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and "copy failed" in result.stderr and "rolled back" in result.stderr
        assert "xxxx" not in result.stderr
        assert public_tables(url) == 0
    finally:
        pg_server.drop(url)


@pytest.mark.postgresql
def test_the_check_reads_back_what_postgresql_stored_and_a_difference_undoes_the_copy(tmp_path, clock, database):
    """A target that quietly changes a value on the way in (here a trigger, standing in for any
    conversion we did not foresee) is caught by the row-by-row check, and nothing is kept."""
    site = tmp_path / "site.db"
    populated_site(site, clock)
    conn = psycopg2.connect(database)
    conn.autocommit = True
    with conn.cursor() as cur:  # the tables exist (empty): a first start made them
        cur.execute("CREATE FUNCTION shout() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    "BEGIN NEW.role := upper(NEW.role); RETURN NEW; END $$")
        cur.execute("CREATE TRIGGER shout BEFORE INSERT ON staff FOR EACH ROW EXECUTE FUNCTION shout()")
    result = run_kiosk("migrate", "--db", str(site), "--to", database)
    assert result.returncode == 2, result.stdout
    assert "staff: row" in result.stderr and "differs in column role" in result.stderr
    with conn.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM staff) + (SELECT count(*) FROM visit) + (SELECT count(*) FROM event)")
        assert cur.fetchone()[0] == 0
    conn.close()
