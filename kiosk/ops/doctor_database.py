"""`kiosk doctor`'s database checks (reachable, writable, integrity, schema, on SQLite or PostgreSQL)
and its reading of the gateway's health row: read-only, never a change to the database."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from kiosk.ops.checks import FAIL, OK, SKIP, WARN, Check
from kiosk.store.db import describe, is_postgres
from kiosk.store.migrations import LATEST
from kiosk.store.models import GatewayHealth


def check_database(path: Path) -> list[Check]:
    path = Path(path).expanduser()
    if not path.exists():
        return [Check(FAIL, "database", f"no database at {path}",
                      "check database.path in the config (or --db), or make it: sudo -u kiosk kiosk init")]
    checks = []
    try:
        con = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as exc:
        return [Check(FAIL, "database", f"cannot open {path}: {exc}",
                      "check the file's owner and permissions (it belongs to the kiosk user)")]
    try:
        try:
            result = [row[0] for row in con.execute("PRAGMA integrity_check").fetchall()]
        except sqlite3.DatabaseError as exc:
            return [Check(FAIL, "database", f"{path} is not a readable kiosk database: {exc}",
                          "restore the latest backup: kiosk restore /var/lib/kiosk/backups/<newest>.db")]
        if result == ["ok"]:
            checks.append(Check(OK, "database integrity", "PRAGMA integrity_check ok"))
        else:
            checks.append(Check(FAIL, "database integrity", f"{len(result)} problem(s): {result[0][:120]}",
                                "stop the services and restore the latest backup (kiosk restore SRC)"))
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "schema_version" in tables:
                version = con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] or 0
            else:
                version = 1 if "visit" in tables else 0
        except sqlite3.DatabaseError as exc:
            version, tables = -1, set()
            checks.append(Check(FAIL, "database schema", f"cannot read the schema: {exc}",
                                "restore the latest backup (kiosk restore SRC)"))
        checks += _schema_checks(version)
    finally:
        con.close()
    checks.append(_check_writable(path))
    return checks


def _schema_checks(version: int) -> list[Check]:

    if version == LATEST:
        return [Check(OK, "database schema", f"current (v{version})")]
    if version == 0:
        return [Check(FAIL, "database schema", "no kiosk tables: this is not (yet) a kiosk database",
                      "check database.path / database.url (or --db), or make it: sudo -u kiosk kiosk init")]
    if 0 < version < LATEST:
        return [Check(WARN, "database schema", f"v{version}, this kiosk expects v{LATEST}",
                      "restart the gateway (it upgrades the database in place on start)")]
    if version > LATEST:
        return [Check(FAIL, "database schema", f"v{version} is newer than this kiosk (v{LATEST})",
                      "upgrade kiosk to the version that wrote this database")]
    return []


def _pg_connect(url: str):
    """A read-only session on the PostgreSQL database (the doctor never writes there)."""
    import psycopg2

    return psycopg2.connect(url, options="-c TimeZone=UTC -c default_transaction_read_only=on",
                            application_name="kiosk-doctor", connect_timeout=5)


def check_postgres(url: str) -> list[Check]:
    """database.url: the server answers, the schema is current; the SQLite-only checks say so."""
    import psycopg2


    try:
        con = _pg_connect(url)
    except psycopg2.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return [Check(FAIL, "database", f"cannot reach {describe(url)}: {first}",
                      "check database.url, that the server runs (systemctl status postgresql) and that "
                      "pg_hba.conf lets this user in")]
    try:
        with con.cursor() as cur:
            cur.execute("SELECT to_regclass('schema_version') IS NOT NULL, to_regclass('visit') IS NOT NULL")
            has_versions, has_visits = cur.fetchone()
            if has_versions:
                cur.execute("SELECT MAX(version) FROM schema_version")
                version = cur.fetchone()[0] or 0
            else:
                version = 1 if has_visits else 0
            writable = False
            if has_visits:
                cur.execute("SELECT has_table_privilege('message', 'INSERT, UPDATE')")
                writable = bool(cur.fetchone()[0])
        checks = [Check(OK, "database", f"PostgreSQL at {describe(url)}"),
                  Check(SKIP, "database integrity", "PRAGMA integrity_check is SQLite's; on PostgreSQL "
                        "use pg_amcheck and the server's own monitoring")]
        checks += _schema_checks(version)
        if writable:
            checks.append(Check(OK, "database writable", "this user may write kiosk's tables"))
        elif has_visits:
            checks.append(Check(FAIL, "database writable", "this user may not write kiosk's tables",
                                "GRANT the kiosk role INSERT, UPDATE, DELETE on kiosk's tables"))
        return checks
    except psycopg2.Error as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return [Check(FAIL, "database", f"{describe(url)}: {first}", "check database.url and the server's log")]
    finally:
        con.close()


def _check_writable(path: Path) -> Check:
    folder = path.parent
    if not os.access(path, os.W_OK) or not os.access(folder, os.W_OK | os.X_OK):
        return Check(FAIL, "database writable", f"{path} or its folder is not writable by this user "
                     f"(uid {os.geteuid()})", "run as the kiosk user (sudo -u kiosk kiosk doctor) or "
                     "fix the owner: sudo chown -R kiosk:kiosk " + str(folder))
    try:
        con = sqlite3.connect(str(path), timeout=2, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")  # takes the write lock, writes nothing
            con.execute("ROLLBACK")
        finally:
            con.close()
    except sqlite3.OperationalError as exc:
        return Check(FAIL, "database writable", f"cannot take the write lock: {exc}",
                     "another process holds the database locked: find it with fuser " + str(path))
    return Check(OK, "database writable", str(path))


def read_health_row(db_path: Path | str) -> Any:
    """The gateway_health row as an object with attributes, or None (read-only, no peewee binding)."""

    row = _pg_health_row(str(db_path)) if is_postgres(db_path) else _sqlite_health_row(Path(db_path))
    if row is None:
        return None
    values = {}
    for key, value in row.items():
        model_field = GatewayHealth._meta.fields.get(key)
        values[key] = model_field.python_value(value) if model_field is not None and value is not None else value
    return type("HealthRow", (), values)()


def _sqlite_health_row(path: Path) -> dict[str, Any] | None:
    path = path.expanduser()
    if not path.exists():
        return None
    try:
        con = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            con.row_factory = sqlite3.Row
            row = con.execute("SELECT * FROM gateway_health WHERE id = 1").fetchone()
        finally:
            con.close()
    except sqlite3.Error:
        return None
    return None if row is None else {key: row[key] for key in row.keys()}


def _pg_health_row(url: str) -> dict[str, Any] | None:
    import psycopg2

    try:
        con = _pg_connect(url)
        try:
            with con.cursor() as cur:
                cur.execute("SELECT * FROM gateway_health WHERE id = 1")
                row = cur.fetchone()
                names = [d[0] for d in cur.description]
        finally:
            con.close()
    except psycopg2.Error:
        return None
    return None if row is None else dict(zip(names, row))
