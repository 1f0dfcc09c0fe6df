"""`kiosk migrate --to postgresql://...`: move this site's SQLite database to PostgreSQL.

Argument parsing and the checks a person needs to hear about; the copy and its row-by-row check
are kiosk.store.transfer. Never writes to the SQLite file, never changes the config (it says what
to set), never prints a value from the data or the password in the URL. Refusals: exit 2, one line.
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path

from kiosk.cli import Refused, UsageError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("migrate", parents=[common], help="move this site's SQLite database to PostgreSQL",
                       description="Copy every table of the site's SQLite database (database.path or --db) "
                                   "into an empty PostgreSQL database, keeping every id, and compare every "
                                   "row before committing. The SQLite file is not changed. Stop the gateway "
                                   "and the UI first; afterwards set database.url in the config.")
    p.add_argument("--to", required=True, metavar="URL",
                   help='the PostgreSQL database, e.g. "postgresql://kiosk@localhost/kiosk" (must exist, empty)')
    p.set_defaults(func=run)


def _source(args: argparse.Namespace, config) -> Path:
    from kiosk.store.db import is_postgres

    given = getattr(args, "db", None)
    if given and is_postgres(given):
        raise UsageError("--db: migrate copies from an SQLite file; give its path (or none: database.path)")
    if not given and config.database.url.strip():
        raise UsageError("this site already uses PostgreSQL (database.url is set): nothing to migrate")
    return Path(given).expanduser() if given else config.database.resolved_path()


def _refuse_while_the_gateway_runs(path: Path, config) -> None:
    """Texts that arrive during the copy would stay behind in the SQLite file."""
    from kiosk.clock import clock_from_env
    from kiosk.ops.doctor import read_health_row

    row = read_health_row(path)
    heartbeat = getattr(row, "heartbeat_at", None)
    if heartbeat is None or getattr(row, "stopped_at", None) is not None and row.stopped_at >= heartbeat:
        return
    try:
        now = clock_from_env().now()
    except ValueError as exc:
        raise UsageError(f"KIOSK_NOW: {exc}") from exc
    if now - heartbeat <= timedelta(seconds=config.gateway.heartbeat_stale_seconds):
        raise UsageError("the gateway is running on this database: stop it and the UI first "
                         "(sudo systemctl stop kiosk-gateway kiosk-ui), so no text arrives during the move")


def run(args: argparse.Namespace) -> int:
    from kiosk.config import ConfigError, config_from_mapping, load_config
    from kiosk.privileges import WrongOwner, ensure_database_owner
    from kiosk.store.db import describe
    from kiosk.store.transfer import TransferRefused, copy_site, open_source, open_target

    try:
        config = load_config(getattr(args, "config", None))
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    url = args.to.strip()
    try:
        config_from_mapping({"database": {"url": url}})
        if not url:
            raise ConfigError("database.url: must not be empty")
    except ConfigError as exc:
        raise UsageError("--to" + str(exc).removeprefix("database.url")) from None
    path = _source(args, config)
    if path.exists():
        try:  # as root, become the database's owner: reading WAL makes -shm files, never root's
            ensure_database_owner(path)
        except WrongOwner as exc:
            raise Refused(str(exc)) from exc
    try:
        source = open_source(path)
    except TransferRefused as exc:
        raise UsageError(str(exc)) from None
    try:
        _refuse_while_the_gateway_runs(path, config)
        target = open_target(url)
        try:
            results = copy_site(source, target)
        finally:
            target.close()
    except TransferRefused as exc:
        raise UsageError(str(exc)) from None
    finally:
        source.close()
    for result in results:
        print(result.line())
    total = sum(r.verified for r in results)
    print(f"migrated {path} to {describe(url)}: {len(results)} tables, {total} rows, every row verified; "
          f"the SQLite file is unchanged.")
    print(f'next: set database.url = "{describe(url)}" in {config.source or "the config"} '
          "(keep database.path as it is), then start kiosk-gateway and kiosk-ui again")
    return 0
