"""A site whose config says `database.url = "postgresql://..."`: every command finds the server
through the config; the commands that only make sense for an SQLite file say so in one line."""

from __future__ import annotations

import json

import pytest

from kiosk.config import config_from_mapping
from kiosk.store.db import describe, is_postgres
from tests.conftest import run_kiosk

NOW = "2026-11-24T14:00:00+00:00"


@pytest.fixture
def site_config(tmp_path, database):
    """A config naming this test's database: the URL on a PostgreSQL pass, the path on SQLite."""
    config = tmp_path / "kiosk.toml"
    key = "url" if is_postgres(database) else "path"
    config.write_text(f'[database]\n{key} = "{database}"\n')
    return config


def test_commands_find_the_database_through_the_config(site_config, database, tmp_path):
    env = {"KIOSK_NOW": NOW, "KIOSK_CONFIG": str(site_config), "HOME": str(tmp_path)}
    add = run_kiosk("staff", "add", "--name", "Ann Lee", "--mobile", "07700 900123", "--code-word", "bluebird", env=env)
    assert add.returncode == 0, add.stderr
    out = run_kiosk("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd", "--due", "15:30", env=env)
    assert out.returncode == 0, out.stderr
    board = run_kiosk("board", "--json", env=env)
    assert [row["staff"] for row in json.loads(board.stdout)] == [["Ann Lee"]]
    assert not (tmp_path / ".local").exists()  # nothing fell back to the default SQLite file


@pytest.mark.postgresql
def test_backup_and_restore_point_a_postgresql_site_to_pg_dump(site_config, tmp_path):
    for args in (["backup", str(tmp_path / "backups")], ["restore", str(tmp_path / "x.db")]):
        result = run_kiosk(*args, "--config", str(site_config))
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and "pg_dump" in result.stderr
    assert not (tmp_path / "backups").exists()


@pytest.mark.postgresql
def test_doctor_checks_the_server_and_says_which_checks_are_sqlites(site_config, database):
    result = run_kiosk("doctor", "--config", str(site_config), "--port", "/nonexistent/modem")
    lines = result.stdout.splitlines()
    assert any(line.startswith("OK") and "database: PostgreSQL at" in line for line in lines), result.stdout
    assert any(line.startswith("SKIP") and "database integrity" in line for line in lines)
    assert any(line.startswith("OK") and "database schema: current" in line for line in lines)
    assert any(line.startswith("OK") and "database writable" in line for line in lines)


@pytest.mark.postgresql
def test_doctor_says_an_unreachable_server_in_one_check(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('[database]\nurl = "postgresql://kiosk:hunter2@127.0.0.1:1/kiosk"\n')
    result = run_kiosk("doctor", "--config", str(config), "--port", "/nonexistent/modem")
    assert "FAIL  database: cannot reach postgresql://kiosk:***@127.0.0.1:1/kiosk" in result.stdout
    assert "hunter2" not in result.stdout + result.stderr
    assert result.returncode == 2


def test_config_target_is_the_url_when_set_else_the_file(tmp_path):
    on_file = config_from_mapping({"database": {"path": str(tmp_path / "k.db")}})
    assert on_file.database.target() == tmp_path / "k.db"
    on_server = config_from_mapping({"database": {"path": str(tmp_path / "k.db"),
                                                  "url": "postgresql://kiosk@db.school.lan/kiosk"}})
    assert on_server.database.target() == "postgresql://kiosk@db.school.lan/kiosk"


def test_a_password_is_never_shown(tmp_path):
    assert describe("postgresql://kiosk:s3cret@db/kiosk") == "postgresql://kiosk:***@db/kiosk"
    config = tmp_path / "kiosk.toml"
    config.write_text('[database]\nurl = "postgresql://kiosk:s3cret@db:x/kiosk"\n')
    bad = run_kiosk("board", "--config", str(config))
    assert bad.returncode == 2 and "s3cret" not in bad.stderr and "***" in bad.stderr
    config.write_text('[database]\nurl = "postgresql://kiosk:s3cret@db/kiosk"\n')
    shown = run_kiosk("config", "--config", str(config))
    assert "s3cret" not in shown.stdout and "password not shown" in shown.stdout
