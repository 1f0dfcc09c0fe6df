"""`kiosk pin set|remove|list` (reception PINs) and `kiosk admin set-pin` (the admin PIN hash).

Argument parsing only; the work is in kiosk.services.reception and kiosk.security.pins. A PIN is
never taken from the command line (it would sit in the shell history and `ps`): it is read from a
prompt without echo, or one line of stdin when stdin is not a terminal. Never prints a PIN.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from pathlib import Path

from kiosk.cli import Refused, UsageError
from kiosk.security.pins import MIN_PIN, PinError, hash_pin, validate_pin


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    pin = sub.add_parser("pin", parents=[common], help="reception users' personal PINs",
                         description="Reception staff type their initials and a short PIN at the kiosk to "
                                     "acknowledge, mark back or extend; this records who did it.")
    pin_sub = pin.add_subparsers(dest="pin_command", metavar="ACTION", parser_class=sub._parser_class)
    set_ = pin_sub.add_parser("set", parents=[common], help="add a reception user or change their PIN "
                                                            "(PIN read from a prompt or stdin, never argv)")
    set_.add_argument("--initials", required=True, help="2-4 letters, e.g. AB")
    set_.add_argument("--name", default="", help="their name, for the audit trail")
    set_.set_defaults(func=run_pin_set)
    remove = pin_sub.add_parser("remove", parents=[common], help="deactivate a reception user's PIN")
    remove.add_argument("--initials", required=True)
    remove.set_defaults(func=run_pin_remove)
    listing = pin_sub.add_parser("list", parents=[common], help="reception users (never their PINs)")
    listing.set_defaults(func=run_pin_list)

    admin = sub.add_parser("admin", parents=[common], help="the admin PIN for the kiosk's admin screens")
    admin_sub = admin.add_subparsers(dest="admin_command", metavar="ACTION", parser_class=sub._parser_class)
    set_pin = admin_sub.add_parser("set-pin", parents=[common],
                                   help="hash a new admin PIN: print the config line, or --write it",
                                   description="Reads the new admin PIN (6-12 digits) from a prompt or stdin "
                                               "and prints `admin_pin_hash = \"...\"` for [security] in the "
                                               "config; with --write, puts it into the config file itself.")
    set_pin.add_argument("--write", action="store_true", help="write the hash into the config file (--config, "
                                                               "$KIOSK_CONFIG or the file kiosk would read)")
    set_pin.set_defaults(func=run_admin_set_pin)


ADMIN_PIN_DIGITS = 6


def read_pin(prompt: str, *, min_digits: int) -> str:
    """A PIN from a no-echo prompt (asked twice) or one line of stdin; PinError -> UsageError."""
    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass(prompt)
        again = getpass.getpass("again: ")
        if first != again:
            raise UsageError("the two PINs differ: nothing changed")
        raw = first
    else:
        raw = (sys.stdin.readline() if sys.stdin is not None else "").rstrip("\r\n")
    try:
        return validate_pin(raw, min_digits=min_digits)
    except PinError as exc:
        raise UsageError(f"{exc}: nothing changed") from None


def _context(args: argparse.Namespace):
    from kiosk.clock import clock_from_env
    from kiosk.cli.backup import database_target
    from kiosk.config import ConfigError, load_config
    from kiosk.privileges import WrongOwner, ensure_database_owner
    from kiosk.services.context import Context
    from kiosk.store import open_database

    try:
        config = load_config(getattr(args, "config", None))
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    target = database_target(args)
    if isinstance(target, Path):  # a server's database has no file to own
        try:
            ensure_database_owner(target)
        except WrongOwner as exc:
            raise Refused(str(exc)) from exc
    from kiosk.store.db import NoDatabase

    try:
        db = open_database(target, create=False)
    except NoDatabase as exc:
        raise UsageError(str(exc)) from None
    return Context(config, clock_from_env()), db


def run_pin_set(args: argparse.Namespace) -> int:
    from kiosk.services.errors import Invalid
    from kiosk.services.reception import RECEPTION_PIN_DIGITS, normalise_initials, set_reception_pin

    try:
        initials = normalise_initials(args.initials)
    except Invalid as exc:
        raise UsageError(str(exc)) from None
    pin = read_pin(f"PIN for {initials} ({RECEPTION_PIN_DIGITS}-12 digits): ", min_digits=RECEPTION_PIN_DIGITS)
    ctx, db = _context(args)
    try:
        set_reception_pin(ctx, initials, pin, name=args.name, actor="cli")
    except Invalid as exc:
        raise UsageError(str(exc)) from None
    finally:
        db.close()
    print(f"PIN set for {initials}")
    return 0


def run_pin_remove(args: argparse.Namespace) -> int:
    from kiosk.services.errors import Invalid
    from kiosk.services.reception import deactivate_reception_user

    ctx, db = _context(args)
    try:
        user = deactivate_reception_user(ctx, args.initials, actor="cli")
    except Invalid as exc:
        raise UsageError(str(exc)) from None
    finally:
        db.close()
    print(f"PIN removed for {user.initials}")
    return 0


def run_pin_list(args: argparse.Namespace) -> int:
    from kiosk.services.reception import list_reception_users

    ctx, db = _context(args)
    try:
        users = list_reception_users(ctx)
    finally:
        db.close()
    for user in users:
        print(f"{user.initials}\t{'active' if user.active else 'removed'}\t{user.name}")
    if not users:
        print("no reception users: add one with `kiosk pin set --initials AB --name \"...\"`")
    return 0


_SECURITY = re.compile(r"^\s*\[security\]\s*(#.*)?$")
_SECTION = re.compile(r"^\s*\[")
_HASH_LINE = re.compile(r"^\s*#?\s*admin_pin_hash\s*=")


def with_admin_hash(toml_text: str, line: str) -> str:
    """The config text with `line` as [security] admin_pin_hash (replacing one, adding the key or
    the section as needed); everything else kept byte for byte."""
    lines = toml_text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    start = next((i for i, text in enumerate(lines) if _SECURITY.match(text)), None)
    if start is None:
        return "".join(lines) + ("\n" if lines else "") + "[security]\n" + line + "\n"
    end = next((i for i in range(start + 1, len(lines)) if _SECTION.match(lines[i])), len(lines))
    for i in range(start + 1, end):
        if _HASH_LINE.match(lines[i]) and not lines[i].lstrip().startswith("#"):
            lines[i] = line + "\n"
            return "".join(lines)
    lines.insert(start + 1, line + "\n")
    return "".join(lines)


def run_admin_set_pin(args: argparse.Namespace) -> int:
    from kiosk.config import ConfigError, config_from_mapping, find_config

    pin = read_pin(f"new admin PIN ({ADMIN_PIN_DIGITS}-12 digits): ", min_digits=ADMIN_PIN_DIGITS)
    line = f'admin_pin_hash = "{hash_pin(pin)}"'
    if not args.write:
        print(line)
        print("# put this line under [security] in the kiosk config, or run again with --write", file=sys.stderr)
        return 0
    target = find_config(getattr(args, "config", None))
    if target is None or str(target) == os.devnull:
        raise UsageError("--write needs a config file: give --config PATH (it is created if missing)")
    target = Path(target)
    try:
        old = target.read_text(encoding="utf-8") if target.exists() else ""
    except OSError as exc:
        raise Refused(f"cannot read {target}: {exc.strerror or exc}") from None
    new = with_admin_hash(old, line)
    import tomllib

    try:
        config_from_mapping(tomllib.loads(new), source=target)
    except (tomllib.TOMLDecodeError, ConfigError) as exc:
        raise UsageError(f"{target}: not changed, the result would not load: {exc}") from None
    temp = target.with_name(f".{target.name}.new")
    try:
        fd = os.open(temp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o640)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(new)
        if target.exists():
            mode = target.stat().st_mode & 0o777
            os.chmod(temp, mode & 0o770)  # never readable by everyone
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise Refused(f"cannot write {target}: {exc.strerror or exc}") from None
    print(f"admin PIN hash written to {target} ([security] admin_pin_hash)")
    return 0


__all__ = ["register", "read_pin", "with_admin_hash", "MIN_PIN"]
