"""`kiosk trust publish / add-site / sites / remove-site` and the view's text and JSON, on real
PostgreSQL clusters (one site, one trust) run by the real CLI.

Issue 9: "Code-word columns are never published"; the trust's tools say clearly what went wrong,
in one line, and change nothing when they cannot do what was asked.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import uuid

import pytest

from kiosk.cli import main

from kiosk.trust.published import PUBLICATION, PUBLISHED
from tests.conftest import run_kiosk
from tests.trust.clusters import free_port
from tests.trust.conftest import REPLICATION_ROLE, make_site_database, wait_until

pytestmark = pytest.mark.postgresql  # runs its own clusters: in the PostgreSQL pass only


@pytest.fixture(scope="module")
def site(clusters):
    return clusters.new("site")


@pytest.fixture(scope="module")
def trust(clusters):
    return clusters.new("trust")


def kiosk(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI's own `main` in this process (a subprocess costs a second of imports per call; the
    tests marked `real` below run the real `python -m kiosk` too)."""
    out, err = io.StringIO(), io.StringIO()
    old = os.environ.get("KIOSK_CONFIG")
    os.environ["KIOSK_CONFIG"] = os.devnull
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        if old is None:
            os.environ.pop("KIOSK_CONFIG", None)
        else:
            os.environ["KIOSK_CONFIG"] = old
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def trust_databases(trust) -> list[str]:
    return trust.psql("SELECT datname FROM pg_database WHERE datname LIKE 'kiosk_site_%' ORDER BY 1").split()


def published_columns(cluster, db: str) -> dict[str, list[str]]:
    out = cluster.psql(f"SELECT tablename || ':' || array_to_string(attnames, ',') FROM pg_publication_tables "
                       f"WHERE pubname = '{PUBLICATION}'", db=db)
    return {line.split(":")[0]: sorted(line.split(":")[1].split(",")) for line in out.splitlines()}


def test_publish_is_idempotent_and_lists_exactly_the_allowed_columns(site):
    url = make_site_database(site, "pub_once")
    first = kiosk("trust", "publish", "--url", url)
    assert first.returncode == 0, first.stderr
    assert "created" in first.stdout
    second = kiosk("trust", "publish", "--url", url)
    assert second.returncode == 0, second.stderr
    assert "unchanged" in second.stdout and "created" not in second.stdout
    assert published_columns(site, "pub_once") == {t: sorted(c) for t, c in PUBLISHED.items()}
    assert site.psql(f"SELECT count(*) FROM pg_publication WHERE pubname = '{PUBLICATION}'", db="pub_once") == "1"


def test_publish_repairs_a_publication_someone_widened(site):
    """A hand-made FOR ALL TABLES publication (it would send code words) is replaced."""
    url = make_site_database(site, "pub_widened")
    site.psql(f"CREATE PUBLICATION {PUBLICATION} FOR ALL TABLES", db="pub_widened")
    as_kiosk = kiosk("trust", "publish", "--url", url)  # the kiosk role does not own it: one line, no change
    assert as_kiosk.returncode == 2 and "must be owner of publication" in as_kiosk.stderr
    assert len(as_kiosk.stderr.strip().splitlines()) == 1
    done = kiosk("trust", "publish", "--url", site.url("pub_widened"))  # a superuser (the owner) can
    assert done.returncode == 0, done.stderr
    assert "updated" in done.stdout
    columns = published_columns(site, "pub_widened")
    assert columns == {t: sorted(c) for t, c in PUBLISHED.items()}
    assert not any("code_word" in c for c in columns.values())


