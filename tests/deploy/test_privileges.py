"""One database, one owner: root never leaves root-owned -wal/-shm files in the kiosk's folder."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from kiosk.privileges import WrongOwner, decide, ensure_database_owner
from tests.conftest import REPO

NOBODY = pwd.getpwnam("nobody")

CHILD = """
import json, os, sqlite3, sys
from kiosk.privileges import ensure_database_owner
db = sys.argv[1]
decision = ensure_database_owner(db)
conn = sqlite3.connect(db)
conn.execute("PRAGMA journal_mode=wal")
conn.execute("CREATE TABLE IF NOT EXISTS t (x)")
conn.execute("INSERT INTO t VALUES (1)")
conn.commit()
owners = {name: os.stat(os.path.join(os.path.dirname(db), name)).st_uid
          for name in sorted(os.listdir(os.path.dirname(db)))}
print(json.dumps({"action": decision.action, "euid": os.geteuid(), "egid": os.getegid(),
                  "owners": owners, "home": os.environ.get("HOME")}))
"""


@pytest.fixture
def kiosk_dir():
    """A folder like /var/lib/kiosk: owned by a non-root user (nobody when we are root), 0750,
    inside a folder that user can reach (pytest's own tmp folders are root-only)."""
    top = Path(tempfile.mkdtemp(prefix="kiosk-owner-"))
    top.chmod(0o755)
    data = top / "kiosk"
    data.mkdir(mode=0o750)
    if os.geteuid() == 0:
        os.chown(data, NOBODY.pw_uid, NOBODY.pw_gid)
    yield data
    shutil.rmtree(top)


def owner_name(path: Path) -> str:
    return pwd.getpwuid(path.stat().st_uid).pw_name


def test_root_acts_as_the_database_owner_so_wal_and_shm_belong_to_it(kiosk_dir):
    db = kiosk_dir / "kiosk.db"
    if os.geteuid() != 0:
        # A dev shell cannot become another user; the decision root would take is still checked.
        decision = decide(db, euid=0)
        assert (decision.action, decision.uid) == ("drop", os.geteuid())
        return
    result = subprocess.run([sys.executable, "-c", CHILD, str(db)], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, cwd="/", timeout=30)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["action"] == "drop"
    assert (report["euid"], report["egid"]) == (NOBODY.pw_uid, NOBODY.pw_gid)
    assert report["home"] == NOBODY.pw_dir
    assert set(report["owners"]) == {"kiosk.db", "kiosk.db-wal", "kiosk.db-shm"}
    assert set(report["owners"].values()) == {NOBODY.pw_uid}


def test_a_root_owned_database_is_left_alone(tmp_path):
    db = tmp_path / "kiosk.db"
    decision = decide(db, euid=0)
    if tmp_path.stat().st_uid == 0:
        assert decision.action == "none"
    else:
        assert decision.action == "drop"
    assert decide(db, euid=12345).action == "none"
    assert decide(":memory:", euid=0).action == "none"


def test_refusal_names_the_owner_and_the_command_to_use(kiosk_dir):
    db = kiosk_dir / "kiosk.db"
    with pytest.raises(WrongOwner) as caught:
        ensure_database_owner(db, drop=False, euid=0)
    message = str(caught.value)
    owner = owner_name(kiosk_dir)
    assert message == f"{kiosk_dir} belongs to {owner}; run as that user: sudo -u {owner} kiosk ..."
    assert not db.exists()


def test_the_database_file_owner_wins_over_its_folder(kiosk_dir):
    db = kiosk_dir / "kiosk.db"
    db.write_bytes(b"")
    if os.geteuid() == 0:
        os.chown(db, NOBODY.pw_uid, NOBODY.pw_gid)
    decision = decide(db, euid=0, drop=False)
    assert decision.action == "refuse" and str(db) in decision.reason


def test_an_owner_unknown_to_the_system_is_refused_not_guessed(kiosk_dir):
    unknown = next(uid for uid in range(54321, 60000) if not _has_user(uid))
    if os.geteuid() == 0:
        os.chown(kiosk_dir, unknown, unknown)
        decision = decide(kiosk_dir / "kiosk.db", euid=0)
        assert decision.action == "refuse"
        assert f"uid {unknown}, which has no user" in decision.reason
        with pytest.raises(WrongOwner, match="sudo chown -R kiosk:kiosk"):
            ensure_database_owner(kiosk_dir / "kiosk.db")
    else:
        with pytest.raises(WrongOwner):
            ensure_database_owner(kiosk_dir / "kiosk.db", drop=False, euid=0)


def _has_user(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
    except KeyError:
        return False
    return True


def test_backup_run_as_root_leaves_only_files_owned_by_the_database_owner(kiosk_dir):
    """`sudo kiosk backup` against the kiosk user's database: the backup, and any -wal/-shm the
    online backup touches, belong to that user, never to root."""
    db = kiosk_dir / "kiosk.db"
    conn = __import__("sqlite3").connect(db)
    conn.execute("PRAGMA journal_mode=wal")
    conn.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    owner = kiosk_dir.stat().st_uid
    if os.geteuid() == 0:
        for name in os.listdir(kiosk_dir):
            os.chown(kiosk_dir / name, NOBODY.pw_uid, NOBODY.pw_gid)
    result = subprocess.run([sys.executable, "-m", "kiosk", "backup", "--db", str(db), str(kiosk_dir / "backups")],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO),
                                                                  "KIOSK_CONFIG": os.devnull}, cwd="/", timeout=60)
    assert result.returncode == 0, result.stderr
    made = [path for path in kiosk_dir.rglob("*")]
    assert any(path.name.startswith("kiosk-") for path in made)
    assert {path.stat().st_uid for path in made} == {owner}
