"""The trust's server: one database per site, each subscribed to that site's publication.

Why a database per site, not a schema per site: logical replication applies a change to the table
with the same schema-qualified name as on the publisher (`public.visit`), and every site keeps its
tables in `public`, with ids that collide between sites. A schema per site would need every site
to move its tables into a schema named after itself; a database per site (`kiosk_site_<name>`)
takes each site exactly as it is, keeps sites apart (a site's rows can never land in another's
tables), and removing a site is one DROP DATABASE.

The per-site tables are made from what the site actually publishes (names and types read from
the site's catalog) and only from columns on kiosk's allow-list: a column the trust does not know
is refused before anything is created, so the trust has no column that could hold a code word.

This module must never write to a site's database (only the subscription reads from it), and
nothing in the gateway or the UI may import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import peewee

from kiosk.trust.pgconn import TrustError, Unreachable, connect, ident, literal, one_line, rows, scalar, shown
from kiosk.trust.published import PUBLICATION, PUBLISHED

SITE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
PREFIX = "kiosk_site_"
TRUST = "trust server"


class AlreadyAdded(TrustError):
    """The site is on the trust server already: nothing changed."""


def check_name(name: str) -> str:
    if not isinstance(name, str) or not SITE_NAME.match(name):
        raise TrustError(f"site name: 1 to 30 lower-case letters, digits or _, starting with a letter, "
                         f"got {name!r}")
    return name


def site_database(name: str) -> str:
    """The trust's database (and subscription, and the slot on the site) for site `name`."""
    return PREFIX + check_name(name)


@dataclass(frozen=True)
class SiteState:
    """One subscribed site as the trust server sees it. `heard_seconds`: how long ago (by the trust
    server's clock) the subscription last received anything from the site; None when no apply
    worker is running (the site is unreachable, or the trust server has just started)."""

    name: str
    database: str
    enabled: bool
    connected: bool
    heard_seconds: float | None
    tables_ready: int
    tables_total: int
    source: str  # the site's address as given (password hidden)

    @property
    def copying(self) -> bool:
        return self.tables_ready < self.tables_total

    def replication_word(self) -> str:
        if not self.enabled:
            return "disabled"
        if not self.connected:
            return "not connected"
        return "copying" if self.copying else "streaming"


