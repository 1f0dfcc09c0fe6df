"""`kiosk backup DEST [--keep N]` and `kiosk restore SRC [--force]`: argument parsing only.

The work is in kiosk.ops.backup. Progress goes to stderr only when stderr is a terminal, so the nightly
timer's journal gets one line per backup. Never prints anything from inside the database.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from kiosk.ops.backup import DEFAULT_KEEP, BackupError, RestoreRefused, backup_database, restore_database
from kiosk.cli import Refused, UsageError
from kiosk.clock import clock_from_env


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    backup = sub.add_parser("backup", parents=[common], help="verified copy of the database into a folder",
                            description="Copy the database (safely, while the gateway runs) into DEST as "
                                        "kiosk-<UTC time>.db, verify it, keep the newest N.")
    backup.add_argument("dest", metavar="DEST", help="folder for the backups, e.g. /var/lib/kiosk/backups")
    backup.add_argument("--keep", type=_positive, default=DEFAULT_KEEP,
                        help=f"generations to keep (default {DEFAULT_KEEP})")
    backup.set_defaults(func=run_backup)

    restore = sub.add_parser("restore", parents=[common], help="replace the database with a backup",
                             description="Check SRC, then replace the database with it atomically, keeping "
                                         "the old one as <db>.before-restore. Stop the services first.")
    restore.add_argument("source", metavar="SRC", help="a backup file made by `kiosk backup`")
    restore.add_argument("--force", action="store_true",
                         help="restore even while the services or another process use the database")
    restore.set_defaults(func=run_restore)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def database_target(args: argparse.Namespace) -> Path | str:
    """--db if given, else the database the config names: an SQLite path or a postgresql:// URL."""
    from kiosk.store.db import is_postgres

    if getattr(args, "db", None):
        return args.db if is_postgres(args.db) else Path(args.db)
    from kiosk.config import ConfigError, load_config

    try:
        return load_config(getattr(args, "config", None)).database.target()
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc


def database_path(args: argparse.Namespace, what: str = "backup") -> Path:
    """The SQLite file, for the commands that work on the file itself; a PostgreSQL site is told
    what to use instead (one line, exit 2, nothing done)."""
    target = database_target(args)
    if not isinstance(target, Path):
        raise UsageError(f"kiosk {what} copies the SQLite file; this site's database is PostgreSQL: "
                         f"use pg_dump / pg_restore (see the README)")
    return target


def _as_database_owner(db: Path) -> None:
    """As root against the kiosk user's database, act as that user (no root-owned files)."""
    from kiosk.privileges import WrongOwner, ensure_database_owner

    try:
        ensure_database_owner(db)
    except WrongOwner as exc:
        raise Refused(str(exc)) from exc


def _on_terminal() -> bool:
    return sys.stderr.isatty()


def _must_exist(db: Path) -> None:
    """A mistyped path is named, with the command that makes a database: nothing is created."""
    from kiosk.store.db import missing_database

    if not db.expanduser().exists():
        raise UsageError(missing_database(db))


def run_backup(args: argparse.Namespace) -> int:
    db = database_path(args)
    _must_exist(db)
    _as_database_owner(db)
    show = _on_terminal()

    def progress(done: int, total: int) -> None:
        if show and total:
            print(f"\rbacking up: {done * 100 // total:3d}% ({done}/{total} pages)", end="", file=sys.stderr)

    try:
        result = backup_database(db, args.dest, keep=args.keep, clock=clock_from_env(), progress=progress)
    except BackupError as exc:
        raise UsageError(str(exc)) from exc
    except (OSError, sqlite3.Error) as exc:
        raise Refused(f"backup failed: {exc}") from exc
    if show:
        print(file=sys.stderr)
    removed = f", removed {len(result.removed)} old" if result.removed else ""
    print(f"backup {result.path} ({result.pages} pages, verified){removed}")
    return 0


def run_restore(args: argparse.Namespace) -> int:
    db = database_path(args, "restore")
    _must_exist(db)  # onto a new machine: kiosk init first, then restore over the empty database
    _as_database_owner(db)
    show = _on_terminal()
    try:
        result = restore_database(args.source, db, force=args.force,
                                  progress=(lambda line: print(line, file=sys.stderr)) if show else None)
    except BackupError as exc:
        raise UsageError(str(exc)) from exc
    except RestoreRefused as exc:
        raise Refused(str(exc)) from exc
    except (OSError, sqlite3.Error) as exc:
        raise Refused(f"restore failed, database unchanged: {exc}") from exc
    kept = f"; the previous one is {result.previous}" if result.previous else ""
    print(f"restored {result.database} from {args.source}{kept}")
    return 0
