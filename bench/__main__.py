"""`python -m bench [--quick] [--only 1,2,...] [--keep DIR]`: run the figures of issue 7, print the table.

Exit status is 0 whatever the numbers say (the table reports PASS/FAIL; CI must not fail on noise),
and 1 only if a figure could not be measured at all. Everything runs in a throwaway folder.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench import procs
from bench.common import Result, say, table

FIGURES = {  # figure -> module; sms measures figures 1 and 4 in one run of the gateway
    "1": "sms", "4": "sms", "2": "alarm", "3": "idle", "5": "startup", "6": "scale", "7": "soak",
}
ORDER = ("sms", "alarm", "idle", "startup", "scale", "soak")


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.machine())
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = os.cpu_count()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{model}; nproc {os.cpu_count()} (this process may use {affinity}); load average {load}; "
            f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}; textual {_version('textual')}; "
            f"peewee {_version('peewee')}")


def _version(name: str) -> str:
    try:
        from importlib.metadata import version
        return version(name)
    except Exception:  # noqa: BLE001
        return "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the short subset CI runs (well under 2 minutes)")
    parser.add_argument("--long", action="store_true", help="figure 4 up to 10,000 SMS (adds ~6 minutes)")
    parser.add_argument("--only", default="", help="figures to run, e.g. 1,6 (default: all)")
    parser.add_argument("--keep", default=None, help="keep the databases and logs in this folder")
    args = parser.parse_args(argv)
    wanted = {f.strip() for f in args.only.split(",") if f.strip()} or set(FIGURES)
    unknown = wanted - set(FIGURES)
    if unknown:
        parser.error(f"unknown figure(s): {', '.join(sorted(unknown))}; use 1-7")
    modules = [m for m in ORDER if any(FIGURES[f] == m for f in wanted)]
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"kiosk bench{' --quick' if args.quick else ''} on {machine()}", flush=True)
    procs.precompile()  # kiosk as installed: its modules compiled (see there)
    results: list[Result] = []
    failed = []
    t_all = time.perf_counter()
    try:
        for name in modules:
            t0 = time.perf_counter()
            folder = work / name
            folder.mkdir(exist_ok=True)
            try:
                module = importlib.import_module(f"bench.{name}")
                rows = (module.run(folder, args.quick, long=True) if args.long and name == "sms"
                        else module.run(folder, args.quick))
                results += [r for r in rows if r.figure.split()[0] in wanted]
            except Exception:  # noqa: BLE001 - one broken figure must not hide the others
                failed.append(name)
                traceback.print_exc()
            say(f"{name} took {time.perf_counter() - t0:.0f} s")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(table(results))
    print(f"\n{len(results)} measures in {time.perf_counter() - t_all:.0f} s; load average at the end "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}"
          + (f"; could not measure: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
