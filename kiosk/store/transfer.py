"""Moving a site's SQLite database to PostgreSQL (`kiosk migrate --to`), verified row by row.

`check_source` and `check_target` say why a move must not start (one line each); `copy_site` makes
the schema on the target and copies every table in ONE transaction, keeping every id, sets each
id sequence past the copied rows, then reads both sides back and compares every column of every
row before it commits: any difference rolls the whole copy back. It must never write to the SQLite
file (it is opened read-only and read in one snapshot), never copy into a database that already
holds kiosk rows, and never print a value from the data (only table names and counts).
"""

from __future__ import annotations

import itertools
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import quote

import peewee

from kiosk.store import models as m
from kiosk.store.db import KioskPostgresqlDatabase, database_proxy, describe, postgres_database, without_nul
from kiosk.store.migrations import LATEST, SchemaVersion, current_version, migrate

BATCH = 500  # rows per INSERT (PostgreSQL takes at most 65535 parameters in one)
CHUNK = 5000  # rows read at a time


class TransferRefused(Exception):
    """The move must not start or did not verify: nothing was changed (one-line message)."""


@dataclass(frozen=True)
class TableResult:
    table: str
    copied: int
    verified: int

    def line(self) -> str:
        return f"{self.table}: {self.copied} row(s) copied, {self.verified} verified"


def tables() -> list[type[peewee.Model]]:
    """Every kiosk table, parents before the tables that refer to them."""
    return list(m.ALL_MODELS)


def open_source(path: str | Path) -> peewee.SqliteDatabase:
    """The SQLite site database, read-only (no pragma, no migration, no file created)."""
    file = Path(path).expanduser()
    if not file.is_file():
        raise TransferRefused(f"no SQLite database at {file} (check database.path or --db; `kiosk init` makes one)")
    db = peewee.SqliteDatabase(f"file:{quote(str(file.resolve()))}?mode=ro", uri=True, timeout=10)
    try:
        db.connect()
        names = set(db.get_tables())
    except (peewee.DatabaseError, sqlite3.DatabaseError) as exc:
        db.close()
        raise TransferRefused(f"{file} is not an SQLite database ({exc})") from None
    if "visit" not in names or "staff" not in names:
        db.close()
        raise TransferRefused(f"{file} is not a kiosk database (no kiosk tables in it)")
    with db.bind_ctx([SchemaVersion]):
        version = current_version(db)
    if version != LATEST:
        db.close()
        raise TransferRefused(f"{file} is at schema v{version}, this kiosk writes v{LATEST}: start the gateway "
                              "(or run kiosk doctor) once on it to upgrade it, then migrate")
    return db


def open_target(url: str) -> KioskPostgresqlDatabase:
    """The PostgreSQL database, connected; refused if unreachable or already holding kiosk rows."""
    db = postgres_database(url)
    try:
        db.connect()
    except peewee.DatabaseError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise TransferRefused(f"cannot reach {describe(url)}: {first}") from None
    try:
        existing = set(db.get_tables()) & ({model._meta.table_name for model in tables()} | {"schema_version"})
        for name in sorted(existing):
            if name != "schema_version" and db.execute_sql(f'SELECT EXISTS (SELECT 1 FROM "{name}")').fetchone()[0]:
                raise TransferRefused(f"{describe(url)} already holds kiosk data (table {name} has rows): "
                                      "nothing copied; use an empty database")
        if existing:
            with db.bind_ctx([SchemaVersion]):
                version = current_version(db)
            if version not in (0, LATEST):
                raise TransferRefused(f"{describe(url)} holds kiosk tables at schema v{version}: use an empty database")
    except BaseException:
        db.close()
        raise
    return db


