"""The viewer's database connection (`kiosk.store.readonly`): it reads the board and can write nothing,
on SQLite (`mode=ro` + `query_only`) and on PostgreSQL (`default_transaction_read_only`) alike.

Issue 9: "the viewer opens the database read-only".
"""

from __future__ import annotations

import peewee
import pytest

from kiosk.clock import FakeClock
from kiosk.config import config_from_mapping
from kiosk.services import Context, add_staff
from kiosk.services.board_view import load_board
from kiosk.store import open_database
from kiosk.store.db import is_postgres, postgres_database
from kiosk.store.migrations import LATEST, current_version
from kiosk.store.models import Staff
from kiosk.store.readonly import NotViewable, open_readonly


@pytest.fixture
def ctx():
    return Context(config_from_mapping({"school": {"name": "St Nicholas Primary"}}),
                   FakeClock("2026-11-24T14:00:00+00:00"))


def test_the_viewers_connection_reads_the_board_and_every_write_is_refused(database, ctx):
    open_database(database)
    add_staff(ctx, "Ann Lee", "07700 900123")
    ctx.db.close()
    db = open_readonly(database)
    try:
        board = load_board(ctx)
        assert board.school == "St Nicholas Primary" and board.rows == []
        with pytest.raises(peewee.DatabaseError, match="read-?only"):
            add_staff(ctx, "Zed Mole", "07700 900999")
        with pytest.raises(peewee.DatabaseError, match="read-?only"):
            db.execute_sql("DELETE FROM staff")
    finally:
        db.close()
    open_database(database)
    try:
        assert [s.name for s in Staff.select()] == ["Ann Lee"]
    finally:
        ctx.db.close()


def test_the_viewer_never_migrates(database, ctx):
    db = open_database(database)
    db.execute_sql("UPDATE schema_version SET version = %s" % (LATEST - 1))
    db.close()
    with pytest.raises(NotViewable, match=f"schema v{LATEST - 1}.*never migrates"):
        open_readonly(database)
    db = postgres_database(database) if is_postgres(database) else peewee.SqliteDatabase(str(database))
    try:
        assert current_version(db) == LATEST - 1  # left as it was
    finally:
        db.close()


@pytest.mark.sqlite_only
def test_lifting_query_only_still_cannot_write_the_file(db_path, ctx):
    open_database(db_path).close()
    db = open_readonly(db_path)
    try:
        db.execute_sql("PRAGMA query_only = 0")  # a bug that lifts it: the file itself is open read-only
        with pytest.raises(peewee.OperationalError, match="readonly"):
            db.execute_sql("DELETE FROM staff")
    finally:
        db.close()


def test_a_missing_database_is_not_created(tmp_path):
    missing = tmp_path / "none" / "kiosk.db"
    with pytest.raises(NotViewable, match="never creates"):
        open_readonly(missing)
    assert not missing.parent.exists()
