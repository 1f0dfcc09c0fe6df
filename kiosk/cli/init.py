"""`kiosk init [--db PATH|URL] [--config FILE]`: make the kiosk database, and say what was made.

The one command whose job is to create the database (`kiosk staff add`, the first set-up step, and
`kiosk demo` may too); every other command refuses a target that holds none (kiosk.store.db,
NoDatabase), so a mistyped --db never becomes a new, empty school. Running it again on a database
that is there makes nothing (it is upgraded to the current schema, as any start would) and says so:
the installer runs it on every install.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.cli import Refused, UsageError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("init", parents=[common], help="make the kiosk database (first set-up step)",
                       description="Make the database that --db or the config names (an SQLite file, 0600, "
                                   "with its folder; or kiosk's tables in an existing PostgreSQL database) "
                                   "and print what was made. Nothing is made if it is already there.")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.cli._session import first_line
    from kiosk.cli.backup import database_target
    from kiosk.privileges import WrongOwner, ensure_database_owner
    from kiosk.store import open_database
    from kiosk.store.db import NoDatabase, describe
    from kiosk.store.migrations import current_version

    target = database_target(args)
    folder_made = None
    if isinstance(target, Path):
        target = target.expanduser()
        try:
            ensure_database_owner(target)  # as root: become the owner of /var/lib/kiosk first
        except WrongOwner as exc:
            raise Refused(str(exc)) from exc
        folder = target.parent
        folder_made = None if folder.exists() else folder
        others = _other_tables(target)
        if others:
            raise UsageError(f"{target} holds another database (tables: {', '.join(others[:5])}): kiosk init "
                             "makes kiosk's database only in a new or empty file; nothing changed")
    try:
        try:
            db = open_database(target, create=False)
            made = False
        except NoDatabase:
            db = open_database(target, create=True)
            made = True
    except Exception as exc:  # unreadable file, not a database, newer schema, server unreachable...
        raise UsageError(f"cannot open database {describe(target)}: {first_line(exc)}") from exc
    try:
        version = current_version(db)
    finally:
        db.close()
    if not made:
        print(f"kiosk database {describe(target)} is already there (schema v{version}): nothing made")
        return 0
    if folder_made is not None:
        print(f"made folder {folder_made} (owner only)")
    if isinstance(target, Path):
        print(f"made database {target} (schema v{version}, readable by its owner only)")
    else:
        print(f"made kiosk's tables in {describe(target)} (schema v{version})")
    print("next: kiosk staff add --name NAME --mobile NUMBER --alerts (someone who receives alerts)")
    return 0


def _other_tables(file: Path) -> list[str]:
    """The tables of an SQLite file that holds no kiosk tables (someone else's database), read
    read-only; [] for a missing, empty or kiosk file, or one that is not SQLite (opening says why)."""
    import sqlite3
    from urllib.parse import quote

    if not file.is_file() or file.stat().st_size == 0:
        return []
    try:
        conn = sqlite3.connect(f"file:{quote(str(file.resolve()))}?mode=ro", uri=True, timeout=5)
        try:
            names = sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
        finally:
            conn.close()
    except sqlite3.Error:
        return []
    return [] if {"schema_version", "visit"} & set(names) else names
