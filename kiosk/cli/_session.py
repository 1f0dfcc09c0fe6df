"""What every data command of the CLI shares: config, clock, database, errors, output helpers.

A command function takes (args, ctx) and calls services; `command()` wraps it so that service
errors become the CLI's exit codes (Invalid/NotFound -> 2, Refused -> 1) with one line on stderr,
and so that "no alert receiver" is said loudly on every command: after the command, about the
state it leaves (`staff add --alerts` adds the receiver the warning would have asked for).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from functools import wraps
from typing import Any, Callable

from kiosk.cli import Refused, UsageError
from kiosk.clock import clock_from_env, format_instant, parse_instant


def open_context(args: argparse.Namespace, *, create: bool = False):
    """Load the config, open (migrate; with `create`, make) the database and build the services'
    Context. A target with no kiosk database is a usage error that makes nothing (kiosk.store.db)."""
    from kiosk.config import ConfigError, load_config
    from kiosk.services import Context
    from kiosk.store import open_database
    from kiosk.store.db import NoDatabase

    try:
        config = load_config(getattr(args, "config", None))
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    try:
        clock = clock_from_env()
    except ValueError as exc:
        raise UsageError(f"KIOSK_NOW: {exc}") from exc
    from kiosk.store.db import describe

    target = getattr(args, "db", None) or config.database.target()
    try:
        open_database(target, create=create)
    except NoDatabase as exc:
        raise UsageError(str(exc)) from None
    except Exception as exc:  # unreadable file, not a database, newer schema, server unreachable...
        raise UsageError(f"cannot open database {describe(target)}: {first_line(exc)}") from exc
    return Context(config, clock)


def first_line(exc: BaseException) -> str:
    """An error as one line (a PostgreSQL error may run to several)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def command(fn: Callable[[argparse.Namespace, Any], int | None] | None = None, *, creates: bool = False):
    """`@command`, or `@command(creates=True)` for the set-up commands that may make the database."""
    if fn is None:
        return lambda f: command(f, creates=creates)

    @wraps(fn)
    def run(args: argparse.Namespace) -> int:
        from kiosk import services as svc

        ctx = open_context(args, create=creates)
        try:
            try:
                return int(fn(args, ctx) or 0)
            except svc.Invalid as exc:
                raise UsageError(str(exc)) from exc
            except svc.Refused as exc:
                raise Refused(str(exc)) from exc
            finally:  # whatever the command did or refused: the state it leaves
                _warn(ctx)
        finally:
            ctx.db.close()
    return run


def _warn(ctx) -> None:
    from kiosk import services as svc

    for warning in svc.warnings(ctx):
        print(f"kiosk: WARNING: {warning}", file=sys.stderr)


def print_json(rows: list[dict]) -> None:
    """One JSON array on stdout; control, bidi and zero-width characters inside strings are
    \\u-escaped, so the data is exact for a program and harmless on a terminal."""
    from kiosk.domain.display import json_safe

    sys.stdout.write(json_safe(json.dumps(rows, ensure_ascii=False)))
    sys.stdout.write("\n")


def say(line: object) -> None:
    """Print one line that may hold text from SMS, forms or the database: nothing in it that a
    terminal would obey (escapes, controls, bidi overrides) is printed as such."""
    from kiosk.domain.display import terminal_line

    print(terminal_line(line))


def cell(value: object, width: int) -> str:
    """`value` made safe for a terminal and padded to `width` columns as a terminal shows them: an
    emoji or a CJK character takes two columns, an accent on its own none, so the next column
    still lines up (str.ljust counts characters). Longer values are not cut."""
    from rich.cells import cell_len

    from kiosk.domain.display import terminal_line

    text = terminal_line(value)
    return text + " " * max(0, width - cell_len(text))


def instant(value: datetime | None) -> str | None:
    return format_instant(value)


def local(ctx, value: datetime | None) -> str:
    return value.astimezone(ctx.tz).strftime("%H:%M") if value else "-"


def due_from_text(ctx, text: str) -> datetime:
    """--due as people write it (15:30, 3.30pm, +45, 45m, 1h30) or an ISO instant with offset."""
    from kiosk.domain.commands import Out
    from kiosk.domain.parser import parse_command
    from kiosk.domain.times import DueError, resolve_due

    if "T" in text and any(c in text for c in "+Zz"):
        try:
            return parse_instant(text)
        except ValueError as exc:
            raise UsageError(f"--due: {exc}") from exc
    parsed = parse_command(f"OUT here UNTIL {text}", max_minutes=ctx.max_extend_minutes)
    if not isinstance(parsed, Out):
        raise UsageError(f"--due {text!r}: {getattr(parsed, 'reason', 'not a time')}")
    try:
        return resolve_due(parsed.due, ctx.now(), ctx.tz, max_ahead_minutes=ctx.max_extend_minutes)
    except DueError as exc:
        raise UsageError(f"--due {text!r}: {exc}") from exc


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value
