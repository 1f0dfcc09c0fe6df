"""`kiosk simulator`: run the AT modem simulator on a pty and drive it from stdin (argument parsing only).

Prints the pty path (and the stable symlink, if asked for) so the gateway or gammu can open it, then
reads injection commands line by line (see `help`). Never touches a real serial device.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from kiosk.cli import UsageError
from kiosk.clock import clock_from_env


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("simulator", parents=[common], help="a simulated GSM modem on a pty, for demos and tests",
                            description="Start an AT-command GSM modem on a pseudo-terminal, print its path, "
                                        "then take injection commands on stdin (type help).")
    parser.add_argument("--link", metavar="PATH",
                        help="keep a symlink at PATH pointing at the pty (a stable name, like /dev/kiosk-modem)")
    parser.add_argument("--model", default="KIOSK-SIM800", help="what AT+CGMM answers (selects driver quirks)")
    parser.add_argument("--capacity", type=int, default=30, help="SIM message slots (default 30)")
    parser.add_argument("--no-echo", action="store_true", help="start with command echo off")
    parser.add_argument("--ring-interval", type=float, default=3.0, help="seconds between RINGs (default 3)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.capacity < 1 or args.capacity > 255:
        raise UsageError("--capacity must be 1..255")
    if args.ring_interval <= 0:
        raise UsageError("--ring-interval must be positive")
    from kiosk.simulator.console import SimConsole  # here: every other command starts faster without
    from kiosk.simulator.modem import ModemSimulator

    sim = ModemSimulator(clock=clock_from_env(long_running=True), model=args.model, capacity=args.capacity,
                         echo=not args.no_echo, ring_interval=args.ring_interval, link_path=args.link)
    console = SimConsole(sim)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)  # systemd/demo stop: remove the symlink on the way out
    try:
        try:
            path = sim.start()
        except OSError as exc:
            raise UsageError(f"cannot start the simulator: {exc}") from exc
        print(f"modem simulator on {path}" + (f" (stable path {sim.port})" if args.link else ""), flush=True)
        print("type help for commands", flush=True)
        for line in sys.stdin:
            if line.strip().lower() in ("quit", "exit"):
                break
            answer = console.execute(line)
            if answer:
                print(answer, flush=True)
        else:  # stdin closed (run in the background): keep the modem up until interrupted
            threading.Event().wait()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        sim.stop()
    return 0


def _stop_on_sigterm(signum: int, frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second TERM must not cut the clean-up short
    raise SystemExit(0)
