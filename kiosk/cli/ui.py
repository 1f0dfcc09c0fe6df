"""`kiosk ui [--config FILE] [--db FILE] [--theme auto|full|console] [--viewer]`: the reception board.

`--viewer` is the read-only board (what `kiosk serve` runs for each browser): the database is
opened read-only and never migrated, and no action is offered.

Argument parsing only: it opens the database, builds the Context on the injected clock and runs
`kiosk.app.build_app`. Never does work the app or the services do.
"""

from __future__ import annotations

import argparse
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from kiosk.cli import UsageError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    ui = sub.add_parser("ui", parents=[common], help="the reception board (Textual)",
                        description="Show the live reception board. On the Linux console (TERM=linux) it "
                                    "uses a console-safe look; F10 quits.")
    ui.add_argument("--theme", choices=("auto", "full", "console"), default=None,
                    help="override the config's ui.theme")
    ui.add_argument("--viewer", action="store_true",
                    help="read-only board: opens the database read-only, no sign-out, acknowledgement or reveal")
    ui.set_defaults(func=run_ui)


def _config_and_target(args: argparse.Namespace):
    """(config, database target: SQLite path or PostgreSQL URL) from --config/--db."""
    from kiosk.config import ConfigError, load_config
    from kiosk.store.db import is_postgres

    try:
        config = load_config(getattr(args, "config", None))
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    target = args.db if getattr(args, "db", None) else config.database.target()
    return config, (target if is_postgres(target) else Path(target))


def open_context(args: argparse.Namespace, *, long_running: bool = True):
    """(Context, database target: SQLite path or PostgreSQL URL) from --config/--db, as every long-running screen needs them."""
    from kiosk.clock import clock_from_env
    from kiosk.services.context import Context
    from kiosk.store import open_database
    from kiosk.store.db import NoDatabase

    config, target = _config_and_target(args)
    try:
        open_database(target, create=False)
    except NoDatabase as exc:
        raise UsageError(str(exc)) from None
    return Context(config, clock_from_env(long_running=long_running)), target


@contextmanager
def screen_on_the_terminal() -> Iterator[None]:
    """Textual draws on stderr. When stderr is not a terminal but stdout is (`kiosk ui 2> file`, or
    kiosk-ui.service's StandardOutput=tty + StandardError=journal), draw on stdout's terminal
    instead of into the file or the journal; stderr is given back when the screen closes."""
    try:
        move = not os.isatty(2) and os.isatty(1)
    except OSError:
        move = False
    if not move:
        yield
        return
    saved = os.dup(2)
    try:
        os.dup2(1, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def open_viewer_context(args: argparse.Namespace):
    """(Context, database target) for the read-only viewer: nothing is created or migrated."""
    from kiosk.clock import clock_from_env
    from kiosk.services.context import Context
    from kiosk.store.readonly import NotViewable, open_readonly

    config, target = _config_and_target(args)
    try:
        open_readonly(target)
    except NotViewable as exc:
        raise UsageError(str(exc)) from exc
    return Context(config, clock_from_env(long_running=True)), target


def run_ui(args: argparse.Namespace) -> int:
    from kiosk.app import build_app
    from kiosk.cli._signals import stopped_by_signals

    ctx, path = open_viewer_context(args) if args.viewer else open_context(args)
    console = None if args.theme in (None, "auto") else args.theme == "console"
    with stopped_by_signals() as stopper, screen_on_the_terminal():  # systemctl stop: a clean exit
        stopper.app = build_app(ctx, db_path=path, console=console, viewer=args.viewer)
        stopper.app.run()
    return 0
