"""Issue 9, done when: two site clusters and one trust cluster of PostgreSQL on loopback (separate
ports); the trust cluster is stopped mid-way; both sites' alarms are unaffected, the trust view
catches up by itself, nothing is duplicated and no code word reaches the trust server.

"A shared server must never be in the alarm path: one network or server outage must not silence
every school's alarms." Each site here runs kiosk's real service path on its own PostgreSQL
(`kiosk.store.open_database(url)`, staff, sign-out, inbound SMS with a code word, the tick on a
FakeClock, the gateway's health row); the trust only subscribes.
"""

from __future__ import annotations

import time
from datetime import timedelta

import peewee
import pytest

from kiosk.clock import FakeClock
from kiosk.config import config_from_mapping
from kiosk.trust.board import load_view
from kiosk.trust.pgconn import Unreachable
from kiosk.trust.published import PUBLISHED
from kiosk.trust.server import add_site
from kiosk.trust.site import publish
from tests.trust.conftest import REPLICATION_ROLE, make_site_database, wait_until

pytestmark = pytest.mark.postgresql  # runs its own clusters: in the PostgreSQL pass only

SITE_LIMIT = 1.0  # seconds: no site operation may take longer, trust up or down
CODE_WORDS = {"a": ("bluebird", "kestrel"), "b": ("pelican", "heron")}


class Site:
    """One school on its own PostgreSQL, driven through kiosk.services like the gateway and CLI do."""

    def __init__(self, name: str, cluster, clock: FakeClock, numbers: tuple[str, str, str]) -> None:
        from kiosk.gateway.health import HealthRecorder
        from kiosk.services import Context, add_staff

        self.name, self.cluster, self.clock = name, cluster, clock
        self.dbname = f"school_{name}"
        self.url = make_site_database(cluster, self.dbname)
        self.durations: list[float] = []
        self.use()
        self.ctx = Context(config_from_mapping({"school": {"name": f"School {name.upper()}"}}), clock)
        first, second = CODE_WORDS[name]
        self.ann = add_staff(self.ctx, f"Ann {name.upper()}", numbers[0], code_word=first)
        self.bob = add_staff(self.ctx, f"Bob {name.upper()}", numbers[1], code_word=second)
        add_staff(self.ctx, f"Head {name.upper()}", numbers[2], alerts=True, role="head")
        self.numbers = numbers
        self.health = HealthRecorder(clock)
        self.health.started(pid=1000, port="/dev/ttyUSB0")

    def use(self):
        """Bind kiosk's models to this site's database (one process plays both schools in turn)."""
        from kiosk.store import open_database

        if getattr(self, "db", None) is None:
            self.db = open_database(self.url)
        else:
            from kiosk.store.db import database_proxy

            database_proxy.initialize(self.db)
        return self

    def timed(self, fn, *args, **kw):
        """Run one site operation and record how long it took."""
        self.use()
        start = time.monotonic()
        result = fn(*args, **kw)
        self.durations.append(time.monotonic() - start)
        return result

    def sign_out(self, who, minutes: int, **kw):
        from kiosk.services import sign_out

        return self.timed(sign_out, self.ctx, [who], "14 Elm Rd, Luton LU4 9AB",
                          self.clock.now() + timedelta(minutes=minutes), **kw).visit

    def text(self, number: str, body: str):
        from kiosk.services import sms_in

        return self.timed(sms_in, self.ctx, number, body)

    def tick(self):
        from kiosk.services import tick

        result = self.timed(tick, self.ctx)
        self.timed(self.health.heartbeat, modem_connected=True, registration="home", signal_bars=4)
        return result

    def alarms(self) -> list[tuple[int, str, str]]:
        from kiosk.store.models import Alarm

        self.use()
        return [(a.id, a.kind, a.level) for a in Alarm.select().order_by(Alarm.id)]

    def published_rows(self, table: str) -> list[tuple]:
        return rows_of(self.cluster.url(self.dbname), table)


def rows_of(url: str, table: str) -> list[tuple]:
    """Every published column of `table`, ordered by its key, read as a superuser."""
    columns = PUBLISHED[table]
    db = peewee.PostgresqlDatabase(url)
    try:
        db.connect()
        return list(db.execute_sql(f'SELECT {", ".join(columns)} FROM "{table}" ORDER BY {columns[0]}').fetchall())
    finally:
        db.close()


def trust_rows(trust, site: Site, table: str) -> list[tuple]:
    return rows_of(trust.url(f"kiosk_site_{site.name}"), table)


def in_step(trust, site: Site) -> bool:
    """The trust's copy equals the site for every published table (rows, ids, values)."""
    return all(trust_rows(trust, site, t) == site.published_rows(t) for t in PUBLISHED)


def code_word_hits(cluster, words) -> list[str]:
    """Every row of every table of every database on `cluster` whose text holds one of `words`."""
    hits = []
    for db in cluster.psql("SELECT datname FROM pg_database WHERE datallowconn").split():
        tables = cluster.psql("SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) "
                              "FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
                              "AND table_schema NOT IN ('pg_catalog', 'information_schema')", db=db).split()
        for table in tables:
            for word in words:
                found = cluster.psql(f"SELECT count(*) FROM {table} AS r WHERE r::text ILIKE '%{word}%'", db=db)
                if found != "0":
                    hits.append(f"{db}.{table}: {word} x{found}")
    return hits


