"""Opening the database: one place that picks the backend and sets its session (the migrations,
which need the models, run on top of it: `kiosk.store.open_database` is `bind_database` + `migrate`).

`open_database(target)` takes what `DatabaseConfig.target()` gives: an SQLite file path (the
default, embedded) or a `postgresql://` URL (a server the school runs). It must never hand out a
database that is not migrated to the current schema, never create a database file that other users
of the machine can read (it holds addresses and code words), and never let a query's values reach
a log (nor a PostgreSQL error's DETAIL line, which quotes the values of a refused key).

SQLite: pragmas, set in the constructor so that every connection (each thread gets its own) has them:
- journal_mode=wal: the gateway writes while the UI reads, without blocking each other;
- foreign_keys=1: SQLite does not enforce REFERENCES otherwise;
- busy_timeout=5000: a writer waits up to 5 s for the other process instead of failing at once;
- synchronous=FULL: an inbound SMS is deleted from the modem as soon as its row is committed, so a
  commit must survive a power cut (NORMAL in WAL mode may lose the last commits on power loss).
  kiosk writes a few rows a minute; the cost of an extra fsync per commit is nothing here.

Every transaction (`db.atomic()`) begins IMMEDIATE: it takes the write lock before it reads, so a
unit of work (tick, process an SMS) never decides from a snapshot another process is changing.
With deferred BEGIN, two ticks in two processes would read the same facts and the second writer
would fail with "database is locked" (tests/services/test_concurrency.py). Keep reads out of
`atomic()`: it holds the write lock.

PostgreSQL keeps the same promise with one transaction-scoped advisory lock (`WRITE_LOCK`), taken
by the first statement of every write transaction (`atomic()`, and any write outside one, which is
wrapped in its own short transaction): write units run one at a time, like SQLite's single writer,
and under READ COMMITTED each statement of the unit then sees everything committed before it got
the lock. This was chosen over SERIALIZABLE-with-retry because a retry would re-run a unit that may
already have been decided on (an alert queued twice), and kiosk writes a few rows a minute, so one
writer at a time costs nothing. The lock is released by COMMIT/ROLLBACK, so a crashed process never
leaves it held. Waiting for it is bounded like busy_timeout (lock_timeout=5s).
The other transaction kinds, named by peewee's `lock_type` so the same call works on both:
- "DEFERRED" (`ctx.snapshot()`): REPEATABLE READ, READ ONLY: one consistent snapshot for a screen,
  without the write lock; a write inside one is an error, not a silent race.
- "ROWS": READ COMMITTED without the global lock, for the one unit that locks exactly the rows it
  decides on (`SELECT ... FOR UPDATE SKIP LOCKED`: the outbox's claim). On SQLite it is IMMEDIATE.
PostgreSQL text cannot hold U+0000, which a received SMS may contain: it is stored as U+FFFD.
A connection the server dropped (a restart, the network) is replaced before the next transaction
or lone read, so a long-running gateway or UI recovers by itself; a transaction it broke fails.
Every PostgreSQL session runs with TimeZone=UTC; stored times are naive UTC `timestamp`
(UtcDateTimeField), so the server's own zone can never shift them.

Only the set-up commands create a database (`kiosk init`, `kiosk staff add`, `kiosk demo`: they
pass `create=True`). Every other command opens with `create=False`: a path that holds no kiosk
database (no file; or a PostgreSQL database without kiosk's tables) raises NoDatabase, and nothing
is made, not even the folder, so a mistyped --db is an error, not a new empty school.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

import peewee

from kiosk.config import hide_password
from kiosk.store.pgdriver import give_peewee_psycopg2

database_proxy = peewee.DatabaseProxy()


class _NoQueryValues(logging.Filter):
    """peewee logs every query at DEBUG as (sql, params); the params hold code words, phone numbers
    and texts. Keep the SQL (placeholders only), never the values, whatever the log level."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, tuple) and len(record.msg) == 2:
            record.msg, record.args = f"{record.msg[0]} [values not logged]", ()
        return True


logging.getLogger("peewee").addFilter(_NoQueryValues())

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 5000,
    "synchronous": "full",
}

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
WRITE_LOCK = 0x6B696F736B  # 'kiosk': the advisory lock every write transaction takes first
_WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


class NoDatabase(Exception):
    """There is no kiosk database at the target, and the caller may not create one."""

    def __init__(self, target: str | Path):
        self.target = target
        super().__init__(missing_database(target))


def missing_database(target: str | Path) -> str:
    """What every command that will not create a database says about a target that has none."""
    if is_postgres(target):
        what = f"the PostgreSQL database {describe(target)} has no kiosk tables"
    else:
        what = f"no kiosk database at {Path(str(target)).expanduser()}"
    return (f"{what}: nothing was created; make it with `kiosk init` (or `kiosk staff add`, the first "
            f"set-up step), or check --db / database in the config")


def is_postgres(target: object) -> bool:
    """True if `target` (a config target, or an open database) is PostgreSQL."""
    if isinstance(target, peewee.DatabaseProxy):
        target = target.obj
    if isinstance(target, peewee.Database):
        return isinstance(target, peewee.PostgresqlDatabase)
    return isinstance(target, str) and target.strip().lower().startswith(POSTGRES_SCHEMES)


def describe(target: str | Path) -> str:
    """The target as it may be printed: a URL without its password."""
    text = str(target)
    if not is_postgres(text):
        return text
    return hide_password(text.strip())


