"""Opening the database read-only, for the viewer (`kiosk ui --viewer`, `kiosk serve`).

It must never create, migrate or write to a database: SQLite is opened with `mode=ro` (the file
must exist) and `PRAGMA query_only`; a PostgreSQL session runs with `default_transaction_read_only`
on, so the server refuses every write. Even a bug in a screen cannot write. A database whose
schema is not the current one is refused with a sentence saying what to do, not upgraded.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import peewee

from kiosk.store.db import KioskPostgresqlDatabase, database_proxy, describe, is_postgres
from kiosk.store.migrations import LATEST, current_version

READ_ONLY_PRAGMAS = {"query_only": 1, "busy_timeout": 5000, "foreign_keys": 1}


class NotViewable(Exception):
    """The viewer will not show this database (missing, not current, unreadable): one line why."""


def open_readonly(target: str | Path) -> peewee.Database:
    """Open the database at `target` read-only, check its schema is current, bind the models to it.
    Raises NotViewable. Close it with `.close()`."""
    name = describe(target)  # never a password in a message
    db: peewee.Database
    if is_postgres(target):
        db = KioskPostgresqlDatabase(str(target).strip(), application_name="kiosk-viewer", connect_timeout=5,
                                     options="-c TimeZone=UTC -c lock_timeout=5s -c default_transaction_read_only=on")
    else:
        file = Path(name).expanduser()
        if not file.is_file():
            raise NotViewable(f"no database at {file} (the viewer never creates one; `kiosk init` does)")
        uri = f"file:{quote(str(file.resolve()))}?mode=ro"
        db = peewee.SqliteDatabase(uri, uri=True, pragmas=READ_ONLY_PRAGMAS)
    try:
        db.connect(reuse_if_open=True)
        _check_schema(db, name)
    except NotViewable:
        db.close()
        raise
    except peewee.DatabaseError as exc:
        db.close()
        raise NotViewable(f"cannot read database {name}: {exc}") from exc
    database_proxy.initialize(db)
    return db


def _check_schema(db: peewee.Database, name: str) -> None:

    version = current_version(db)
    if version == 0:
        raise NotViewable(f"database {name} has no kiosk tables (the viewer never creates them; `kiosk init` does)")
    if version != LATEST:
        what = "is empty" if version == 0 else f"is at schema v{version}"
        raise NotViewable(f"database {name} {what}, this kiosk shows v{LATEST}; the viewer never migrates: "
                          f"start the reception board or gateway (they upgrade it), or upgrade this kiosk")

