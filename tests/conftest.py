"""Shared fixtures: an injected clock, a throwaway database, and the kiosk CLI as a subprocess.

The backend: SQLite by default; `--database postgresql://user@host:port/` (or the environment
variable KIOSK_TEST_DATABASE) runs every test that asks for `database` against a fresh PostgreSQL
database instead (tests/pg.py). Markers: `sqlite_only` (pragmas, the file, backup, data_version)
is deselected in a PostgreSQL pass; `postgresql` (SKIP LOCKED, NOTIFY, migrate --to) is deselected
without a server. Deselected, never skipped: a pass runs everything it selects.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from kiosk.clock import FakeClock

REPO = Path(__file__).resolve().parents[1]

# Property tests: a fixed, derandomized profile in CI (CI=true) so a run is reproducible.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")


def read_pty_until(master: int, proc: subprocess.Popen, needle: bytes, timeout: float = 30) -> bytes:
    """What a real program drew on its pseudo-terminal until `needle` shows (or it exits, or time
    runs out): the caller asserts on the result."""
    import select
    import time

    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline and proc.poll() is None:
        if select.select([master], [], [], 0.1)[0]:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
    return seen


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--database", default=os.environ.get("KIOSK_TEST_DATABASE", ""),
                     help="postgresql://user@host:port/ of a throwaway server: run the `database` "
                          "tests on PostgreSQL (default: $KIOSK_TEST_DATABASE, else SQLite)")


def postgres_url(config: pytest.Config) -> str:
    return (config.getoption("--database") or "").strip()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unwanted = "sqlite_only" if postgres_url(config) else "postgresql"
    dropped = [item for item in items if item.get_closest_marker(unwanted) is not None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item.get_closest_marker(unwanted) is None]


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest):
    """The PostgreSQL test server (tests/pg.py), or None on an SQLite pass."""
    url = postgres_url(request.config)
    if not url:
        yield None
        return
    from tests.pg import Server

    server = Server(url)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def new_database(pg_server):
    """new_database(folder) -> a database target of its own: folder/kiosk.db on SQLite, a fresh
    migrated PostgreSQL database's URL on PostgreSQL (dropped at the end of the session)."""
    made: list[str] = []

    def make(folder: Path) -> Path | str:
        if pg_server is None:
            return Path(folder) / "kiosk.db"
        made.append(pg_server.fresh())
        return made[-1]

    yield make
    for url in made:
        pg_server.drop(url)


@pytest.fixture
def database(tmp_path: Path, pg_server):
    """This test's database target: tmp_path/kiosk.db, or a fresh migrated PostgreSQL database's URL."""
    if pg_server is None:
        yield tmp_path / "kiosk.db"
        return
    url = pg_server.fresh()
    yield url
    pg_server.drop(url)


@pytest.fixture
def clock() -> FakeClock:
    """Tuesday 24 Nov 2026, 14:00 UTC (= 14:00 Europe/London): inside staffed hours."""
    return FakeClock("2026-11-24T14:00:00+00:00")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "kiosk.db"


def run_kiosk(*args: str, env: dict[str, str] | None = None, input: str | None = None,
              timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the real CLI (`python -m kiosk`) from this source tree, as a user would."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "KIOSK_CONFIG": os.devnull}
    full_env.pop("KIOSK_NOW", None)
    if env:
        full_env.update(env)
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True,
                          env=full_env, input=input, timeout=timeout, cwd=REPO)


@pytest.fixture(autouse=True, scope="session")
def _no_real_data_home(tmp_path_factory):
    """A command that falls back to the default database ($XDG_DATA_HOME/kiosk/kiosk.db) writes into
    a throwaway folder, never the real home of whoever runs the tests (in-process and subprocesses)."""
    old = os.environ.get("XDG_DATA_HOME")
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data-home"))
    yield
    if old is None:
        os.environ.pop("XDG_DATA_HOME", None)
    else:
        os.environ["XDG_DATA_HOME"] = old


@pytest.fixture
def kiosk_cli():
    return run_kiosk