class KioskSqliteDatabase(peewee.SqliteDatabase):
    """SQLite with the transaction kinds named in the module docstring ("ROWS" is IMMEDIATE here)."""

    def begin(self, lock_type: str | None = None) -> Any:
        if lock_type and str(lock_type).upper() == "ROWS":
            lock_type = "IMMEDIATE"
        return super().begin(lock_type)


class KioskPostgresqlDatabase(peewee.PostgresqlDatabase):
    """PostgreSQL with kiosk's write lock, UTC sessions and errors that never quote values."""

    def init(self, database: Any, **kwargs: Any) -> None:
        give_peewee_psycopg2()  # hidden from peewee's import (kiosk.store.pgdriver): before it picks a driver
        super().init(database, **kwargs)

    def _lost(self) -> bool:
        """The server dropped this connection (restart, network, pg_terminate_backend)."""
        conn = self._state.conn  # peewee's per-thread state
        return conn is not None and bool(getattr(conn, "closed", 0))

    def _reconnect(self) -> None:
        self._state.transactions.clear()
        try:
            self.close()
        except peewee.DatabaseError:
            pass
        self.connect(reuse_if_open=True)

    def rollback(self) -> None:
        if self._lost():
            return  # the server threw the transaction away with the connection; the error is the news
        super().rollback()

    def begin(self, lock_type: str | None = None) -> None:
        try:
            self._begin(lock_type)
        except (peewee.OperationalError, peewee.InterfaceError):
            if not self._lost():
                raise
            self._reconnect()  # nothing ran in this transaction yet: safe to start it again
            self._begin(lock_type)

    def _begin(self, lock_type: str | None = None) -> None:
        kind = str(lock_type or "IMMEDIATE").upper()
        with peewee.__exception_wrapper__:  # peewee's own error mapping
            cursor = self.cursor()
            if kind == "DEFERRED":
                cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            elif kind == "ROWS":
                cursor.execute("BEGIN")
            else:
                cursor.execute("BEGIN")
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        if params and any(isinstance(p, str) and "\x00" in p for p in params):
            params = [without_nul(p) for p in params]
        try:
            if not self.in_transaction() and _WRITES.match(sql):
                with self.atomic():  # a lone write is a unit of work too: it waits for the lock
                    return super().execute_sql(sql, params)
            try:
                return super().execute_sql(sql, params)
            except (peewee.OperationalError, peewee.InterfaceError):
                if self.in_transaction() or not self._lost():
                    raise  # inside a transaction the caller must see it: the unit of work is gone
                self._reconnect()  # a lone read on a dropped connection: read again on a new one
                return super().execute_sql(sql, params)
        except peewee.DatabaseError as exc:
            lines = str(exc).strip().splitlines()
            if len(lines) < 2:
                raise
            # DETAIL quotes a refused key's values, LINE the statement: keep the first line only
            raise type(exc)(lines[0].strip()) from None


def without_nul(value: Any) -> Any:
    """PostgreSQL text cannot hold U+0000 (an SMS may: it must still be stored, not refused):
    it is stored as U+FFFD, the replacement character. Anything else is returned as it is."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


def _sqlite_has_kiosk_tables(file: Path) -> bool:
    """Whether the SQLite file holds kiosk's tables, read without writing (no WAL switch, no -shm):
    a missing or empty file, or someone else's database, does not."""
    import sqlite3
    from urllib.parse import quote

    if not file.is_file() or file.stat().st_size == 0:
        return False
    try:
        conn = sqlite3.connect(f"file:{quote(str(file.resolve()))}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return True  # not readable as SQLite: opening it says why (not "missing")
    try:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError:
        return True  # not a database / encrypted: opening it says why
    finally:
        conn.close()
    return bool(names & {"schema_version", "visit"})


def _open_sqlite(path: str | Path, create: bool = True) -> peewee.Database:
    name = str(path)
    if name != ":memory:":
        file = Path(name).expanduser()
        if not create and not _sqlite_has_kiosk_tables(file):
            raise NoDatabase(file)
        file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(file, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            mode = os.fstat(fd).st_mode & 0o777
            if mode & 0o007:  # a copy or an old install left it readable by everyone: take that away
                os.fchmod(fd, mode & ~0o007)
        finally:
            os.close(fd)
        name = str(file)
    return KioskSqliteDatabase(name, pragmas=PRAGMAS, lock_type="IMMEDIATE")


def postgres_database(url: str, **connect: Any) -> KioskPostgresqlDatabase:
    """A (not yet connected) PostgreSQL database for `url`, sessions in UTC, kiosk's write lock."""
    options = "-c TimeZone=UTC -c lock_timeout=5s"
    return KioskPostgresqlDatabase(url.strip(), options=options, application_name="kiosk",
                                   connect_timeout=5, **connect)


def bind_database(target: str | Path, *, create: bool = True) -> peewee.Database:
    """Connect to the database at `target` and bind the models to it, without migrating: an SQLite
    path (created 0600, with its folder, if needed and `create`; else NoDatabase) or a
    `postgresql://` URL. Callers want `kiosk.store.open_database`, which also brings the schema up
    to date (and refuses a PostgreSQL database without kiosk's tables unless `create`)."""
    db = postgres_database(str(target)) if is_postgres(target) else _open_sqlite(target, create)
    database_proxy.initialize(db)
    db.connect(reuse_if_open=True)
    return db
