"""`kiosk demo` ended by a signal (terminal closed: SIGHUP; `kill`: SIGTERM) still removes its folder.

Found by QA: a demo whose terminal was closed left /tmp/kiosk-demo-* behind (database, logs, FIFO),
because Python died on SIGHUP without running its `finally`. Real processes, real signals.
"""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, read_pty_until


def _env(tmp: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "KIOSK_CONFIG": os.devnull, "TMPDIR": str(tmp),
           "TERM": "xterm-256color"}
    env.pop("KIOSK_NOW", None)
    return env


def _demo_folders(tmp: Path) -> list[Path]:
    return sorted(tmp.glob("kiosk-demo-*"))


def _wait_gone(proc: subprocess.Popen, timeout: float = 30) -> int:
    try:
        return proc.wait(timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _gateway_pids(folder: Path) -> list[int]:
    """Processes still running `kiosk gateway --db <folder>/kiosk.db` (none once the demo cleaned up)."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"gateway" in cmd and str(folder / "kiosk.db").encode() in cmd:
            pids.append(int(proc.name))
    return pids


@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM])
def test_the_demo_board_killed_by_a_signal_removes_its_folder_and_stops_its_gateway(tmp_path, signum):
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "demo"], stdin=slave, stdout=slave,
                            stderr=slave, env=_env(tmp_path), cwd=REPO, close_fds=True)
    os.close(slave)
    try:
        seen = read_pty_until(master, proc, b"Our School", timeout=45)
        assert b"Our School" in seen, seen[-2000:]
        [folder] = _demo_folders(tmp_path)
        assert (folder / "kiosk.db").exists()
        if signum == signal.SIGHUP:
            os.close(master)  # the terminal is gone, as when its window is closed
            master = -1
        proc.send_signal(signum)
        _wait_gone(proc)
    finally:
        if master >= 0:
            os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert _demo_folders(tmp_path) == []
    assert _gateway_pids(folder) == []


def test_the_headless_demo_killed_by_sigterm_removes_its_folder(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "demo", "--headless"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(tmp_path),
                            cwd=REPO)
    try:
        for line in proc.stdout:
            if line.startswith("ready"):
                break
        [folder] = _demo_folders(tmp_path)
        proc.send_signal(signal.SIGTERM)
        code = _wait_gone(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 128 + signal.SIGTERM
    assert _demo_folders(tmp_path) == [] and _gateway_pids(folder) == []
