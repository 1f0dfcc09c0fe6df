"""Fixtures for the trust tests: throwaway PostgreSQL clusters (tests/trust/clusters.py) and kiosk
site databases on them."""

from __future__ import annotations

import time
from typing import Callable

import peewee
import pytest

from tests.trust.clusters import Cluster, Clusters

SITE_ROLE = "kiosk"  # owns the site's tables, as a school's kiosk would
REPLICATION_ROLE = "kiosk_trust"  # what the trust server logs in to the site as


@pytest.fixture(scope="module")
def clusters():
    made = Clusters()
    try:
        yield made
    finally:
        made.destroy()


def make_site_database(cluster: Cluster, dbname: str) -> str:
    """A kiosk database owned by the site role, with the kiosk schema, as `kiosk` itself creates it;
    returns the site role's URL to it. The replication role exists (LOGIN REPLICATION)."""
    from kiosk.store import database_proxy, open_database

    cluster.psql(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{SITE_ROLE}') THEN "
                 f"CREATE ROLE {SITE_ROLE} LOGIN; END IF; "
                 f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{REPLICATION_ROLE}') THEN "
                 f"CREATE ROLE {REPLICATION_ROLE} LOGIN REPLICATION; END IF; END $$;")
    cluster.psql(f"CREATE DATABASE {dbname} OWNER {SITE_ROLE}")
    url = cluster.url(dbname, SITE_ROLE)
    db = open_database(url)  # what kiosk does on a site's first start
    db.close()
    database_proxy.initialize(None)
    return url


def wait_until(check: Callable[[], bool], timeout: float = 20.0, step: float = 0.05) -> float:
    """Poll `check` until it is true; the seconds it took. Fails the test at `timeout`."""
    start = time.monotonic()
    while True:
        try:
            if check():
                return time.monotonic() - start
        except peewee.DatabaseError:
            pass  # a server starting up, a table still copying: ask again
        if time.monotonic() - start > timeout:
            raise AssertionError(f"not true after {timeout} s: {check.__doc__ or check}")
        time.sleep(step)
