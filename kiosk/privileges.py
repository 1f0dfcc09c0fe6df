"""One database, one owner: a kiosk command run as root acts as the database's owner, or refuses.

The installed database lives in /var/lib/kiosk, owned by the `kiosk` user the services run as.
If root opened it, SQLite would create root-owned `-wal`/`-shm` files that the gateway (as kiosk)
can no longer open, and the kiosk would stop. So before anything opens the database, the CLI calls
`ensure_database_owner(db_path)`: as root, against a database whose file (or folder) belongs to
another user, it drops to that user (groups, then gid, then uid: irreversibly), or refuses with
the command to use instead. It must never drop to a user the system does not know, and never run
after the database has been opened.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path


class WrongOwner(Exception):
    """The command may not touch this database as the current user: one line saying what to run."""


@dataclass(frozen=True)
class OwnerDecision:
    action: str  # "none": carry on as we are; "drop": become `user`; "refuse": raise WrongOwner
    uid: int = -1
    gid: int = -1
    user: str = ""
    reason: str = ""


def database_owner(db_path: str | Path) -> tuple[int, Path]:
    """The uid that owns the database: its file's, else the nearest existing folder's."""
    path = Path(db_path).expanduser().absolute()
    if path.exists():
        return path.stat().st_uid, path
    for parent in path.parents:
        if parent.exists():
            return parent.stat().st_uid, parent
    return 0, Path("/")


def decide(db_path: str | Path, *, euid: int | None = None, drop: bool = True) -> OwnerDecision:
    """What a process with `euid` must do before opening `db_path` (pure apart from stat/pwd)."""
    euid = os.geteuid() if euid is None else euid
    if str(db_path) == ":memory:" or euid != 0:
        return OwnerDecision("none")
    uid, where = database_owner(db_path)
    if uid == 0:
        return OwnerDecision("none")
    try:
        entry = pwd.getpwuid(uid)
    except KeyError:
        return OwnerDecision("refuse", uid=uid, reason=(
            f"{where} belongs to uid {uid}, which has no user on this system: "
            f"fix its owner (e.g. sudo chown -R kiosk:kiosk {where}) before running kiosk as root"))
    if not drop:
        return OwnerDecision("refuse", uid=uid, gid=entry.pw_gid, user=entry.pw_name, reason=(
            f"{where} belongs to {entry.pw_name}; run as that user: sudo -u {entry.pw_name} kiosk ..."))
    return OwnerDecision("drop", uid=uid, gid=entry.pw_gid, user=entry.pw_name,
                         reason=f"{where} belongs to {entry.pw_name}")


def ensure_database_owner(db_path: str | Path, *, drop: bool = True, euid: int | None = None) -> OwnerDecision:
    """Call before opening the database. As root against another user's database: become that
    user (drop=True) or raise WrongOwner (drop=False, or the owner is unknown). Otherwise a no-op.
    Returns the decision taken."""
    decision = decide(db_path, euid=euid, drop=drop)
    if decision.action == "refuse":
        raise WrongOwner(decision.reason)
    if decision.action == "drop":
        become(decision.user, decision.uid, decision.gid)
    return decision


def become(user: str, uid: int, gid: int) -> None:
    """Drop root for good: supplementary groups, gid, then uid (in that order, or it cannot)."""
    os.setgroups(os.getgrouplist(user, gid))
    os.setgid(gid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise WrongOwner(f"could not become {user}; run as that user: sudo -u {user} kiosk ...")
    entry = pwd.getpwuid(uid)
    os.environ.update({"USER": user, "LOGNAME": user, "HOME": entry.pw_dir})
