"""Files: the database (with its -wal/-shm), backups and the config are private to the kiosk user.

Modes are checked with `stat`. The "cannot read" cases run as the unprivileged user `nobody` (via
`setpriv`), because root reads anything: in a world-traversable folder, the kiosk's files refuse
nobody while a world-readable control file in the same folder does not (so the test can fail).
Without root (no user switch possible), the modes and the owner-only access bits are asserted.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from kiosk.ops.backup import backup_database
from kiosk.clock import FakeClock
from kiosk.store import open_database
from kiosk.store.models import Staff

IS_ROOT = os.geteuid() == 0


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_folder():
    """A folder everyone may enter (like /var/lib/kiosk's parent), so only file modes protect."""
    folder = Path(tempfile.mkdtemp(prefix="kiosk-files-"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder)


def make_database(folder: Path) -> Path:
    path = folder / "data" / "kiosk.db"
    db = open_database(path)
    Staff.create(name="Ann Lee", mobile="+447700900123", code_word="bluebird",
                 created_at=FakeClock("2026-11-24T14:00:00+00:00").now())
    db.close()
    return path


def nobody_python() -> str:
    """An interpreter nobody may run: this one, unless it lives in a folder nobody cannot enter."""
    system = Path("/usr/bin/python3")
    here = Path(sys.executable).resolve()
    if all(os.stat(p).st_mode & 0o001 for p in here.parents) or not system.exists():
        return str(here)
    return str(system)


def readable_packages(folder: Path) -> Path:
    """kiosk and its imports, where nobody can read them (hard links, else copies): the test
    interpreter's site-packages may sit in root's home."""
    import peewee
    import phonenumbers
    import playhouse

    import kiosk

    lib = folder / "lib"
    lib.mkdir()
    for module in (kiosk, peewee, phonenumbers, playhouse):
        source = Path(module.__file__)
        if source.name == "__init__.py":
            shutil.copytree(source.parent, lib / source.parent.name, copy_function=_link_or_copy,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            _link_or_copy(source, lib / source.name)
    for path in [lib, *lib.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return lib


def _link_or_copy(source, target):
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
    return target


def as_nobody(*argv: str, lib: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "KIOSK_CONFIG": os.devnull,
           "PYTHONDONTWRITEBYTECODE": "1"}
    if lib is not None:
        env["PYTHONPATH"] = str(lib)
    return subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *argv],
                          capture_output=True, text=True, env=env, timeout=60, cwd="/")


def test_database_and_its_wal_and_shm_are_0600_in_a_0700_folder(open_folder):
    path = open_folder / "data" / "kiosk.db"
    db = open_database(path)
    Staff.create(name="Ann Lee", mobile="+447700900123", created_at=FakeClock("2026-11-24T14:00:00+00:00").now())
    assert mode(path) == 0o600
    for suffix in ("-wal", "-shm"):
        assert mode(Path(f"{path}{suffix}")) == 0o600
    assert mode(path.parent) == 0o700
    db.close()


def test_an_existing_world_readable_database_is_made_private_on_open(open_folder):
    path = make_database(open_folder)
    os.chmod(path, 0o644)
    open_database(path).close()
    assert mode(path) == 0o640  # group read may stay (0640 is allowed for the kiosk group); others' is gone


def test_backups_are_0600_in_a_0700_folder_and_their_names_hold_no_secret(open_folder):
    path = make_database(open_folder)
    result = backup_database(path, open_folder / "backups", clock=FakeClock("2026-11-24T14:00:00+00:00"))
    assert mode(result.path) == 0o600 and mode(result.path.parent) == 0o700
    assert "bluebird" not in result.path.name and "Ann" not in result.path.name


def test_nobody_cannot_read_the_database_or_a_backup(open_folder):
    path = make_database(open_folder)
    os.chmod(path.parent, 0o755)  # the folder too is open here: the file's own mode must hold
    backup = backup_database(path, open_folder / "backups", clock=FakeClock("2026-11-24T14:00:00+00:00")).path
    os.chmod(backup.parent, 0o755)
    control = open_folder / "control.txt"
    control.write_text("readable")
    os.chmod(control, 0o644)
    if not IS_ROOT:  # no user switch without root: the bits that would let another user in are off
        for file in (path, backup):
            assert mode(file) & 0o077 == 0
        return
    read = [nobody_python(), "-c", "import sys; print(open(sys.argv[1], 'rb').read(16))"]
    assert as_nobody(*read, str(control)).returncode == 0  # the switch works: the control is readable
    for file in (path, backup):
        denied = as_nobody(*read, str(file))
        assert denied.returncode != 0 and "PermissionError" in denied.stderr


def test_kiosk_run_as_nobody_refuses_the_database_with_one_line(open_folder):
    path = make_database(open_folder)
    os.chmod(path.parent, 0o755)
    if not IS_ROOT:
        assert mode(path) == 0o600
        return
    lib = readable_packages(open_folder)
    probe = as_nobody(nobody_python(), "-c", "import kiosk.cli, peewee, phonenumbers", lib=lib)
    assert probe.returncode == 0, probe.stderr  # nobody can run kiosk: only the database refuses
    result = as_nobody(nobody_python(), "-m", "kiosk", "board", "--db", str(path), lib=lib)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and "bluebird" not in result.stderr + result.stdout
    assert "cannot open database" in result.stderr
