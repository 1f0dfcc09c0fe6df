"""Backup while the gateway writes, generations, and a restore that refuses bad sources and busy
databases without changing anything."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.ops.backup import (BackupError, RestoreRefused, active_services, backup_database,
                          check_database_file, generations, prune_generations, restore_database)
from kiosk.clock import FakeClock
from tests.conftest import run_kiosk

WRITER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], timeout=5)
conn.execute("PRAGMA journal_mode=wal")
n = 0
while True:
    with conn:
        conn.execute("INSERT INTO event (body) VALUES (?)", ("x" * 3000,))
    n += 1
    if n == 20:
        print("writing", flush=True)
"""


def make_database(path: Path, rows: int = 1500) -> None:
    """A kiosk-shaped database (schema_version table, WAL) of a few megabytes."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=wal")
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT)")
    conn.execute("INSERT INTO schema_version VALUES (3, '2026-11-24T14:00:00+00:00')")
    conn.execute("CREATE TABLE event (id INTEGER PRIMARY KEY, body TEXT)")
    conn.executemany("INSERT INTO event (body) VALUES (?)", [("y" * 3000,)] * rows)
    conn.commit()
    conn.close()
    os.chmod(path, 0o600)


def count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM event").fetchone()[0]
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def writer(db_path):
    """Another process committing to the database continuously, as the gateway does."""
    make_database(db_path)
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    yield proc
    proc.kill()
    proc.wait()


def test_backup_while_another_process_writes_is_sound_and_restores(writer, db_path, tmp_path, clock):
    before = count(db_path)
    pages_seen = []
    result = backup_database(db_path, tmp_path / "backups", clock=clock,
                             progress=lambda done, total: pages_seen.append((done, total)))
    assert writer.poll() is None, "the writer kept running during the backup"
    assert result.path.name == "kiosk-20261124T140000Z.db"
    assert check_database_file(result.path) is None
    copied = count(result.path)
    assert copied >= before
    assert len(pages_seen) > 1 and pages_seen[-1][0] == pages_seen[-1][1] == result.pages
    assert mode(result.path) == 0o600
    assert not Path(f"{result.path}-wal").exists()
    deadline = time.monotonic() + 10
    while count(db_path) <= copied and time.monotonic() < deadline:
        time.sleep(0.01)
    assert count(db_path) > copied, "the writer went on committing after the snapshot"
    writer.kill()
    writer.wait()
    restored = restore_database(result.path, db_path, services=lambda: [])
    assert count(db_path) == copied
    assert restored.previous == Path(f"{db_path}.before-restore")
    assert count(restored.previous) > copied
    assert mode(db_path) == 0o600 and mode(restored.previous) == 0o600
    assert not Path(f"{db_path}-wal").exists()


def test_backup_cli_while_writing_prints_one_line_and_no_progress_from_a_script(writer, db_path, tmp_path):
    dest = tmp_path / "backups"
    result = run_kiosk("backup", "--db", str(db_path), str(dest), env={"KIOSK_NOW": "2026-11-24T02:30:00Z"})
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith(f"backup {dest}/kiosk-20261124T023000Z.db (")
    backup = dest / "kiosk-20261124T023000Z.db"
    assert check_database_file(backup) is None and mode(backup) == 0o600


def test_generations_keep_the_newest_and_never_touch_other_files(db_path, tmp_path):
    make_database(db_path, rows=10)
    dest = tmp_path / "backups"
    dest.mkdir()
    (dest / "notes.txt").write_text("the bursar's notes")
    (dest / "kiosk-latest.db").write_text("not one of ours")
    clock = FakeClock("2026-11-01T02:30:00+00:00")
    made = []
    for _ in range(5):
        made.append(backup_database(db_path, dest, keep=3, clock=clock).path)
        clock.advance(hours=24)
    assert generations(dest) == made[-3:]
    assert not made[0].exists() and not made[1].exists()
    assert (dest / "notes.txt").exists() and (dest / "kiosk-latest.db").exists()
    assert prune_generations(dest, 1) == made[-3:-1]


def test_two_backups_in_the_same_second_both_survive(db_path, tmp_path, clock):
    make_database(db_path, rows=10)
    first = backup_database(db_path, tmp_path, clock=clock).path
    second = backup_database(db_path, tmp_path, clock=clock).path
    assert first.name == "kiosk-20261124T140000Z.db" and second.name == "kiosk-20261124T140000Z-2.db"
    assert generations(tmp_path) == [first, second]


def test_backup_of_a_missing_or_foreign_file_is_refused(tmp_path, clock):
    with pytest.raises(BackupError, match="no database at"):
        backup_database(tmp_path / "nope.db", tmp_path / "b", clock=clock)
    text = tmp_path / "notes.db"
    text.write_text("hello, this is not SQLite at all")
    with pytest.raises(BackupError, match="not a SQLite database"):
        backup_database(text, tmp_path / "b", clock=clock)
    assert not (tmp_path / "b").exists() or list((tmp_path / "b").iterdir()) == []


def corrupt_copy(good: Path, target: Path) -> Path:
    """A SQLite file whose pages are damaged (header intact): integrity_check must catch it."""
    data = bytearray(good.read_bytes())
    page = 4096
    for offset in range(page * 2, min(len(data), page * 40), page):
        data[offset:offset + 64] = b"\xff" * 64
    target.write_bytes(bytes(data))
    return target


@pytest.mark.parametrize("kind", ["text", "empty", "corrupt", "not kiosk", "missing"])
def test_restore_refuses_a_bad_source_with_one_line_and_changes_nothing(kind, db_path, tmp_path, clock):
    make_database(db_path, rows=300)
    good = backup_database(db_path, tmp_path / "b", clock=clock).path
    source = tmp_path / "source.db"
    if kind == "text":
        source.write_text("Name,Phone\nAsha,07700900123\n")
    elif kind == "empty":
        source.write_bytes(b"")
    elif kind == "corrupt":
        corrupt_copy(good, source)
    elif kind == "not kiosk":
        other = sqlite3.connect(source)
        other.execute("CREATE TABLE pupils (name TEXT)")
        other.commit()
        other.close()
    before = digest(db_path)
    listing = sorted(os.listdir(db_path.parent))
    result = run_kiosk("restore", "--db", str(db_path), str(source))
    assert result.returncode == 2
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("kiosk: ")
    assert digest(db_path) == before and sorted(os.listdir(db_path.parent)) == listing


def test_check_database_file_spots_damage(db_path, tmp_path, clock):
    make_database(db_path, rows=300)
    good = backup_database(db_path, tmp_path / "b", clock=clock).path
    assert check_database_file(good) is None
    reason = check_database_file(corrupt_copy(good, tmp_path / "bad.db"))
    assert reason is not None and "\n" not in reason


def test_restore_refuses_while_services_run(db_path, tmp_path, clock):
    make_database(db_path, rows=10)
    good = backup_database(db_path, tmp_path / "b", clock=clock).path
    before = digest(db_path)
    with pytest.raises(RestoreRefused, match="kiosk-gateway.service running: stop first"):
        restore_database(good, db_path, services=lambda: ["kiosk-gateway.service"])
    assert digest(db_path) == before
    assert not Path(f"{db_path}.before-restore").exists()


def test_restore_refuses_while_another_process_has_the_database_open(writer, db_path, tmp_path, clock):
    good = backup_database(db_path, tmp_path / "b", clock=clock).path
    with pytest.raises(RestoreRefused, match="open in another process"):
        restore_database(good, db_path, services=lambda: [])
    assert not Path(f"{db_path}.before-restore").exists()
    assert writer.poll() is None


def test_restore_cli_refuses_a_busy_database_with_exit_1(writer, db_path, tmp_path, clock):
    good = backup_database(db_path, tmp_path / "b", clock=clock).path
    result = run_kiosk("restore", "--db", str(db_path), str(good))
    assert result.returncode == 1
    assert result.stderr.startswith("kiosk: refused: ") and "open in another process" in result.stderr


def test_restore_cli_replaces_the_database_and_keeps_the_old_one(db_path, tmp_path, clock):
    make_database(db_path, rows=10)
    good = backup_database(db_path, tmp_path / "b", clock=clock).path
    conn = sqlite3.connect(db_path)
    conn.execute("DELETE FROM event")
    conn.commit()
    conn.close()
    result = run_kiosk("restore", "--db", str(db_path), str(good))
    assert result.returncode == 0, result.stderr
    assert count(db_path) == 10 and count(Path(f"{db_path}.before-restore")) == 0
    assert result.stdout.startswith(f"restored {db_path} from {good}")


def test_keep_must_be_a_positive_number(db_path, tmp_path):
    make_database(db_path, rows=1)
    for bad in ("0", "-3", "many"):
        result = run_kiosk("backup", "--db", str(db_path), str(tmp_path / "b"), "--keep", bad)
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "b").exists()


def test_active_services_asks_systemctl_about_each_service():
    asked = []

    def run(cmd, **kwargs):
        asked.append(cmd[-1])
        return subprocess.CompletedProcess(cmd, 0 if cmd[-1] == "kiosk-gateway.service" else 3)

    assert active_services(run=run, booted=True) == ["kiosk-gateway.service"]
    assert asked == ["kiosk-gateway.service", "kiosk-ui.service", "kiosk-ui-wayland.service"]
    assert active_services(run=run, booted=False) == []


def test_backup_shows_progress_on_a_terminal(db_path, tmp_path):
    import pty

    make_database(db_path, rows=1500)
    leader, follower = pty.openpty()
    try:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "KIOSK_CONFIG": os.devnull,
               "KIOSK_NOW": "2026-11-24T02:30:00Z"}
        result = subprocess.run([sys.executable, "-m", "kiosk", "backup", "--db", str(db_path), str(tmp_path / "b")],
                                stdout=subprocess.PIPE, stderr=follower, env=env, timeout=60, text=True)
        os.close(follower)
        follower = -1
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    assert result.returncode == 0
    assert shown.count(b"backing up:") > 1
    assert b"100% (" in shown


def test_backup_finds_the_database_through_the_config(db_path, tmp_path):
    make_database(db_path, rows=5)
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[database]\npath = "{db_path}"\n')
    result = run_kiosk("backup", "--config", str(config), str(tmp_path / "b"),
                       env={"KIOSK_NOW": "2026-11-24T02:30:00Z"})
    assert result.returncode == 0, result.stderr
    assert count(tmp_path / "b" / "kiosk-20261124T023000Z.db") == 5


def test_a_broken_config_is_one_line_and_no_backup(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('[database]\npath = 42\n')
    result = run_kiosk("backup", "--config", str(config), str(tmp_path / "b"))
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "b").exists()