def test_two_sites_and_a_trust_that_goes_down_mid_way(clusters):
    from kiosk.store.db import database_proxy

    clock = FakeClock("2026-11-24T14:00:00+00:00")
    started = time.monotonic()
    trust = clusters.new("trust")
    a = Site("a", clusters.new("site_a"), clock, ("+447700900101", "+447700900102", "+447700900103"))
    b = Site("b", clusters.new("site_b"), clock, ("+447700900201", "+447700900202", "+447700900203"))

    def view():
        return load_view(trust.url(), clock.now(), stale_seconds=120, due_soon=timedelta(minutes=10),
                         heartbeat_stale_seconds=90)

    try:
        # the morning: visits out on both sites
        a_ann = a.sign_out(a.ann, 60)
        a_bob = a.sign_out(a.bob, 90, check_in_minutes=30)
        b_ann = b.sign_out(b.ann, 45)
        assert a_ann.id == b_ann.id == 1  # ids collide between sites: a database per site keeps them apart

        # each site publishes; the trust subscribes to both
        for site in (a, b):
            site_db = peewee.PostgresqlDatabase(site.url)
            publish(site_db, grant=REPLICATION_ROLE)
            site_db.close()
            add_site(trust.url(), site.name, site.cluster.url(site.dbname, REPLICATION_ROLE))
        wait_until(lambda: in_step(trust, a) and in_step(trust, b), timeout=20)
        shown = {board.name: board for board in view().sites}
        assert set(shown) == {"a", "b"}
        assert [v.label for v in shown["a"].visits] == [a_ann.label, a_bob.label]
        assert [v.staff for v in shown["b"].visits] == [("Ann B",)]

        # a code word on site a: a red duress alarm there, replicated without the word
        result = a.text(a.numbers[0], "OK bluebird")
        assert result.duress
        assert ("duress", "red") in [(k, lv) for _, k, lv in a.alarms()]
        wait_until(lambda: in_step(trust, a), timeout=10)
        assert [al.kind for al in next(s for s in view().sites if s.name == "a").alarms] == ["duress"]

        # the trust server goes down; both schools carry on exactly as before
        trust.stop()
        with pytest.raises(Unreachable):
            view()
        down_from = len(a.durations), len(b.durations)
        b.text(b.numbers[1], "SOS")  # Bob B's phone is not out: SOS still raises red
        b.text(b.numbers[0], "ARRIVED pelican")  # Ann B, on a visit, texts her code word
        a.text(a.numbers[1], "ARRIVED")
        b_new = b.sign_out(b.bob, 20)
        clock.advance(minutes=95)  # past everyone's due-back
        a.tick()
        b.tick()
        assert [k for _, k, _ in a.alarms()].count("overdue") == 2  # Ann A and Bob A
        assert ("duress", "red") in [(k, lv) for _, k, lv in b.alarms()]
        assert [k for _, k, _ in b.alarms()].count("overdue") == 2  # Ann B and Bob B's new visit
        assert b_new.id == 2
        for site in (a, b):  # the site's slot waits for the trust, holding WAL, not blocking anyone
            slot = site.cluster.psql(f"SELECT active FROM pg_replication_slots WHERE slot_name = 'kiosk_site_{site.name}'")
            assert slot == "f"
        while_down = a.durations[down_from[0]:] + b.durations[down_from[1]:]
        assert len(while_down) >= 8 and max(while_down) < SITE_LIMIT, while_down

        # the trust server comes back: it catches up by itself, nothing lost, nothing twice
        trust.start()
        caught_up = wait_until(lambda: in_step(trust, a) and in_step(trust, b), timeout=20)
        for site in (a, b):
            for table in PUBLISHED:
                site_ids = [r[0] for r in site.published_rows(table)]
                trust_ids = [r[0] for r in trust_rows(trust, site, table)]
                assert trust_ids == site_ids and len(set(trust_ids)) == len(trust_ids), (site.name, table)
        shown = {board.name: board for board in view().sites}
        assert not shown["a"].stale and not shown["b"].stale
        assert sorted(al.kind for al in shown["a"].alarms) == ["duress", "overdue", "overdue"]
        assert sorted(al.kind for al in shown["b"].alarms) == ["duress", "overdue", "overdue", "sos"]
        assert {v.level for v in shown["b"].visits} == {"red", "amber"}
        assert shown["a"].link is None  # the gateway's heartbeat replicated: the SMS link is up

        # no code word anywhere on the trust server; the same scan finds them on a site
        words = [w for pair in CODE_WORDS.values() for w in pair]
        assert code_word_hits(trust, words) == []
        assert code_word_hits(a.cluster, ["bluebird"])  # the scan can see a code word where there is one

        # a site goes quiet: the trust view says STALE for it, and only for it
        b.cluster.stop()
        wait_until(lambda: next(s for s in view().sites if s.name == "b").stale, timeout=10)
        quiet = {board.name: board for board in view().sites}
        assert "STALE" in quiet["b"].freshness and not quiet["a"].stale
        assert [v.label for v in quiet["b"].visits]  # the last board received is still shown
        b.cluster.start()
        print(f"\nreplication test: caught up {caught_up:.2f} s after the trust restarted; slowest site "
              f"operation while it was down {max(while_down) * 1000:.0f} ms; total {time.monotonic() - started:.1f} s")
    finally:
        for site in (a, b):
            site.db.close()
        database_proxy.initialize(None)
