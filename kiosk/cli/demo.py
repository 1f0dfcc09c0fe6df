"""`kiosk demo [--headless] [--keep DIR]`: simulator + gateway + board on a throwaway database.

Argument parsing only; kiosk.gateway.demo does the work. Without --headless the reception UI runs in
the foreground: texts are injected from its demo panel (F9), or from another terminal by writing
simulator commands to DIR/inject (a FIFO), e.g. `echo "sms +447700900002 OK" > DIR/inject`; with
--headless the commands come from stdin.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from kiosk.cli import UsageError


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("demo", parents=[common], help="try kiosk: simulated modem, gateway and board, throwaway data",
                       description="Start the modem simulator, the gateway on its pty and the reception board on "
                                   "a temporary database seeded with staff and visits.")
    p.add_argument("--headless", action="store_true",
                   help="no UI: print the board and take simulator commands on stdin (for scripts)")
    p.add_argument("--keep", metavar="DIR", help="use (and keep) this folder instead of a temporary one")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.config import ConfigError, load_config
    from kiosk.gateway.demo import HELP, Demo

    if getattr(args, "db", None):
        raise UsageError("demo uses a throwaway database; --db is not accepted (try --keep DIR)")
    config_path = getattr(args, "config", None)
    try:
        config = load_config(config_path, env={**os.environ, "KIOSK_CONFIG": config_path or os.devnull})
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    from kiosk.cli._signals import stopped_by_signals

    folder = Path(args.keep) if args.keep else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        if (folder / "kiosk.db").exists():
            raise UsageError(f"{folder} already holds a demo database; choose an empty folder")
    made: dict[str, object] = {"code": 1}

    def clean_up() -> None:
        demo, made_folder = made.get("demo"), made.get("folder")
        if demo is not None:
            made["code"] = demo.stop()
        if made_folder is not None and not args.keep:
            shutil.rmtree(made_folder, ignore_errors=True)

    with stopped_by_signals() as stopper:  # SIGHUP (terminal closed) or SIGTERM: still clean up
        stopper.on_stop(clean_up)
        try:
            if folder is None:
                folder = Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
            made["folder"] = folder
            demo = made["demo"] = Demo(folder, config_path=str(Path(config_path).absolute()) if config_path else None)
            demo.start(config)
            if args.headless:
                print(f"demo in {folder}; modem on {demo.sim.port}", flush=True)
                print(demo.board_text(config), flush=True)
                print("ready; type help", flush=True)
                demo.console(config, sys.stdin, sys.stdout)
            else:
                _run_ui(demo, config, folder, HELP, stopper)
        finally:
            stopper.clean_up()
    code = made["code"]
    return 0 if code == 0 else 1


def _run_ui(demo, config, folder: Path, help_text: str, stopper) -> None:
    from kiosk.app import build_app
    from kiosk.services.context import Context
    from kiosk.store import open_database

    fifo = folder / "inject"
    os.mkfifo(fifo)
    answers = open(folder / "simulator.log", "a", buffering=1)

    def feed() -> None:
        while True:
            with open(fifo) as pipe:  # reopened after each writer closes
                demo.console(config, pipe, answers)

    threading.Thread(target=feed, daemon=True, name="demo-inject").start()
    print(f"Inject texts from another terminal:  echo 'sms +447700900002 OK' > {fifo}\n{help_text}\n"
          f"(answers in {folder / 'simulator.log'}; the gateway's log in {folder / 'gateway.log'})", flush=True)
    open_database(demo.db_path)
    from kiosk.cli.ui import screen_on_the_terminal
    from kiosk.gateway.demo import demo_notes, with_demo_admin_pin

    # the UI's demo panel (F9) injects straight into the simulator and shows the kiosk's replies
    stopper.app = build_app(Context(with_demo_admin_pin(config), demo.clock), demo=True, db_path=demo.db_path,
                            inject=demo.inject, demo_notes=demo_notes())
    with screen_on_the_terminal():  # `kiosk demo 2> file` still shows the board
        stopper.app.run()