def test_publish_grant_lets_the_replication_role_read_only_published_columns(site):
    url = make_site_database(site, "pub_grant")
    done = kiosk("trust", "publish", "--url", url, "--grant", REPLICATION_ROLE)
    assert done.returncode == 0, done.stderr
    assert f"role {REPLICATION_ROLE} may read only the published columns" in done.stdout
    assert site.psql("SELECT count(*) FROM visit", db="pub_grant", user=REPLICATION_ROLE) == "0"
    assert site.psql("SELECT count(label) FROM visit", db="pub_grant", user=REPLICATION_ROLE) == "0"
    for sql in ("SELECT code_word FROM staff", "SELECT place FROM visit", "SELECT text FROM message",
                "SELECT text FROM sms_part", "SELECT pin_hash FROM reception_user"):
        with pytest.raises(Exception) as refused:
            site.psql(sql, db="pub_grant", user=REPLICATION_ROLE)
        assert "permission denied" in refused.value.stderr
    again = kiosk("trust", "publish", "--url", url, "--grant", REPLICATION_ROLE)
    assert again.returncode == 0 and "unchanged" in again.stdout


@pytest.mark.parametrize("args, expected", [
    (("--url", "mysql://x/y"), "site URL: must be a postgresql://"),
    (("--url", "postgresql://kiosk@127.0.0.1:1/kiosk"), "unreachable"),
    (("--grant", "Robert'); DROP"), "--grant: a role name"),
])
def test_publish_refuses_bad_input_in_one_line(site, args, expected):
    # A fresh database name per case (str hashes are salted per process, so a hash could collide).
    url = make_site_database(site, f"pub_bad_{uuid.uuid4().hex[:12]}")
    full = list(args) if args[0] == "--url" else ["--url", url, *args]
    done = kiosk("trust", "publish", *full)
    assert done.returncode == 2
    assert expected in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert done.stdout == ""


def test_publish_refuses_a_server_that_cannot_publish(clusters):
    """wal_level = replica: the publication would never send anything; say what to change."""
    plain = clusters.new("plain", wal_level="replica")
    url = make_site_database(plain, "kiosk")
    done = kiosk("trust", "publish", "--url", url)
    assert done.returncode == 2 and "set wal_level = logical" in done.stderr
    assert plain.psql("SELECT count(*) FROM pg_publication", db="kiosk") == "0"
    plain.stop()


@pytest.mark.parametrize("role, expected", [
    ("nobody_here", "no role nobody_here on this server"),
    ("kiosk", "role kiosk needs LOGIN and REPLICATION"),
])
def test_publish_grant_needs_an_existing_replication_role(site, role, expected):
    url = make_site_database(site, f"pub_role_{role}")
    done = kiosk("trust", "publish", "--url", url, "--grant", role)
    assert done.returncode == 2 and expected in done.stderr
    assert site.psql("SELECT count(*) FROM pg_publication", db=f"pub_role_{role}") == "0"


def test_publish_without_a_postgresql_site_says_how(tmp_path):
    done = kiosk("trust", "publish", "--db", str(tmp_path / "kiosk.db"))
    assert done.returncode == 2
    assert "needs the site's PostgreSQL" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_publish_on_a_database_that_is_not_kiosk_changes_nothing(site):
    site.psql("CREATE DATABASE not_kiosk")
    done = kiosk("trust", "publish", "--url", site.url("not_kiosk"))
    assert done.returncode == 2 and "not a migrated kiosk database" in done.stderr
    assert site.psql("SELECT count(*) FROM pg_publication", db="not_kiosk") == "0"


