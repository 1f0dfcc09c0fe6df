"""`kiosk gateway [--config PATH] [--db PATH] [--port DEVICE]`: argument parsing only.

Runs the headless gateway (kiosk.gateway.runner) until SIGTERM. Prints `ready` on stdout once it is
receiving; logs go to stderr (journald levels under systemd). Never prints message contents.
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from kiosk.cli import UsageError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("gateway", parents=[common], help="run the headless SMS gateway (modem, ladder, outbox)",
                       description="Own the modem and the escalation clock: receive SMS into the database, "
                                   "run the ladder, send the outbox. Runs until SIGTERM.")
    p.add_argument("--port", default=None, help="modem device (default: modem.port from the config)")
    p.add_argument("--verbose", action="store_true", help="debug logging")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.config import ConfigError, load_config
    from kiosk.gateway.logs import setup_logging
    from kiosk.gateway.runner import run_gateway
    from kiosk.privileges import WrongOwner, ensure_database_owner

    try:
        config = load_config(getattr(args, "config", None))
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    from kiosk.store.db import is_postgres

    target = args.db if getattr(args, "db", None) else config.database.target()
    if not is_postgres(target):  # a server's database has no file to own
        target = Path(target)
        try:
            ensure_database_owner(target)
        except WrongOwner as exc:
            raise UsageError(str(exc)) from exc
    if args.port is not None and not args.port.strip():
        raise UsageError("--port: empty device name")
    setup_logging(logging.DEBUG if args.verbose or os.environ.get("KIOSK_DEBUG") else logging.INFO)
    from kiosk.store.db import NoDatabase

    try:
        return run_gateway(config, target, args.port)
    except NoDatabase as exc:  # raised before anything else starts (modem, sound, signals)
        raise UsageError(str(exc)) from None
