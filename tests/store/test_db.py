"""The database as a school gets it: private file, durable pragmas, aware UTC times (SQLite), the
same rows and refusals on PostgreSQL."""

import os
import stat
from datetime import datetime, timedelta, timezone

import peewee
import pytest

from kiosk.store import open_database
from kiosk.store.models import Message, Staff

T0 = datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc)


@pytest.mark.sqlite_only
def test_creates_folder_and_private_file(tmp_path):
    path = tmp_path / "deep" / "er" / "kiosk.db"
    db = open_database(path)
    db.close()
    assert path.exists()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


@pytest.mark.sqlite_only
def test_pragmas_on_every_connection(db_path):
    db = open_database(db_path)
    pragmas = {name: db.execute_sql(f"PRAGMA {name}").fetchone()[0]
               for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")}
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 5000, "synchronous": 2}
    db.close()


def test_times_round_trip_as_aware_utc(database):
    db = open_database(database)
    local = T0.astimezone(timezone(timedelta(hours=1)))
    staff = Staff.create(name="Ann", mobile="+447700900123", created_at=local)
    db.close()
    open_database(database)
    again = Staff.get_by_id(staff.id)
    assert again.created_at == T0 and again.created_at.tzinfo is not None
    assert again.created_at.utcoffset() == timedelta(0)


def test_naive_time_is_refused(database):
    open_database(database)
    with pytest.raises(ValueError, match="naive"):
        Staff.create(name="Ann", mobile="+447700900123", created_at=datetime(2026, 11, 24, 14, 0))


def test_inbound_fingerprint_is_unique(database):
    open_database(database)
    fields = dict(direction="in", number="+447700900123", text="OK", state="received", created_at=T0)
    Message.create(fingerprint="abc", **fields)
    Message.create(fingerprint=None, **fields)
    Message.create(fingerprint=None, **fields)  # many outgoing rows have none
    with pytest.raises(peewee.IntegrityError):
        Message.create(fingerprint="abc", **fields)


def test_foreign_keys_enforced(database):
    open_database(database)
    with pytest.raises(peewee.IntegrityError):
        Message.create(direction="in", number="+44", text="x", state="received", created_at=T0, visit=999)
