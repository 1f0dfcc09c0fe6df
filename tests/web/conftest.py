"""Fixtures for `kiosk serve`: the busy school in a database, and the real server on loopback.

The `chromium` marker: a test that needs Debian's chromium is deselected (never skipped) where
`chromium` is not on PATH.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.store import database_proxy, open_database
from kiosk.web.guard import new_token
from tests.conftest import REPO
from tests.ui.school import busy, make_context

NOW = "2026-11-24T14:00:00+00:00"  # the viewers' clock starts here: the busy school's "now"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if shutil.which("chromium"):
        return
    dropped = [item for item in items if item.get_closest_marker("chromium") is not None]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item.get_closest_marker("chromium") is None]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Served:
    """A running `kiosk serve`: where it is, its token, its database and its log."""

    url: str
    token: str
    db: Path
    log: Path
    process: subprocess.Popen
    config: Path

    @property
    def origin(self) -> str:
        return self.url

    def children(self) -> list[int]:
        """The processes the server started (one viewer per browser)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                pids.append(int(entry.name))
        return pids


def make_school(folder: Path) -> Path:
    """The busy school (Gus Hill's duress alarm not acknowledged) in folder/kiosk.db."""
    path = folder / "kiosk.db"
    db = open_database(path)
    try:
        clock = FakeClock(NOW)
        busy(make_context(clock), clock, pending_duress=True)
    finally:
        db.close()
        database_proxy.initialize(None)
    return path


def write_config(folder: Path, *, port: int, token: str, max_viewers: int = 2) -> Path:
    config = folder / "kiosk.toml"
    config.write_text(f'[school]\nname = "St Nicholas Primary"\n\n[serve]\nport = {port}\ntoken = "{token}"\n'
                      f"max_viewers = {max_viewers}\n", encoding="utf-8")
    config.chmod(0o600)
    return config


def start_server(folder: Path, config: Path, db: Path, port: int, token: str) -> Served:
    log = folder / "serve.log"
    env = {**os.environ, "PYTHONPATH": str(REPO), "KIOSK_NOW": NOW, "PYTHONUNBUFFERED": "1", "TERM": "xterm-256color",
           "COLUMNS": "200"}
    env.pop("KIOSK_CONFIG", None)
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "kiosk", "serve", "--config", str(config), "--db", str(db)],
                                   stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"kiosk serve exited: {log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        raise AssertionError("kiosk serve did not listen within 30 s")
    return Served(f"http://127.0.0.1:{port}", token, db, log, process, config)


def stop_server(served: Served) -> None:
    served.process.send_signal(signal.SIGTERM)
    try:
        served.process.wait(15)
    except subprocess.TimeoutExpired:
        served.process.kill()
        served.process.wait(5)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve")
    port, token = free_port(), new_token()
    db = make_school(folder)
    server = start_server(folder, write_config(folder, port=port, token=token), db, port, token)
    yield server
    stop_server(server)
