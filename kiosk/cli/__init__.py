"""The `kiosk` command line: argument parsing only; every command calls services.

Each command group lives in its own module with a `register(subparsers, common)` function; add the
module to COMMAND_MODULES. Exit codes: 0 success, 1 a state change the rules refuse, 2 usage or
validation error (one line on stderr, nothing written), 141 the reader of the output went away
(`kiosk messages | head -2`): quietly, as other Unix tools end on SIGPIPE, with no traceback. The
command's work was committed before its output was printed, so nothing is lost by the cut.

Imports inside the command functions are on purpose, for start-up time: each command loads only
what it runs (`kiosk --help`, `kiosk config` and `kiosk status` never load Textual, the parser or
phonenumbers). That is the rule for every function-level import under kiosk/cli; elsewhere each
one says why on its line (tests/test_layers.py holds that none of them hides an import circle).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import NoReturn, Sequence

COMMAND_MODULES: list[str] = [
    # "kiosk.cli.staff", ... each module registers its subcommands
    "kiosk.cli.backup",
    "kiosk.cli.ops",
    "kiosk.cli.pins",
    "kiosk.cli.privacy",
    "kiosk.cli.simulator",
    "kiosk.cli.gateway",
    "kiosk.cli.demo",
    "kiosk.cli.ui",
    "kiosk.cli.migrate",
    "kiosk.cli.trust",
    "kiosk.cli.serve",
    "kiosk.cli.sms_path",
    "kiosk.cli.init",
    "kiosk.cli.staff", "kiosk.cli.visit", "kiosk.cli.board", "kiosk.cli.sms", "kiosk.cli.register", "kiosk.cli.config_cmd",
]

# The long-running commands systemd (re)starts. `kiosk ui` is measured against a bare Textual app
# (issue 19, bench figure 5), and the whole parser (every command module imported, ~100 subparsers
# built) cost ~130 ms of CPU here before the board could start: invoked with the command first
# (`kiosk ui --db ...`, as the units and `kiosk serve` do), only its module is registered; anything
# else builds the whole parser. tests/cli/test_cli_fast_path.py checks both parse alike.
STARTED_BY_SERVICES = {"ui": "kiosk.cli.ui", "gateway": "kiosk.cli.gateway"}

EXIT_OK, EXIT_REFUSED, EXIT_USAGE = 0, 1, 2
EXIT_PIPE_CLOSED = 128 + 13  # what a shell shows for a program ended by SIGPIPE


class UsageError(Exception):
    """Bad input from the user: exit 2 with a one-line message and nothing written."""


class Refused(Exception):
    """The rules refuse a state change (e.g. a lone visit to a flagged place): exit 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse would print usage and exit 2: keep one line
        raise UsageError(message)


def common_options() -> argparse.ArgumentParser:
    """--db/--config/--json accepted before or after the subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS,
                        help="SQLite database path (created on first use) or postgresql:// URL")
    common.add_argument("--config", default=argparse.SUPPRESS, help="TOML config file")
    return common


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or, with `only` (a module of STARTED_BY_SERVICES), just that command's."""
    common = common_options()
    parser = _Parser(prog="kiosk", parents=[common], description="Home-visit safety board.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in [only] if only else COMMAND_MODULES:
        importlib.import_module(name).register(sub, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _run(argv)
        sys.stdout.flush()  # here, not at exit, so a closed pipe is caught below
        return code
    except BrokenPipeError:
        _stdout_to_devnull()
        return EXIT_PIPE_CLOSED


def _run(argv: Sequence[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(STARTED_BY_SERVICES.get(argv[0]) if argv else None)
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_USAGE
        return int(args.func(args) or 0)
    except UsageError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Refused as exc:
        print(f"kiosk: refused: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        return 130


def _stdout_to_devnull() -> None:
    """The reader closed the pipe: send what is still buffered to /dev/null, so the flush at exit
    does not raise BrokenPipeError again ("Exception ignored ... BrokenPipeError")."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # stdout already closed or not a real file: nothing to flush
        pass