def _chunks(db: peewee.Database, model: type[peewee.Model]) -> Iterator[list[tuple[Any, ...]]]:
    """Every row of `model` in `db` as python values (aware UTC times, booleans), in primary-key
    order, CHUNK rows at a time: years of audit trail need not fit in a Pi's memory at once.
    The model is bound to `db` only while a chunk is read, so two of these can be interleaved."""
    columns = _columns(model)
    pk = model._meta.primary_key

    def select() -> Any:  # a query is tied to the database bound when it is made: make it inside bind_ctx
        return model.select(*columns).order_by(*model._meta.get_primary_keys())

    if not isinstance(pk, peewee.AutoField):  # the small tables with a composite key: at once
        with db.bind_ctx([model]):
            rows = list(select().tuples())
        if rows:
            yield rows
        return
    at, last = columns.index(pk), None
    while True:
        with db.bind_ctx([model]):
            rows = list((select() if last is None else select().where(pk > last)).limit(CHUNK).tuples())
        if not rows:
            return
        yield rows
        last = rows[-1][at]


def _columns(model: type[peewee.Model]) -> list[peewee.Field]:
    return list(model._meta.sorted_fields)


def _reset_sequence(db: KioskPostgresqlDatabase, model: type[peewee.Model]) -> None:
    pk = model._meta.primary_key
    if not isinstance(pk, peewee.AutoField):
        return
    table, column = model._meta.table_name, pk.column_name
    db.execute_sql(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
                   f'COALESCE(MAX("{column}"), 1), MAX("{column}") IS NOT NULL) FROM "{table}"')


def _as_stored(value: Any) -> Any:
    """A source value as PostgreSQL keeps it (text cannot hold U+0000: kiosk.store.db)."""
    return without_nul(value)


def copy_site(source: peewee.SqliteDatabase, target: KioskPostgresqlDatabase) -> list[TableResult]:
    """Schema + every row, one transaction on the target, verified before it commits."""
    try:
        return _copy(source, target)
    except peewee.DatabaseError as exc:  # e.g. a value PostgreSQL refuses: the transaction rolled back
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise TransferRefused(f"copy failed ({first}): rolled back, nothing changed") from None


def _copy(source: peewee.SqliteDatabase, target: KioskPostgresqlDatabase) -> list[TableResult]:
    results = []
    database_proxy.initialize(target)  # the models' queries below run on whichever db is bound
    with source.atomic(lock_type="DEFERRED"):  # one consistent snapshot of the SQLite file
        with target.atomic():
            migrate(target)
            for model in tables():
                fields, copied = _columns(model), 0
                for rows in _chunks(source, model):
                    with target.bind_ctx([model]):
                        for start in range(0, len(rows), BATCH):
                            batch = rows[start:start + BATCH]
                            model.insert_many(batch, fields=fields).as_rowcount().execute()
                    copied += len(rows)
                _reset_sequence(target, model)
                table = model._meta.table_name
                counted = source.execute_sql(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # no model
                if copied != counted:
                    raise TransferRefused(f"{table}: {counted} row(s) in SQLite but {copied} copied: "
                                          "copy rolled back, nothing changed")
                results.append(TableResult(model._meta.table_name, copied, _verify(source, target, model, copied)))
    return results


def _verify(source: peewee.Database, target: peewee.Database, model: type[peewee.Model], copied: int) -> int:
    """Compare every column of every row, both sides read back in primary-key order."""
    table = model._meta.table_name
    names = [f.name for f in _columns(model)]
    theirs = itertools.chain.from_iterable(_chunks(source, model))
    ours = itertools.chain.from_iterable(_chunks(target, model))
    seen = 0
    for a, b in itertools.zip_longest(theirs, ours):
        if a is None or b is None:
            raise TransferRefused(f"{table}: not the same number of rows in SQLite and on PostgreSQL: "
                                  "copy rolled back, nothing changed")
        a = tuple(_as_stored(v) for v in a)
        if a != b:
            column = next(name for name, x, y in zip(names, a, b) if x != y)
            raise TransferRefused(f"{table}: row {b[0]} differs in column {column} after the copy: "
                                  "copy rolled back, nothing changed")
        seen += 1
    if seen != copied:
        raise TransferRefused(f"{table}: {copied} row(s) copied but {seen} read back: copy rolled back, nothing changed")
    return seen
