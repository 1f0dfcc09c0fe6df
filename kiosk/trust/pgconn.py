"""Connections to a site's or the trust's PostgreSQL for the trust tools, and their one-line errors.

These connections are separate from the site's own database binding (`kiosk.store.database_proxy`
is never touched): the trust tools run beside a site, never inside its alarm path. Nothing here
prints or returns a password: URLs are shown with the password replaced.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

import peewee

from kiosk.store.pgdriver import give_peewee_psycopg2

CONNECT_TIMEOUT = 5  # seconds: an unreachable server is reported, not waited for


class TrustError(Exception):
    """One line for the user; nothing was changed."""


class Unreachable(TrustError):
    """The server could not be reached (or refused the login)."""


def check_url(url: str, what: str) -> str:
    """A postgresql:// URL, or TrustError naming `what` (e.g. "site URL")."""
    if not isinstance(url, str) or not url.strip():
        raise TrustError(f"{what}: empty; give a postgresql://user@host:port/database address")
    url = url.strip()
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if not url.startswith("postgresql://") or any(ch in url for ch in "\r\n\t\0 "):
        raise TrustError(f"{what}: must be a postgresql://user@host:port/database address, got {shown(url)}")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise TrustError(f"{what}: {exc}") from None
    if not parts.hostname and "host=" not in parts.query:
        raise TrustError(f"{what}: needs a host, e.g. postgresql://user@school-pi:5432/kiosk")
    if not parts.path.strip("/"):
        raise TrustError(f"{what}: needs a database name after the host, e.g. .../kiosk")
    return url


def shown(url: str) -> str:
    """The URL as it may be printed: the password (if any) replaced by ***."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unparsable address)"
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":***"
        netloc = f"{userinfo}@{host}"
    query = re.sub(r"(password=)[^&]*", r"\1***", parts.query)
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def one_line(exc: BaseException) -> str:
    """The first meaningful line of a driver error (libpq's messages span several lines)."""
    text = str(exc).strip() or type(exc).__name__
    first = text.splitlines()[0].strip()
    return first[:300]


def connect(url: str, *, dbname: str | None = None, what: str = "database") -> peewee.PostgresqlDatabase:
    """An open, autocommit connection to `url` (or to database `dbname` on the same server).
    Raises Unreachable with one line if the server cannot be reached or refuses us."""
    extra = {"dbname": dbname} if dbname else {}
    give_peewee_psycopg2()  # kiosk.store hides it from peewee's import (start-up time, memory)
    db = peewee.PostgresqlDatabase(url, connect_timeout=CONNECT_TIMEOUT, application_name="kiosk-trust",
                                   **extra)
    try:
        db.connect()
    except peewee.ImproperlyConfigured as exc:
        raise TrustError(f"{what}: {one_line(exc)} (install psycopg2-binary)") from None
    except peewee.DatabaseError as exc:  # OperationalError and friends from libpq
        target = shown(url) if not dbname else f"{shown(url)} (database {dbname})"
        raise Unreachable(f"{what} {target} unreachable: {one_line(exc)}") from None
    return db


def rows(db: peewee.Database, sql: str, params: tuple = ()) -> list[tuple]:
    return list(db.execute_sql(sql, params).fetchall())


def scalar(db: peewee.Database, sql: str, params: tuple = ()):
    row = db.execute_sql(sql, params).fetchone()
    return row[0] if row else None


def ident(name: str) -> str:
    """A quoted SQL identifier. Names we build are checked first; this is the second fence."""
    return '"' + name.replace('"', '""') + '"'


def literal(text: str) -> str:
    """A quoted SQL string literal, for the few statements that take no parameters (CREATE SUBSCRIPTION)."""
    return "'" + text.replace("'", "''") + "'"
