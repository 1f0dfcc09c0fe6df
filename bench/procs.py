"""The processes the bench measures: `kiosk gateway` (stdout pipe) and anything on a pty (`kiosk ui`,
the minimal Textual app), started as systemd or a terminal would start them.

A pty process has its output drained by a thread (as a terminal would) and the time each awaited
marker first appeared recorded. It must never leave a child running: `stop()` in a finally.
"""

from __future__ import annotations

import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

from bench.common import REPO, wait_for


def precompile() -> None:
    """Byte-compile kiosk as installing it does: pip compiles a package's modules when it installs it,
    so an installed kiosk never compiles its sources when it starts. This checkout is an editable
    install and this machine's sessions set PYTHONDONTWRITEBYTECODE, so without this every `kiosk ui`
    the bench started compiled all of kiosk's modules first (~125 ms of CPU here, and the compiler's
    memory in the UI's peak RSS), while the minimal app's Textual came compiled by pip (issue 19).
    The .pyc files go where Python looks for them (`__pycache__/`, ignored by git)."""
    import compileall

    compileall.compile_dir(str(REPO / "kiosk"), quiet=1)


def child_env(config_path: Path | None, **extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "KIOSK_CONFIG": str(config_path or os.devnull)}
    for name in ("KIOSK_NOW", "NOTIFY_SOCKET", "WATCHDOG_USEC", "TEXTUAL"):
        env.pop(name, None)
    env.update(extra)
    return env


class Gateway:
    """`python -m kiosk gateway --db DB --port PORT`, ready once it prints `ready`."""

    def __init__(self, db_path: Path, port: str, config_path: Path, profile: Path | None = None) -> None:
        self.db_path, self.port, self.config_path = db_path, port, config_path
        self.profile = profile  # cProfile output file (written on SIGTERM's clean exit)
        self.proc: subprocess.Popen | None = None
        self.lines: list[str] = []
        self.started = 0.0

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 30) -> "Gateway":
        log = open(self.db_path.with_suffix(".gateway.log"), "a")
        self.started = time.perf_counter()
        python = [sys.executable] + (["-m", "cProfile", "-o", str(self.profile)] if self.profile else [])
        self.proc = subprocess.Popen(python + ["-m", "kiosk", "gateway", "--db", str(self.db_path),
                                      "--port", self.port], stdout=subprocess.PIPE, stderr=log, text=True,
                                     env=child_env(self.config_path), cwd=REPO)
        log.close()
        threading.Thread(target=self._read, daemon=True).start()
        wait_for(lambda: "ready" in self.lines or self.proc.poll() is not None, timeout, "gateway ready", 0.01)
        if "ready" not in self.lines:
            raise RuntimeError(f"gateway exited {self.proc.returncode}; see {log.name}")
        return self

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.strip())

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class PtyProcess:
    """A command on its own pseudo-terminal of `cols` x `rows`; output is drained and searched."""

    def __init__(self, argv: list[str], *, env: dict[str, str], cols: int = 160, rows: int = 50,
                 markers: tuple[str, ...] = ()) -> None:
        self.argv, self.env, self.cols, self.rows = argv, env, cols, rows
        self.markers = {m.encode(): None for m in markers}  # marker -> perf_counter when first seen
        self.proc: subprocess.Popen | None = None
        self.started = 0.0
        self.bytes_out = 0
        self._tail = b""
        self._master: int | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> "PtyProcess":
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))
        env = {**self.env, "TERM": "xterm-256color", "COLORTERM": "truecolor",
               "COLUMNS": str(self.cols), "LINES": str(self.rows)}
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(self.argv, stdin=slave, stdout=slave, stderr=slave,
                                     env=env, cwd=REPO, start_new_session=True, close_fds=True)
        os.close(slave)
        self._master = master
        threading.Thread(target=self._drain, daemon=True).start()
        return self

    def _drain(self) -> None:
        assert self._master is not None
        while True:
            try:
                data = os.read(self._master, 65536)
            except OSError:
                return
            if not data:
                return
            now = time.perf_counter()
            self.bytes_out += len(data)
            window = self._tail + data
            for marker, seen in self.markers.items():
                if seen is None and marker in window:
                    self.markers[marker] = now
            self._tail = window[-4096:]

    def seen(self, marker: str) -> float | None:
        """Seconds from start to the marker's first appearance, or None."""
        at = self.markers.get(marker.encode())
        return None if at is None else at - self.started

    def wait_marker(self, marker: str, timeout: float = 30) -> float:
        return wait_for(lambda: self.seen(marker) or (self.proc.poll() is not None and -1), timeout, marker)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        if self._master is not None:
            try:
                os.close(self._master)
            except OSError:
                pass
            self._master = None


def kiosk_ui(db_path: Path, config_path: Path, markers: tuple[str, ...] = ()) -> PtyProcess:
    return PtyProcess([sys.executable, "-m", "kiosk", "ui", "--db", str(db_path), "--theme", "full"],
                      env=child_env(config_path), markers=markers)


def minimal_textual(rows: int, markers: tuple[str, ...] = (), clock: bool = False) -> PtyProcess:
    return PtyProcess([sys.executable, "-m", "bench.minimal_app", str(rows), *(["--clock"] if clock else [])],
                      env=child_env(None), markers=markers)


def empty_python() -> subprocess.Popen:
    """The memory baseline: a Python process importing nothing of ours."""
    return subprocess.Popen([sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE)
