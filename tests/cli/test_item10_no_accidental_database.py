"""Issue 14 item 10: a mistyped database is refused, not created.

Only `kiosk init` (which says what it made), `kiosk staff add` (the first set-up step) and
`kiosk demo` (its own throwaway folder) make a database. Every other command, `gateway` and `ui`
included, exits 2 naming the path and `kiosk init`, and makes nothing, not even the folder.
The table below must name every command the CLI has: a new command is added to it (or to
NO_DATABASE, with the reason) before this test passes again.
"""

from __future__ import annotations

import argparse
import io
import os
import sqlite3
import stat
import sys

import pytest

from kiosk.cli import build_parser, main
from kiosk.store import open_database
from kiosk.store.db import NoDatabase
from kiosk.store.migrations import LATEST

NOW = "2026-11-24T14:00:00+00:00"
BY = ["--by", "AB"]
PERIOD = ["--from", "2026-11-01", "--to", "2026-11-30"]

# Every command that reads or writes the site's database, with arguments that get it that far.
NEEDS_DATABASE = {
    "backup": ["{tmp}/backups"], "restore": ["{tmp}/backup-that-is-not-there.db"],
    "purge": [], "export": PERIOD, "report": PERIOD, "doctor": [],
    "pin set": ["--initials", "AB"], "pin remove": ["--initials", "AB"], "pin list": [],
    "privacy export": ["--staff", "1"], "privacy erase": ["--staff", "1"],
    "migrate": ["--to", "postgresql://nobody@127.0.0.1:9/kiosk"],
    "serve": ["--config", "{tmp}/serve.toml"],
    "staff list": [], "staff edit": ["Ann Lee", "--approver"], "phone add": ["07700 900999"], "phone list": [],
    "visit report": ["1"], "visit out": ["--staff", "Ann Lee", "--place", "14 Elm Rd", "--due", "+60"],
    "visit back": ["1", *BY], "visit checkin": ["1", *BY], "visit duress": ["1", *BY],
    "visit approve": ["1", *BY], "visit extend": ["1", "--minutes", "30", *BY],
    "selftest": [], "status": [], "board": [], "messages": [], "alarms": [], "sms-in": ["--from", "07700 900123", "BACK"], "tick": [],
    "ack": ["1", "--action", "answered", *BY], "register add": ["--reason", "dog", "--postcode", "LU4"],
    "register list": [],
    "gateway": ["--port", "{tmp}/no-modem"], "ui": [],  # long-running: run as their own process below
}
CREATORS = {"init", "staff add", "demo"}
NO_DATABASE = {
    "config": "prints the config only",
    "simulator": "a simulated modem, no database",
    "admin set-pin": "writes the admin PIN hash into the config file",
    "trust publish": "PostgreSQL sites only, and it needs a server (tests/trust)",
    "trust add-site": "the trust server's own database (tests/trust)",
    "trust refresh-site": "the trust server's own database (tests/trust)",
    "trust remove-site": "the trust server's own database (tests/trust)",
    "trust sites": "the trust server's own database (tests/trust)",
}
LONG_RUNNING = {"gateway", "ui"}


def commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> set[str]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return {" ".join(prefix)}
    return set().union(*(commands(p, prefix + (name,)) for name, p in subs[0].choices.items()))


def test_item10_the_table_names_every_command():
    assert commands(build_parser()) == set(NEEDS_DATABASE) | CREATORS | set(NO_DATABASE)


def everything_under(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def refused(done_code: int, err: str, path) -> None:
    assert done_code == 2, err
    assert str(path) in err and "kiosk init" in err, err


@pytest.mark.parametrize("name", sorted(set(NEEDS_DATABASE) - LONG_RUNNING))
def test_item10_every_command_refuses_a_missing_database_and_makes_nothing(tmp_path, monkeypatch, capsys, name):
    monkeypatch.setenv("KIOSK_CONFIG", os.devnull)
    monkeypatch.setenv("KIOSK_NOW", NOW)
    monkeypatch.setattr(sys, "stdin", io.StringIO("1234\n"))  # pin set reads a PIN first
    (tmp_path / "serve.toml").write_text('[serve]\ntoken = "' + "t" * 40 + '"\n')
    os.chmod(tmp_path / "serve.toml", 0o600)
    before = everything_under(tmp_path)
    db = tmp_path / "nodir" / "x.db"
    argv = [*name.split(), *(a.format(tmp=tmp_path) for a in NEEDS_DATABASE[name]), "--db", str(db)]
    code = main(argv)
    out, err = capsys.readouterr()
    if name == "doctor":  # the doctor reports on stdout, one line per check; exit 2 on a failure
        assert code == 2 and f"no database at {db}" in out and "kiosk init" in out, out
    else:
        refused(code, err, db)
    assert everything_under(tmp_path) == before  # not the file, not the folder, not a backup folder


@pytest.mark.parametrize("name", sorted(LONG_RUNNING))
def test_item10_gateway_and_ui_refuse_a_missing_database_and_make_nothing(tmp_path, kiosk_cli, name):
    db = tmp_path / "nodir" / "x.db"
    args = [a.format(tmp=tmp_path) for a in NEEDS_DATABASE[name]]
    done = kiosk_cli(name, "--db", str(db), *args, env={"KIOSK_NOW": NOW}, timeout=60)
    refused(done.returncode, done.stderr, db)
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert everything_under(tmp_path) == []


def test_item10_a_folder_that_exists_gets_no_file_either(tmp_path, kiosk_cli):
    done = kiosk_cli("--db", str(tmp_path / "x.db"), "board", env={"KIOSK_NOW": NOW})
    refused(done.returncode, done.stderr, tmp_path / "x.db")
    assert everything_under(tmp_path) == []


def test_item10_sms_in_to_a_mistyped_database_stores_nothing(tmp_path, kiosk_cli):
    """What was observed: staff texts were stored as 'ignored' in a new, empty database."""
    real = tmp_path / "kiosk.db"
    assert kiosk_cli("staff", "add", "--name", "Ann Lee", "--mobile", "07700 900123", "--db", str(real),
                     env={"KIOSK_NOW": NOW}).returncode == 0
    typo = tmp_path / "kiosk.bd"
    done = kiosk_cli("sms-in", "--db", str(typo), "--from", "07700 900123", "SOS", env={"KIOSK_NOW": NOW})
    refused(done.returncode, done.stderr, typo)
    assert not typo.exists() and done.stdout == ""


def test_item10_init_makes_the_database_says_what_and_makes_nothing_twice(tmp_path, kiosk_cli):
    db = tmp_path / "new" / "kiosk.db"
    first = kiosk_cli("init", "--db", str(db), env={"KIOSK_NOW": NOW})
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0] == f"made folder {db.parent} (owner only)"
    assert lines[1] == f"made database {db} (schema v{LATEST}, readable by its owner only)"
    assert lines[2].startswith("next: kiosk staff add")
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    again = kiosk_cli("init", "--db", str(db), env={"KIOSK_NOW": NOW})
    assert (again.returncode, again.stdout) == (0, f"kiosk database {db} is already there (schema v{LATEST}): "
                                                   "nothing made\n")
    board = kiosk_cli("board", "--db", str(db), env={"KIOSK_NOW": NOW})
    assert (board.returncode, board.stdout) == (0, "no visits out\n")


