"""Fresh PostgreSQL databases for tests: one migrated template per session, a clone per test.

`--database postgresql://user@host:port/` (or KIOSK_TEST_DATABASE) names a server the tests may
create and drop databases on (a throwaway cluster: .ci/run makes one). Each test that asks for the
`database` fixture gets `CREATE DATABASE kt_<pid>_<n> TEMPLATE <migrated template>` (~10 ms) and a
URL to it, which reaches subprocesses as `--db URL` like an SQLite path would. Dropped afterwards
(WITH (FORCE): a test may leave a connection open in a thread).
"""

from __future__ import annotations

import itertools
import os
from urllib.parse import urlsplit, urlunsplit

import psycopg2


def with_database(url: str, name: str) -> str:
    """`url` pointing at database `name` (user, host, port and query kept)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


class Server:
    """The test server: makes the template once, then a database per test."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.prefix = f"kt_{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self._numbers = itertools.count(1)
        self._admin = None

    def admin(self):
        if self._admin is None or self._admin.closed:
            self._admin = psycopg2.connect(with_database(self.url, "postgres"), connect_timeout=5)
            self._admin.autocommit = True
        return self._admin

    def execute(self, sql: str) -> None:
        with self.admin().cursor() as cur:
            cur.execute(sql)

    def start(self) -> None:
        """Create and migrate the template (once per session)."""
        from kiosk.store import database_proxy
        from kiosk.store import open_database

        self.execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self.execute(f'CREATE DATABASE "{self.template}"')
        db = open_database(with_database(self.url, self.template))
        db.close()
        database_proxy.initialize(None)

    def fresh(self) -> str:
        """A new database cloned from the migrated template; its URL."""
        name = f"{self.prefix}_{next(self._numbers)}"
        self.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}" STRATEGY FILE_COPY')
        return with_database(self.url, name)

    def empty(self) -> str:
        """A new, empty database (no kiosk tables): for `kiosk migrate --to` and first starts."""
        name = f"{self.prefix}_{next(self._numbers)}"
        self.execute(f'CREATE DATABASE "{name}"')
        return with_database(self.url, name)

    def drop(self, url: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.strip("/")}" WITH (FORCE)')

    def stop(self) -> None:
        try:
            self.execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        finally:
            if self._admin is not None:
                self._admin.close()
