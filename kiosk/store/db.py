"""Opening the database: one place that sets the pragmas, file mode and schema version.

It must never hand out a database that is not migrated to the current schema, and never create a
database file that other users of the machine can read (it holds addresses and code words), and
never let a query's values reach a log.

Pragmas, set in the constructor so that every connection (each thread gets its own) has them:
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
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import peewee

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


def open_database(path: str | Path) -> peewee.Database:
    """Open (creating it 0600, with its folder, if needed) and migrate the database at `path`,
    and bind the models to it. Returns the database; close it with `.close()`."""
    from kiosk.store.migrations import migrate  # migrations import the models, which import us

    name = str(path)
    if name != ":memory:":
        file = Path(name).expanduser()
        file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(file, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            mode = os.fstat(fd).st_mode & 0o777
            if mode & 0o007:  # a copy or an old install left it readable by everyone: take that away
                os.fchmod(fd, mode & ~0o007)
        finally:
            os.close(fd)
        name = str(file)
    db = peewee.SqliteDatabase(name, pragmas=PRAGMAS, lock_type="IMMEDIATE")
    database_proxy.initialize(db)
    db.connect(reuse_if_open=True)
    migrate(db)
    return db
