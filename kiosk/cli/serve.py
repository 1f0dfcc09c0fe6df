"""`kiosk serve [--config FILE] [--db FILE]` and `kiosk serve --new-token`: the read-only board for browsers.

Argument parsing only: it checks that `[serve]` has a token (it never makes one up or writes the
config: `--new-token` prints one to paste), that the database can be viewed, and runs
`kiosk.web.server.BoardServer` with `kiosk ui --viewer` as the command for each browser.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from kiosk.cli import UsageError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    serve = sub.add_parser("serve", parents=[common], help="the read-only board for browsers on the school network",
                           description="Serve the read-only board (no sign-out, acknowledgement or reveal) to "
                                       "browsers that have the token in [serve] of the config. Bind it to the "
                                       "school LAN only; never port-forward it.")
    serve.add_argument("--new-token", action="store_true",
                       help="print a fresh token for [serve] token = ... and exit (writes nothing)")
    serve.set_defaults(func=run_serve)


def viewer_command(config_path: str | None, db: str | None) -> str:
    """The shell command textual-serve runs for each browser: this kiosk's read-only viewer."""
    argv = [sys.executable, "-m", "kiosk", "ui", "--viewer", "--theme", "full"]
    if config_path:
        argv += ["--config", config_path]
    if db:
        argv += ["--db", db]
    return shlex.join(argv)


def run_serve(args: argparse.Namespace) -> int:
    from kiosk.config import ConfigError, load_config
    from kiosk.store.db import describe, is_postgres
    from kiosk.store.readonly import NotViewable, open_readonly
    from kiosk.web.guard import new_token

    if args.new_token:
        print("# put this line in the [serve] section of the config (keep it secret: it opens the board)")
        print(f'token = "{new_token()}"')
        return 0
    try:
        config = load_config(getattr(args, "config", None))
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    serve = config.serve
    if not serve.token:
        raise UsageError("serve.token is not set: run `kiosk serve --new-token` and put the line it prints "
                         "in the [serve] section of the config")
    if config.source is not None and os.stat(config.source).st_mode & 0o004:
        print(f"kiosk: WARNING: {config.source} is readable by every user of this machine, and it holds "
              "serve.token: chmod o-r it", file=sys.stderr)
    target = getattr(args, "db", None) or config.database.target()
    try:
        open_readonly(target).close()  # a database the viewer could not show: say so now, not per browser
    except NotViewable as exc:
        raise UsageError(str(exc)) from exc
    from kiosk.web.server import BoardServer

    db = str(target) if getattr(args, "db", None) or not is_postgres(target) else None
    command = viewer_command(str(config.source) if config.source else None, db)
    server = BoardServer(command, bind=serve.bind, port=serve.port, public_url=serve.url, token=serve.token,
                         max_viewers=serve.max_viewers, origins=serve.allowed_origins, title=config.school.name)
    print(f"kiosk serve: database {describe(target)}", file=sys.stderr)
    try:
        server.serve()
    except OSError as exc:  # the port is taken, the address is not this machine's
        raise UsageError(f"cannot listen on {serve.bind}:{serve.port}: {exc.strerror or exc}") from exc
    return 0
