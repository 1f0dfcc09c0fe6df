"""`kiosk config`: the file in use and the effective values (secrets hidden). Reads, never writes."""

from __future__ import annotations

import argparse

from kiosk.cli import UsageError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    cfg = sub.add_parser("config", parents=[common], help="the config file in use and the effective values")
    cfg.set_defaults(func=show_config)


def show_config(args) -> int:
    from kiosk.config import ConfigError, load_config, render_toml

    try:
        config = load_config(getattr(args, "config", None))
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    print(f"# config file: {config.source or '(none found: built-in defaults)'}")
    print(render_toml(config), end="")
    return 0