def test_item10_init_never_makes_kiosk_tables_in_someone_elses_database(tmp_path, kiosk_cli):
    other = tmp_path / "recipes.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE recipes (name TEXT)")
    con.commit()
    con.close()
    before = other.read_bytes()
    done = kiosk_cli("init", "--db", str(other))
    assert done.returncode == 2 and "holds another database (tables: recipes)" in done.stderr
    assert other.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["recipes.db"]


def test_item10_staff_add_is_the_first_set_up_step(tmp_path, kiosk_cli):
    db = tmp_path / "new" / "kiosk.db"
    done = kiosk_cli("staff", "add", "--name", "Ann Lee", "--mobile", "07700 900123", "--alerts", "--db", str(db),
                     env={"KIOSK_NOW": NOW})
    assert done.returncode == 0 and done.stdout.startswith("staff 1: Ann Lee"), done.stderr
    assert kiosk_cli("staff", "list", "--db", str(db), env={"KIOSK_NOW": NOW}).returncode == 0


def test_item10_restore_needs_a_database_to_replace(tmp_path, kiosk_cli):
    """A new machine: `kiosk init`, then `kiosk restore` over the empty database."""
    site = tmp_path / "site.db"
    assert kiosk_cli("staff", "add", "--name", "Ann Lee", "--mobile", "07700 900123", "--db", str(site)).returncode == 0
    backup = kiosk_cli("backup", str(tmp_path / "backups"), "--db", str(site))
    assert backup.returncode == 0, backup.stderr
    copy = next((tmp_path / "backups").glob("kiosk-*.db"))
    new = tmp_path / "new" / "kiosk.db"
    refused(*(lambda d: (d.returncode, d.stderr))(kiosk_cli("restore", str(copy), "--db", str(new))), new)
    assert not new.parent.exists()
    assert kiosk_cli("init", "--db", str(new)).returncode == 0
    done = kiosk_cli("restore", str(copy), "--db", str(new), "--force")
    assert done.returncode == 0, done.stderr
    assert "Ann Lee" in kiosk_cli("staff", "list", "--db", str(new)).stdout


# --- the store: open_database(create=False) ------------------------------------------------------------

def test_item10_store_refuses_without_making_anything(tmp_path):
    with pytest.raises(NoDatabase, match="kiosk init"):
        open_database(tmp_path / "nodir" / "x.db", create=False)
    assert everything_under(tmp_path) == []


def test_item10_store_refuses_an_empty_file_and_someone_elses_database_untouched(tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE recipes (name TEXT)")
    con.commit()
    con.close()
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    for path in (empty, other):
        with pytest.raises(NoDatabase):
            open_database(path, create=False)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no -wal, no -shm, no change


def test_item10_store_opens_an_existing_database_without_create(tmp_path):
    open_database(tmp_path / "k.db", create=True).close()
    db = open_database(tmp_path / "k.db", create=False)
    db.close()


@pytest.mark.postgresql
def test_item10_postgresql_database_without_kiosk_tables_is_refused(pg_server, kiosk_cli, tmp_path):
    from kiosk.store.migrations import current_version

    url = pg_server.empty()
    try:
        with pytest.raises(NoDatabase, match="has no kiosk tables"):
            open_database(url, create=False)
        board = kiosk_cli("board", "--db", url, env={"KIOSK_NOW": NOW})
        assert board.returncode == 2 and "has no kiosk tables" in board.stderr and "kiosk init" in board.stderr
        gateway = kiosk_cli("gateway", "--db", url, "--port", str(tmp_path / "no-modem"), env={"KIOSK_NOW": NOW})
        assert gateway.returncode == 2 and "kiosk init" in gateway.stderr
        with pytest.raises(NoDatabase):  # still none: neither command made the tables
            open_database(url, create=False)
    finally:
        pg_server.drop(url)
    url = pg_server.empty()
    try:
        done = kiosk_cli("init", "--db", url)
        assert done.returncode == 0 and "made kiosk's tables in" in done.stdout, done.stderr
        db = open_database(url, create=False)
        assert current_version(db) == LATEST
        db.close()
    finally:
        pg_server.drop(url)
