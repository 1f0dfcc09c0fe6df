"""Two processes racing for one guarded write, in the one order that catches a check made outside
the write's transaction.

The parent (the test) opens a transaction, makes the competing write (raises a red, signs the
member out, flags the place...) and, while still holding the write lock, starts a second process
that calls one service (`in_other_process`) or one CLI command (`cli_in_other_process`). That
process reports the moment it asks for a transaction (its first BEGIN); only then does the parent
commit. A service that checked its rule before BEGIN has by then decided on the old facts and
writes over the parent's; a service that checks inside its transaction waits for the lock and then
sees them. No sleeps: the order is made by the BEGIN report, whatever the machine's load.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[2]
MARK = "race: BEGIN asked"


def _report_first_begin(announce: Callable[[], None]) -> None:
    """Call `announce` once, when this process first asks the database for a transaction."""
    from kiosk.store import db as store

    said = []
    for cls in (store.KioskSqliteDatabase, store.KioskPostgresqlDatabase):
        original = cls.begin

        def begin(self, lock_type=None, _original=original):
            if not said:
                said.append(True)
                announce()
            return _original(self, lock_type)

        cls.begin = begin


def _child(target: str, now: str, action: str, args: dict, ready, results) -> None:
    from kiosk.clock import FakeClock
    from kiosk.services import Context
    from kiosk.services.errors import Invalid, NotFound, Refused
    from kiosk.store import open_database
    from tests.services.conftest import make_config
    from tests.services.race_actions import ACTIONS

    db = open_database(target)
    try:
        run = ACTIONS[action](Context(make_config(), FakeClock(now)), **args)  # rows read before the race
        _report_first_begin(ready.set)
        try:
            value = run()
            results.put(("done", repr(value)))
        except (Invalid, NotFound, Refused) as exc:
            results.put(("refused", str(exc)))
    except Exception as exc:  # noqa: BLE001 - the parent asserts on it
        results.put(("error", repr(exc)))
    finally:
        ready.set()
        db.close()


def in_other_process(school, action: str, compete: Callable[[], object], **args) -> tuple[str, str]:
    """Run `compete()` in a transaction of this process; start `action` (tests/services/race_actions)
    in another process; commit once it has asked for its transaction. Returns ("done" | "refused" |
    "error", detail) from the other process."""
    mp = multiprocessing.get_context("spawn")
    ready, results = mp.Event(), mp.Queue()
    proc = mp.Process(target=_child, args=(str(school.path), school.clock.now().isoformat(), action, args,
                                           ready, results))
    with school.ctx.atomic():
        compete()
        proc.start()
        assert ready.wait(120), "the other process never asked for a transaction"
    outcome = results.get(timeout=120)
    proc.join(60)
    assert outcome[0] != "error", outcome[1]
    return outcome


_CLI_DRIVER = f"""
import sys
sys.path.insert(0, {str(REPO)!r})
from tests.services.race import MARK, _report_first_begin
_report_first_begin(lambda: (print(MARK, file=sys.stderr, flush=True)))
from kiosk.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


def cli_in_other_process(school, compete: Callable[[], object], *argv: str) -> subprocess.CompletedProcess:
    """`kiosk --db <school's database> ARGV` in another process, with KIOSK_NOW at the school's clock,
    raced against `compete()` as in_other_process. Returns the finished process (stdout, stderr
    without the BEGIN report, returncode)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "KIOSK_CONFIG": os.devnull,
           "KIOSK_NOW": school.clock.now().isoformat()}
    with school.ctx.atomic():
        compete()
        proc = subprocess.Popen([sys.executable, "-c", _CLI_DRIVER, "--db", str(school.path), *argv],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
        seen = []
        for line in proc.stderr:  # until it asks for its transaction (or ends without one)
            if line.strip() == MARK:
                break
            seen.append(line)
    out, err = proc.communicate(timeout=120)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, "".join(seen) + err)