def test_add_site_copies_the_site_then_refuses_a_second_add(site, trust):
    url = make_site_database(site, "north")
    assert kiosk("trust", "publish", "--url", url, "--grant", REPLICATION_ROLE).returncode == 0
    site.psql("INSERT INTO staff (name, role, receives_alerts, code_word, vehicle_reg, vehicle_make, "
              "vehicle_colour, active, created_at, approver, alert_tier) "
              "VALUES ('Ann Smith', '', true, 'pelican', '', '', '', true, now(), false, 1)",
              db="north")
    replication_url = site.url("north", REPLICATION_ROLE)
    added = kiosk("trust", "add-site", "north", replication_url, "--trust-url", trust.url())
    assert added.returncode == 0, added.stderr
    assert "site north added" in added.stdout
    wait_until(lambda: trust.psql("SELECT count(*) FROM staff", db="kiosk_site_north") == "1")
    assert trust.psql("SELECT name FROM staff", db="kiosk_site_north") == "Ann Smith"
    columns = trust.psql("SELECT string_agg(column_name, ',') FROM information_schema.columns "
                         "WHERE table_schema = 'public' AND table_name = 'staff'", db="kiosk_site_north")
    assert "code_word" not in columns and "mobile" not in columns
    again = kiosk("trust", "add-site", "north", replication_url, "--trust-url", trust.url())
    assert again.returncode == 1
    assert "site north is already added" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    assert trust_databases(trust).count("kiosk_site_north") == 1
    sites = kiosk("trust", "sites", "--json", "--trust-url", trust.url())
    assert sites.returncode == 0, sites.stderr
    north = next(s for s in json.loads(sites.stdout) if s["site"] == "north")
    assert north["database"] == "kiosk_site_north" and north["enabled"] is True
    assert "***" not in north["source"] and REPLICATION_ROLE in north["source"]
    wait_until(lambda: json.loads(kiosk("trust", "sites", "--json", "--trust-url", trust.url()).stdout)[0]
               ["replication"] == "streaming")
    text = kiosk("trust", "sites", "--trust-url", trust.url())
    assert text.returncode == 0 and "north" in text.stdout and "streaming" in text.stdout
    board = kiosk("trust", "--once", "--trust-url", trust.url())
    assert board.returncode == 0, board.stderr
    assert "SITE north: 0 out" in board.stdout and "live: heard" in board.stdout
    assert "SMS link down: the gateway has not started" in board.stdout  # no health row replicated
    view = json.loads(kiosk("trust", "--json", "--trust-url", trust.url()).stdout)
    assert [s["site"] for s in view] == ["north"] and view[0]["stale"] is False and view[0]["visits"] == []


def test_add_site_with_an_unreachable_site_changes_nothing(trust):
    before = trust_databases(trust)
    done = run_kiosk("trust", "add-site", "ghost", f"postgresql://kiosk:s3cret@127.0.0.1:{free_port()}/kiosk",
                 "--trust-url", trust.url())
    assert done.returncode == 2
    line = done.stderr.strip()
    assert len(line.splitlines()) == 1 and "site" in line and "unreachable" in line
    assert "s3cret" not in line and "***" in line
    assert trust_databases(trust) == before


def test_add_site_that_publishes_nothing_changes_nothing(site, trust):
    url = make_site_database(site, "unpublished")
    before = trust_databases(trust)
    done = kiosk("trust", "add-site", "unpublished", url, "--trust-url", trust.url())
    assert done.returncode == 2 and "run `kiosk trust publish` on the site first" in done.stderr
    assert trust_databases(trust) == before


def test_refresh_site_takes_in_a_newly_published_column_and_replication_resumes(site, trust):
    """After a kiosk upgrade publishes a column the trust's copy lacks, replication for that site
    stops (the site is unaffected); refresh-site adds the column and it resumes by itself."""
    url = make_site_database(site, "east")
    assert kiosk("trust", "publish", "--url", url).returncode == 0
    assert kiosk("trust", "add-site", "east", site.url("east"), "--trust-url", trust.url()).returncode == 0
    wait_until(lambda: trust.psql("SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'",
                                  db="kiosk_site_east") == "0")
    trust.psql("ALTER TABLE staff DROP COLUMN role", db="kiosk_site_east")  # an older copy, without it
    site.psql("INSERT INTO staff (name, role, receives_alerts, code_word, vehicle_reg, vehicle_make, "
              "vehicle_colour, active, created_at, approver, alert_tier) "
              "VALUES ('Eve East', 'DSL', false, 'osprey', '', '', '', true, now(), false, 1)",
              db="east")
    done = kiosk("trust", "refresh-site", "east", site.url("east"), "--trust-url", trust.url())
    assert done.returncode == 0, done.stderr
    assert "site east refreshed: staff.role" in done.stdout
    wait_until(lambda: trust.psql("SELECT name || ':' || role FROM staff", db="kiosk_site_east") == "Eve East:DSL")
    again = kiosk("trust", "refresh-site", "east", site.url("east"), "--trust-url", trust.url())
    assert again.returncode == 0 and "nothing new" in again.stdout
    missing = kiosk("trust", "refresh-site", "west", site.url("east"), "--trust-url", trust.url())
    assert missing.returncode == 2 and "no site west on the trust server" in missing.stderr


