"""Live: another process writes to the database (as the gateway does) and the open board shows it
within a second, with no key pressed (SQLite: data_version; on a --database pass, PostgreSQL: NOTIFY)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest

from kiosk import dbwatch, inotify
from kiosk.app import build_app
from kiosk.screens.alarm import AlarmScreen
from kiosk.services import sign_out
from kiosk.widgets.visits import VisitsTable
from tests.conftest import REPO
from tests.ui.conftest import settle
from tests.ui.school import staff

GATEWAY_LIKE = """
import sys
from kiosk.clock import FakeClock
from kiosk.store import open_database
from kiosk.services import sms_in
from tests.ui.school import make_context
open_database(sys.argv[1])
ctx = make_context(FakeClock(sys.argv[2]))
sms_in(ctx, "+447700900123", sys.argv[3])
"""


def other_process(db_path, clock, text: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "KIOSK_CONFIG": os.devnull}
    done = subprocess.run([sys.executable, "-c", GATEWAY_LIKE, str(db_path), clock.now().isoformat(), text],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr


async def wait_for(pilot, condition, seconds: float = 1.0) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < seconds, f"not shown within {seconds} s"
        await asyncio.sleep(0.02)
        await pilot.pause()
    return time.monotonic() - start


@pytest.mark.parametrize("way", ["inotify, poll disabled", "no inotify, safety-net poll"])
async def test_a_text_stored_by_another_process_appears_within_a_second(ctx, clock, database, way, monkeypatch):
    """SQLite: with the slow poll switched off the kernel's word alone wakes the board within a
    second; without inotify (NFS, another OS) the safety-net poll does within its interval. On
    PostgreSQL both are LISTEN/NOTIFY."""
    within = 1.0
    if way.startswith("inotify"):
        monkeypatch.setattr(dbwatch, "SAFETY_NET_SECONDS", 3600.0)
    else:
        monkeypatch.setattr(inotify, "open_directory_watch", lambda _directory: None)
        within = dbwatch.SAFETY_NET_SECONDS + 1.0
    people = staff(ctx)
    visit = sign_out(ctx, [people["ann"]], "14 Elm Rd, Luton LU4 9AB", clock.now() + timedelta(minutes=60)).visit
    app = build_app(ctx, db_path=database, live=True)
    app.bell = lambda: None
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(VisitsTable)
        contact = lambda: table.get_cell(str(visit.id), "contact").plain  # noqa: E731
        assert contact() == "none"
        clock.advance(60)
        other_process(database, clock, "OK all fine")
        await wait_for(pilot, lambda: contact() == "now", within)
        other_process(database, clock, "SOS")
        await wait_for(pilot, lambda: isinstance(app.screen, AlarmScreen), within)
