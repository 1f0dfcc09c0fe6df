"""Backup and restore of the kiosk database: verified copies while the gateway keeps writing.

A backup is made with SQLite's online backup API from one read snapshot (so a gateway writing all
the while neither blocks it nor makes it start over), checked with `PRAGMA integrity_check`, given
a UTC timestamp name (`kiosk-20261124T023000Z.db`, never anything from the data), made 0600 and
renamed into place only once complete; the oldest generations beyond `keep` are then deleted.
A restore checks the source first and refuses while the services or any other process have the
database open. This module must never write to a database it is restoring over without first
keeping the old one (`<db>.before-restore`), and never leave a half-written file under a final name.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import quote

from kiosk.clock import Clock, SystemClock

DEFAULT_KEEP = 14
SERVICES = ("kiosk-gateway.service", "kiosk-ui.service", "kiosk-ui-wayland.service")
PAGES_PER_STEP = 256
SQLITE_MAGIC = b"SQLite format 3\x00"
_GENERATION = re.compile(r"^kiosk-(\d{8}T\d{6}Z)(?:-(\d+))?\.db$")

Progress = Callable[[int, int], None]  # (pages copied, pages in total)


class BackupError(Exception):
    """The file given is not usable (missing, not SQLite, corrupt): one line, nothing changed."""


class RestoreRefused(Exception):
    """The database is in use (services running, another process has it open): nothing changed."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    pages: int
    removed: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class RestoreResult:
    database: Path
    previous: Path | None  # where the replaced database was kept, if there was one


# --- checking -----------------------------------------------------------------------------------

def check_database_file(path: str | Path) -> str | None:
    """None if `path` is a sound SQLite database, else a one-line reason. Reads, never writes."""
    file = Path(path)
    if not file.is_file():
        return f"{file} does not exist or is not a file"
    with open(file, "rb") as handle:
        if handle.read(16) != SQLITE_MAGIC:
            return f"{file} is not a SQLite database"
    try:
        conn = _read_only(file)
        try:
            rows = [str(row[0]) for row in conn.execute("PRAGMA integrity_check(20)")]
            if rows != ["ok"]:
                problems = [line.strip() for row in rows for line in row.splitlines()
                            if line.strip() and not line.startswith("***")]
                more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
                return f"{file} failed the integrity check: {problems[0] if problems else rows[0]}{more}"
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "schema_version" in tables:
                conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return f"{file} cannot be read as a database: {exc}"
    return None


def is_kiosk_database(path: str | Path) -> bool:
    """True if the (already checked) database has kiosk's schema_version table."""
    conn = _read_only(Path(path))
    try:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'").fetchone() is not None
    finally:
        conn.close()


def _read_only(file: Path) -> sqlite3.Connection:
    """Open a file nobody is writing (a backup, a staged copy) without creating -wal/-shm or
    taking locks: immutable=1 reads exactly the bytes of the main file."""
    return sqlite3.connect(f"file:{quote(str(file.resolve()))}?mode=ro&immutable=1", uri=True, timeout=1)


# --- backup -------------------------------------------------------------------------------------

def generation_name(when: datetime, seq: int = 1) -> str:
    stamp = when.strftime("%Y%m%dT%H%M%SZ")
    return f"kiosk-{stamp}.db" if seq == 1 else f"kiosk-{stamp}-{seq}.db"


def generations(dest_dir: str | Path) -> list[Path]:
    """The backups kiosk made in `dest_dir`, oldest first. Other files are never listed."""
    found = []
    for entry in Path(dest_dir).iterdir():
        match = _GENERATION.match(entry.name)
        if match and entry.is_file():
            found.append((match[1], int(match[2] or 1), entry))
    return [entry for _, _, entry in sorted(found)]


def prune_generations(dest_dir: str | Path, keep: int) -> list[Path]:
    """Delete the oldest backups so that `keep` remain; returns what was deleted."""
    if keep < 1:
        raise ValueError("keep must be at least 1")
    old = generations(dest_dir)[:-keep]
    for path in old:
        path.unlink()
    return old


def backup_database(db_path: str | Path, dest_dir: str | Path, *, keep: int = DEFAULT_KEEP,
                    clock: Clock | None = None, progress: Progress | None = None) -> BackupResult:
    """Copy the database at `db_path` into `dest_dir` as a new verified generation."""
    if keep < 1:
        raise BackupError("--keep must be at least 1")
    source = Path(db_path)
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    with open(source, "rb") as handle:
        if handle.read(16) not in (SQLITE_MAGIC, b""):
            raise BackupError(f"{source} is not a SQLite database")
    dest = Path(dest_dir)
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    now = (clock or SystemClock()).now()
    seq = 1
    while (dest / generation_name(now, seq)).exists():
        seq += 1
    final = dest / generation_name(now, seq)
    partial = dest / f".{final.name}.partial"
    try:
        pages = _copy(source, partial, progress)
        problem = check_database_file(partial)
        if problem:
            raise BackupError(f"the copy failed verification ({problem}); nothing kept")
        _fsync(partial)
        os.replace(partial, final)
        _fsync_dir(dest)
    finally:
        for leftover in (partial, Path(f"{partial}-journal"), Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)
    removed = prune_generations(dest, keep)
    return BackupResult(final, pages, removed)