def _site_catalog(site: peewee.Database) -> dict[str, list[tuple[str, str]]]:
    """{table: [(column, type)]} of what the site publishes; TrustError if it publishes nothing or
    anything outside kiosk's allow-list."""
    level = scalar(site, "SHOW wal_level")
    if level != "logical":
        raise TrustError(f"the site's PostgreSQL has wal_level = {level}: it must be logical (see docs/trust.md)")
    published = rows(site, "SELECT tablename, attnames FROM pg_publication_tables "
                           "WHERE pubname = %s AND schemaname = 'public'", (PUBLICATION,))
    if not published:
        raise TrustError("the site publishes nothing: run `kiosk trust publish` on the site first")
    catalog: dict[str, list[tuple[str, str]]] = {}
    for table, columns in published:
        allowed = PUBLISHED.get(table, ())
        for column in columns:
            if column not in allowed:
                raise TrustError(f"the site publishes {table}.{column}, which kiosk never publishes: "
                                 f"run `kiosk trust publish` on the site again (nothing changed)")
        types = dict(rows(site, "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                          (f'public."{table}"',)))
        catalog[table] = [(column, types[column]) for column in columns]
    return catalog


def _cluster_id(db: peewee.Database) -> int | None:
    """The cluster's system identifier (None if this role may not read it)."""
    try:
        return int(scalar(db, "SELECT system_identifier FROM pg_control_system()"))
    except (peewee.DatabaseError, TypeError, ValueError):
        return None


def _create_tables(db: peewee.Database, catalog: dict[str, list[tuple[str, str]]]) -> None:
    with db.atomic():
        for table, columns in catalog.items():
            key = "version" if table == "schema_version" else "id"
            body = ", ".join(f"{ident(c)} {t}" for c, t in columns)
            db.execute_sql(f"CREATE TABLE public.{ident(table)} ({body}, PRIMARY KEY ({ident(key)}))")


def add_site(trust_url: str, name: str, site_url: str) -> list[str]:
    """Create `kiosk_site_<name>` on the trust server with the site's published tables and subscribe
    it to the site's publication (copying what is there, then streaming). Nothing is created if the
    site or the trust server cannot be reached, or if the site is already added."""
    database = site_database(name)
    site = connect(site_url, what="site")
    try:
        catalog = _site_catalog(site)
        site_cluster = _cluster_id(site)
    finally:
        site.close()
    trust = connect(trust_url, what=TRUST)
    try:
        if site_cluster is not None and site_cluster == _cluster_id(trust):
            raise TrustError("the site and the trust server are the same PostgreSQL cluster: a site must run its "
                             "own server (a subscription to its own cluster would hang); nothing changed")
        exists = scalar(trust, "SELECT count(*) FROM pg_database WHERE datname = %s", (database,))
        subscribed = scalar(trust, "SELECT count(*) FROM pg_subscription WHERE subname = %s", (database,))
        if exists or subscribed:
            raise AlreadyAdded(f"site {name} is already added (database {database}); to add it again, "
                               f"first `kiosk trust remove-site {name}`")
        trust.execute_sql(f"CREATE DATABASE {ident(database)}")
        trust.execute_sql(f"COMMENT ON DATABASE {ident(database)} IS {literal('kiosk site ' + shown(site_url))}")
    finally:
        trust.close()
    try:
        db = connect(trust_url, dbname=database, what=TRUST)
        try:
            _create_tables(db, catalog)
            db.execute_sql(f"CREATE SUBSCRIPTION {ident(database)} CONNECTION {literal(site_url)} "
                           f"PUBLICATION {ident(PUBLICATION)} WITH (copy_data = true)")
        finally:
            db.close()
    except (TrustError, peewee.DatabaseError) as exc:
        _drop_database(trust_url, database)
        reason = str(exc) if isinstance(exc, TrustError) else one_line(exc)
        raise TrustError(f"could not subscribe to site {name}: {reason} (nothing kept)") from None
    count = sum(len(c) for c in catalog.values())
    return [f"site {name} added: database {database}, {len(catalog)} tables, {count} columns, "
            f"subscribed to {PUBLICATION} at {shown(site_url)} (copying, then streaming)"]


def _drop_database(trust_url: str, database: str) -> None:
    trust = connect(trust_url, what=TRUST)
    try:
        trust.execute_sql(f"DROP DATABASE IF EXISTS {ident(database)} WITH (FORCE)")
    finally:
        trust.close()


def _must_exist(trust_url: str, name: str) -> None:
    trust = connect(trust_url, what=TRUST)
    try:
        if not scalar(trust, "SELECT count(*) FROM pg_database WHERE datname = %s", (site_database(name),)):
            raise TrustError(f"no site {name} on the trust server (see `kiosk trust sites`)")
    finally:
        trust.close()


def refresh_site(trust_url: str, name: str, site_url: str) -> list[str]:
    """After a kiosk upgrade published more: add the site's newly published tables and columns to
    its copy on the trust server (never removing any), then let the subscription pick them up.
    A subscription stopped on "missing replicated column" resumes by itself once the column is there."""
    database = site_database(name)
    _must_exist(trust_url, name)
    site = connect(site_url, what="site")
    try:
        catalog = _site_catalog(site)
    finally:
        site.close()
    db = connect(trust_url, dbname=database, what=TRUST)
    added: list[str] = []
    try:
        have: dict[str, set[str]] = {}
        for table, column in rows(db, "SELECT table_name, column_name FROM information_schema.columns "
                                      "WHERE table_schema = 'public'"):
            have.setdefault(table, set()).add(column)
        with db.atomic():
            for table, columns in catalog.items():
                if table not in have:
                    _create_tables(db, {table: columns})
                    added.append(table)
                    continue
                for column, kind in columns:
                    if column not in have[table]:
                        db.execute_sql(f"ALTER TABLE public.{ident(table)} ADD COLUMN {ident(column)} {kind}")
                        added.append(f"{table}.{column}")
        db.execute_sql(f"ALTER SUBSCRIPTION {ident(database)} REFRESH PUBLICATION WITH (copy_data = true)")
    finally:
        db.close()
    what = ", ".join(added) if added else "nothing new"
    return [f"site {name} refreshed: {what}"]


def remove_site(trust_url: str, name: str) -> list[str]:
    """Drop the site's subscription (and, if the site answers, its replication slot there) and its
    database on the trust server. The site's own data is never touched."""
    database = site_database(name)
    lines: list[str] = []
    _must_exist(trust_url, name)
    db = connect(trust_url, dbname=database, what=TRUST)
    try:
        if scalar(db, "SELECT count(*) FROM pg_subscription WHERE subname = %s", (database,)):
            try:
                db.execute_sql(f"DROP SUBSCRIPTION {ident(database)}")
            except peewee.DatabaseError:  # the site is unreachable: keep its slot, say so
                db.execute_sql(f"ALTER SUBSCRIPTION {ident(database)} DISABLE")
                db.execute_sql(f"ALTER SUBSCRIPTION {ident(database)} SET (slot_name = NONE)")
                db.execute_sql(f"DROP SUBSCRIPTION {ident(database)}")
                lines.append(f"WARNING: the site did not answer, so its replication slot {database} is still "
                             f"there and keeps WAL: on the site run SELECT pg_drop_replication_slot('{database}')")
    finally:
        db.close()
    _drop_database(trust_url, database)
    lines.append(f"site {name} removed from the trust server (the site's own data is untouched)")
    return lines


def list_sites(trust_url: str) -> list[SiteState]:
    """Every site on the trust server with its replication state. Unreachable if the server is down."""
    trust = connect(trust_url, what=TRUST)
    try:
        found = rows(trust, """
            SELECT d.datname, coalesce(shobj_description(d.oid, 'pg_database'), ''),
                   s.subenabled, st.pid,
                   extract(epoch FROM now() - st.last_msg_receipt_time)
            FROM pg_database d
            LEFT JOIN pg_subscription s ON s.subname = d.datname AND s.subdbid = d.oid
            LEFT JOIN pg_stat_subscription st ON st.subid = s.oid AND st.relid IS NULL
            WHERE d.datname LIKE %s ORDER BY d.datname""", (PREFIX.replace("_", r"\_") + "%",))
    finally:
        trust.close()
    sites = []
    for database, comment, enabled, pid, heard in found:
        ready = total = 0
        try:
            db = connect(trust_url, dbname=database, what=TRUST)
        except Unreachable:
            pass
        else:
            try:
                total, ready = rows(db, "SELECT count(*), count(*) FILTER (WHERE srsubstate = 'r') "
                                        "FROM pg_subscription_rel")[0]
            finally:
                db.close()
        source = comment[len("kiosk site "):] if comment.startswith("kiosk site ") else ""
        sites.append(SiteState(name=database[len(PREFIX):], database=database, enabled=bool(enabled),
                               connected=pid is not None, heard_seconds=float(heard) if heard is not None else None,
                               tables_ready=int(ready), tables_total=int(total), source=source))
    return sites
