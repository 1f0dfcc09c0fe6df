"""The site's side of the trust view: one publication of the allowed columns, and who may read them.

`publish` creates or updates the publication `kiosk_trust` on the site's own PostgreSQL so that it
lists exactly `kiosk.trust.published.PUBLISHED` (explicit column lists: a code-word column is never
in it), and optionally limits the trust's replication role to SELECT on those columns only. Running
it again changes nothing. It must never write a row of the site's data, never touch a table's
contents, and never be called from the gateway or the UI: it is an admin command.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import peewee

from kiosk.trust.pgconn import TrustError, ident, rows, scalar
from kiosk.trust.published import PUBLICATION, PUBLISHED, WITHHELD_TABLES, column_list_sql

PUBLISH_ACTIONS = "insert, update, delete, truncate"
ROLE_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_")


@dataclass
class PublishReport:
    created: bool = False
    changed: bool = False
    granted_to: str | None = None
    lines: list[str] = field(default_factory=list)


def current_columns(db: peewee.Database) -> dict[str, frozenset[str]]:
    """What the publication lists now: {table: columns} ({} if there is no publication)."""
    found = rows(db, "SELECT tablename, attnames FROM pg_publication_tables "
                     "WHERE pubname = %s AND schemaname = 'public'", (PUBLICATION,))
    return {table: frozenset(columns) for table, columns in found}


def _check_server(db: peewee.Database) -> None:
    level = scalar(db, "SHOW wal_level")
    if level != "logical":
        raise TrustError(f"the site's PostgreSQL has wal_level = {level}: set wal_level = logical in "
                         "postgresql.conf, restart PostgreSQL, then run this again (nothing changed)")
    version = int(scalar(db, "SHOW server_version_num"))
    if version < 150000:
        raise TrustError("the site's PostgreSQL is older than 15: column lists in publications need 15 or "
                         "later (nothing changed)")


def _check_tables(db: peewee.Database) -> None:
    have: dict[str, set[str]] = {}
    for table, column in rows(db, "SELECT table_name, column_name FROM information_schema.columns "
                                  "WHERE table_schema = 'public'"):
        have.setdefault(table, set()).add(column)
    for table, columns in PUBLISHED.items():
        if table not in have:
            raise TrustError(f"table {table} is missing: this is not a migrated kiosk database "
                             "(open it with kiosk once, or kiosk migrate --to it; nothing changed)")
        missing = [c for c in columns if c not in have[table]]
        if missing:
            raise TrustError(f"table {table} has no column {missing[0]}: upgrade kiosk on this site first "
                             "(nothing changed)")


def _publication_flags(db: peewee.Database) -> tuple[bool, bool] | None:
    """(exists as FOR ALL TABLES, publishes every action) or None when there is no publication."""
    found = rows(db, "SELECT puballtables, pubinsert AND pubupdate AND pubdelete AND pubtruncate "
                     "FROM pg_publication WHERE pubname = %s", (PUBLICATION,))
    return (bool(found[0][0]), bool(found[0][1])) if found else None


def _tables_sql() -> str:
    return ", ".join(column_list_sql(table) for table in PUBLISHED)


def publish(db: peewee.Database, *, grant: str | None = None) -> PublishReport:
    """Create or update the publication (and the replication role's column grants). Idempotent."""
    if grant is not None and (not grant or set(grant) - ROLE_NAME_CHARS or len(grant) > 63):
        raise TrustError(f"--grant: a role name is lower-case letters, digits and _, got {grant!r}")
    _check_server(db)
    _check_tables(db)
    if grant is not None:
        found = rows(db, "SELECT rolcanlogin, rolreplication FROM pg_roles WHERE rolname = %s", (grant,))
        if not found:
            raise TrustError(f"--grant: no role {grant} on this server: create it first, e.g. "
                             f"CREATE ROLE {grant} LOGIN REPLICATION PASSWORD '...' (nothing changed)")
        if not (found[0][0] and found[0][1]):
            raise TrustError(f"--grant: role {grant} needs LOGIN and REPLICATION: "
                             f"ALTER ROLE {grant} LOGIN REPLICATION (nothing changed)")
    report = PublishReport()
    wanted = {table: frozenset(columns) for table, columns in PUBLISHED.items()}
    with db.atomic():  # publication DDL and grants are transactional: all of it or none
        flags = _publication_flags(db)
        if flags is None:
            db.execute_sql(f"CREATE PUBLICATION {ident(PUBLICATION)} FOR TABLE {_tables_sql()} "
                           f"WITH (publish = '{PUBLISH_ACTIONS}')")
            report.created = report.changed = True
        else:
            all_tables, every_action = flags
            if all_tables:  # someone made it FOR ALL TABLES: that would publish code words
                db.execute_sql(f"DROP PUBLICATION {ident(PUBLICATION)}")
                db.execute_sql(f"CREATE PUBLICATION {ident(PUBLICATION)} FOR TABLE {_tables_sql()} "
                               f"WITH (publish = '{PUBLISH_ACTIONS}')")
                report.changed = True
            elif current_columns(db) != wanted:
                db.execute_sql(f"ALTER PUBLICATION {ident(PUBLICATION)} SET TABLE {_tables_sql()}")
                report.changed = True
            if not every_action:
                db.execute_sql(f"ALTER PUBLICATION {ident(PUBLICATION)} SET (publish = '{PUBLISH_ACTIONS}')")
                report.changed = True
        if grant is not None:
            report.changed |= _grant_columns(db, grant)
            report.granted_to = grant
    if current_columns(db) != wanted:  # the second fence: what the server says it publishes
        raise TrustError("the publication does not list exactly the allowed columns after publishing")
    count = sum(len(c) for c in wanted.values())
    verb = "created" if report.created else "updated" if report.changed else "unchanged"
    report.lines.append(f"publication {PUBLICATION} {verb}: {len(wanted)} tables, {count} columns "
                        f"(never: code words, addresses, phone numbers, SMS text; not published at all: "
                        f"{', '.join(sorted(WITHHELD_TABLES))})")
    if grant is not None:
        report.lines.append(f"role {grant} may read only the published columns")
    return report


def _grant_columns(db: peewee.Database, role: str) -> bool:
    """Revoke everything the role may read in the site's tables, then grant SELECT on the published
    columns only. Returns whether anything changed."""
    before = _readable_columns(db, role)
    db.execute_sql(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {ident(role)}")
    for table in rows(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"):
        columns = [name for (name,) in rows(db, "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass "
                                                "AND attnum > 0 AND NOT attisdropped",
                                        (f'public."{table[0]}"',))]
        if columns:
            db.execute_sql(f"REVOKE ALL ({', '.join(ident(c) for c in columns)}) ON TABLE public.{ident(table[0])} "
                           f"FROM {ident(role)}")
    for table, columns in PUBLISHED.items():
        db.execute_sql(f"GRANT SELECT ({', '.join(ident(c) for c in columns)}) ON TABLE public.{ident(table)} "
                       f"TO {ident(role)}")
    return _readable_columns(db, role) != before


def _readable_columns(db: peewee.Database, role: str) -> set[tuple[str, str]]:
    return {(t, c) for t, c in rows(
        db, "SELECT table_name, column_name FROM information_schema.column_privileges "
            "WHERE grantee = %s AND table_schema = 'public' AND privilege_type = 'SELECT'", (role,))}
