"""UI fixtures: a FakeClock at 14:00, a database, the app exactly as `build_app` makes it."""

from __future__ import annotations

import asyncio
import inspect

import pytest

from kiosk.store import open_database
from tests.ui.school import make_context


@pytest.fixture(autouse=True)
def colour_terminal(monkeypatch):
    """The full-colour look unless a test asks for the console (CI may run with TERM=linux)."""
    monkeypatch.setenv("TERM", "xterm-256color")


@pytest.fixture
def ctx(database, clock):
    db = open_database(database)  # tests/conftest.py: SQLite by default, PostgreSQL on a --database pass
    yield make_context(clock)
    db.close()


async def settle(app, pilot, loads: int = 1) -> None:
    """Wait until the app has loaded the board `loads` times and the screen has caught up."""
    for _ in range(200):
        await pilot.pause()
        if app.loads >= loads:
            break
        await finished(app)
    await finished(app)
    await pilot.pause()
    await pilot.pause()


async def finished(app) -> None:
    """Every worker but the database watcher (which runs until the app stops) has finished."""
    others = [w for w in app.workers if w.group != "watcher"]
    if others:  # an empty list would mean "all of them", the watcher included
        await app.workers.wait_for_complete(others)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run `async def` tests (Textual pilots) on a fresh event loop: no extra plugin needed."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        names = pyfuncitem._fixtureinfo.argnames
        asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
        return True
    return None