def _copy(source: Path, target: Path, progress: Progress | None) -> int:
    fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    os.chmod(target, 0o600)
    src = sqlite3.connect(f"file:{quote(str(source.resolve()))}?mode=rw", uri=True, timeout=10,
                          isolation_level=None)
    dst = sqlite3.connect(str(target), isolation_level=None)
    total = 0
    try:
        # One read transaction for the whole copy: the backup reads a single snapshot, so a
        # gateway committing meanwhile does not make it restart (WAL lets both proceed).
        src.execute("BEGIN")
        src.execute("SELECT count(*) FROM sqlite_master").fetchone()

        def step(status: int, remaining: int, pages: int) -> None:
            nonlocal total
            total = pages
            if progress:
                progress(pages - remaining, pages)

        src.backup(dst, pages=PAGES_PER_STEP, progress=step)
        src.execute("COMMIT")
        # A backup is a single self-contained file: no -wal beside it.
        dst.execute("PRAGMA journal_mode=DELETE").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"cannot read {source}: {exc}") from exc
    finally:
        dst.close()
        src.close()
    return total


# --- restore ------------------------------------------------------------------------------------

def active_services(run: Callable[..., subprocess.CompletedProcess] = subprocess.run,
                    services: Sequence[str] = SERVICES, booted: bool | None = None) -> list[str]:
    """The kiosk services systemd reports active; empty where systemd is not PID 1."""
    if booted is None:
        booted = os.path.isdir("/run/systemd/system") and shutil.which("systemctl") is not None
    if not booted:
        return []
    active = []
    for service in services:
        result = run(["systemctl", "is-active", "--quiet", service], capture_output=True, timeout=10)
        if result.returncode == 0:
            active.append(service)
    return active


class _ExclusiveHold:
    """The database locked for this process alone, or None if another connection has it open.

    locking_mode=EXCLUSIVE + BEGIN EXCLUSIVE fails while any other connection has the file open
    in WAL mode (even idle), and once taken the lock is held until close, after the commit."""

    def __init__(self, db: Path) -> None:
        self.conn = sqlite3.connect(f"file:{quote(str(db.resolve()))}?mode=rw", uri=True,
                                    timeout=0.2, isolation_level=None)
        try:
            self.conn.execute("PRAGMA locking_mode=EXCLUSIVE").fetchone()
            self.conn.execute("BEGIN EXCLUSIVE")
            self.conn.execute("COMMIT")
        except sqlite3.OperationalError:
            self.conn.close()
            raise

    def keep_copy(self, target: Path, mode: int) -> None:
        fd = os.open(target, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, mode)
        os.close(fd)
        os.chmod(target, mode)
        dst = sqlite3.connect(str(target), isolation_level=None)
        try:
            self.conn.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE").fetchone()
        finally:
            dst.close()
        _fsync(target)

    def release(self) -> None:
        """Fold the WAL into the file and close: no -wal of the old database survives."""
        try:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            self.conn.close()


def restore_database(source: str | Path, db_path: str | Path, *, force: bool = False,
                     services: Callable[[], list[str]] = active_services,
                     progress: Callable[[str], None] | None = None) -> RestoreResult:
    """Replace the database at `db_path` with the backup `source`, atomically, keeping the old
    one as `<db>.before-restore`. Raises BackupError (bad source) or RestoreRefused (in use)."""
    say = progress or (lambda message: None)
    src, db = Path(source), Path(db_path)
    problem = check_database_file(src)
    if problem:
        raise BackupError(problem)
    if Path(f"{src}-wal").exists() and Path(f"{src}-wal").stat().st_size > 0:
        raise BackupError(f"{src} has a -wal file beside it: it is a live database, not a backup "
                          "(make one with: kiosk backup DEST)")
    if not is_kiosk_database(src):
        raise BackupError(f"{src} is not a kiosk database (no schema_version table)")
    if src.resolve() == db.resolve():
        raise BackupError(f"{src} is the database itself")
    if not force:
        running = services()
        if running:
            raise RestoreRefused(f"{', '.join(running)} running: stop first with "
                                 f"`sudo systemctl stop {' '.join(running)}` (or --force)")
    db.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    mode = 0o600
    hold = None
    if db.exists():
        mode = db.stat().st_mode & 0o777
        try:
            hold = _ExclusiveHold(db)
        except sqlite3.OperationalError as exc:
            if not force:
                raise RestoreRefused(f"{db} is open in another process (the gateway or the board?): "
                                     "stop it first (or --force)") from exc
    staged = db.parent / f".{db.name}.restore-{os.getpid()}"
    previous = Path(f"{db}.before-restore") if db.exists() else None
    try:
        say(f"copying {src}")
        fd = os.open(staged, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
        os.close(fd)
        shutil.copyfile(src, staged)
        os.chmod(staged, mode)
        _fsync(staged)
        problem = check_database_file(staged)
        if problem:
            raise BackupError(f"the copy of {src} failed verification: {problem}")
        if previous is not None:
            say(f"keeping the current database as {previous}")
            if hold is not None:
                hold.keep_copy(previous, mode)
            else:
                shutil.copyfile(db, previous)
                os.chmod(previous, mode)
        if hold is not None:
            hold.release()
            hold = None
        for sidecar in (Path(f"{db}-wal"), Path(f"{db}-shm"), Path(f"{db}-journal")):
            sidecar.unlink(missing_ok=True)
        os.replace(staged, db)
        _fsync_dir(db.parent)
        say(f"restored {db} from {src}")
    finally:
        if hold is not None:
            hold.conn.close()
        staged.unlink(missing_ok=True)
    return RestoreResult(db, previous)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