def test_add_site_on_the_trust_servers_own_cluster_is_refused_at_once(trust):
    """PostgreSQL cannot subscribe a cluster to itself this way (CREATE SUBSCRIPTION would hang)."""
    url = make_site_database(trust, "same_cluster")
    assert kiosk("trust", "publish", "--url", url).returncode == 0
    before = trust_databases(trust)
    done = kiosk("trust", "add-site", "same", url, "--trust-url", trust.url())
    assert done.returncode == 2 and "same PostgreSQL cluster" in done.stderr
    assert trust_databases(trust) == before


def test_remove_site_while_the_site_is_down_keeps_its_slot_and_says_how_to_drop_it(clusters, trust):
    lonely = clusters.new("lonely")
    url = make_site_database(lonely, "kiosk")
    assert kiosk("trust", "publish", "--url", url).returncode == 0
    assert kiosk("trust", "add-site", "lonely", lonely.url("kiosk"), "--trust-url", trust.url()).returncode == 0
    lonely.stop()
    done = kiosk("trust", "remove-site", "lonely", "--trust-url", trust.url())
    assert done.returncode == 0, done.stderr
    assert "pg_drop_replication_slot('kiosk_site_lonely')" in done.stdout
    assert "kiosk_site_lonely" not in trust_databases(trust)
    lonely.start()
    assert lonely.psql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'kiosk_site_lonely'") == "1"
    lonely.psql("SELECT pg_drop_replication_slot('kiosk_site_lonely')")  # what the message says works
    lonely.stop()


@pytest.mark.parametrize("name", ["North", "1north", "north-east", "x" * 31, "", "a b"])
def test_add_site_refuses_a_bad_name(trust, name):
    done = kiosk("trust", "add-site", name, "postgresql://kiosk@127.0.0.1/kiosk", "--trust-url", trust.url())
    assert done.returncode == 2 and "site name" in done.stderr


def test_trust_commands_with_the_trust_server_down_say_so_and_exit_non_zero():
    down = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"
    for args in (("trust", "--once"), ("trust", "--json"), ("trust", "sites"), ("trust",)):
        done = (run_kiosk if args == ("trust",) else kiosk)(*args, "--trust-url", down)
        assert done.returncode == 2, args
        assert "trust server" in done.stderr and "unreachable" in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and done.stdout == ""


def test_trust_without_a_configured_server_says_how():
    done = kiosk("trust", "--once")
    assert done.returncode == 2 and "set [trust] database_url" in done.stderr


def test_remove_site_drops_the_copy_and_the_slot_on_the_site(site, trust):
    url = make_site_database(site, "south")
    assert kiosk("trust", "publish", "--url", url).returncode == 0
    superuser = site.url("south")  # a superuser may replicate too (a site without a replication role)
    assert kiosk("trust", "add-site", "south", superuser, "--trust-url", trust.url()).returncode == 0
    assert site.psql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'kiosk_site_south'") == "1"
    done = kiosk("trust", "remove-site", "south", "--trust-url", trust.url())
    assert done.returncode == 0, done.stderr
    assert "kiosk_site_south" not in trust_databases(trust)
    assert site.psql("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'kiosk_site_south'") == "0"
    assert site.psql("SELECT count(*) FROM staff", db="south") == "0"  # the site's own data: untouched
    missing = kiosk("trust", "remove-site", "south", "--trust-url", trust.url())
    assert missing.returncode == 2 and "no site south" in missing.stderr


def test_connections_never_print_a_password(site):
    done = kiosk("trust", "publish", "--url", f"postgresql://kiosk:hunter2@127.0.0.1:{free_port()}/kiosk")
    assert done.returncode == 2 and "hunter2" not in done.stderr + done.stdout

