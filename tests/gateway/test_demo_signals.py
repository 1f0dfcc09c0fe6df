"""`kiosk demo` ended by a signal (terminal closed: SIGHUP; `kill`: SIGTERM) still removes its folder.

Found by QA: a demo whose terminal was closed left /tmp/kiosk-demo-* behind (database, logs, FIFO),
because Python died on SIGHUP without running its `finally`. Real processes, real signals.
"""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import subprocess
import sys
import termios
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


def _as_controlling_terminal() -> None:
    """In the child: a session of its own whose controlling terminal is the pty on stdin, so that
    closing the pty's master hangs the session up as closing a terminal window does."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


@pytest.mark.parametrize("how", ["terminal closed", "SIGTERM"])
def test_the_demo_board_ended_by_a_signal_removes_its_folder_and_stops_its_gateway(tmp_path, how):
    """The terminal closed: the kernel sends SIGHUP (and SIGCONT) to the session. Textual sometimes
    hangs closing on a hung-up terminal; the watchdog then cleans up and leaves (see _signals)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "demo"], stdin=slave, stdout=slave,
                            stderr=slave, env=_env(tmp_path), cwd=REPO, close_fds=True,
                            preexec_fn=_as_controlling_terminal)
    os.close(slave)
    try:
        seen = read_pty_until(master, proc, b"Our School", timeout=45)
        assert b"Our School" in seen, seen[-2000:]
        [folder] = _demo_folders(tmp_path)
        assert (folder / "kiosk.db").exists()
        if how == "terminal closed":
            os.close(master)  # the window is closed: SIGHUP from the kernel, not from us
            master = -1
        else:
            proc.send_signal(signal.SIGTERM)
        code = _wait_gone(proc, timeout=45)
    finally:
        if master >= 0:
            os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code in (0, 1, 128 + signal.SIGHUP, 128 + signal.SIGTERM), code  # never killed, never hung
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
