"""SIGTERM (`systemctl stop`) and SIGHUP (the terminal was closed) end a long-running command cleanly.

Without this both signals kill Python outright: `finally` blocks never run, so `kiosk demo` left its
temporary folder (and its simulator's pty) behind, and `kiosk ui` left the terminal in raw mode.
Inside `stopped_by_signals()` the first such signal asks the running Textual app to exit (from its
own event loop), or, when no app is running, raises SystemExit so every `finally` runs. Textual can
hang while closing on a terminal that has been hung up, so a watchdog runs the registered clean-up
itself and leaves after `grace` seconds if the program is still there. The clean-up runs once,
whoever gets there first. A second signal while stopping is ignored. It must never swallow a signal
outside the `with` block: the previous handlers are put back on the way out.
"""

from __future__ import annotations

import os
import signal
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
GRACE_SECONDS = 10.0  # real time: how long a closing app may take before the watchdog takes over


class Stopper:
    """What the handler acts on: set `app` once the Textual app exists; `on_stop(fn)` registers
    clean-up that must run however the program ends (the command's `finally` calls `clean_up()`)."""

    def __init__(self, grace: float = GRACE_SECONDS) -> None:
        self.app: Any = None
        self.signum: int | None = None
        self.grace = grace
        self._cleanups: list[Callable[[], None]] = []
        self._lock = threading.Lock()
        self._cleaned = False

    def on_stop(self, cleanup: Callable[[], None]) -> None:
        self._cleanups.append(cleanup)

    def clean_up(self) -> None:
        """Run the registered clean-up, once (later calls wait for the first, then return)."""
        with self._lock:
            if self._cleaned:
                return
            self._cleaned = True
            for cleanup in self._cleanups:
                cleanup()

    def handle(self, signum: int, _frame: object) -> None:
        if self.signum is not None:
            return  # already stopping: let the clean-up finish
        self.signum = signum
        threading.Thread(target=self._watchdog, daemon=True, name="stop-watchdog").start()
        app = self.app
        loop = getattr(app, "_loop", None)
        if app is not None and loop is not None and app.is_running:
            loop.call_soon_threadsafe(app.exit)
            return
        raise SystemExit(128 + signum)

    def _watchdog(self) -> None:
        threading.Event().wait(self.grace)
        try:
            self.clean_up()  # the program is still here: clean up from this thread, then leave
        finally:
            os._exit(128 + (self.signum or 0))


@contextmanager
def stopped_by_signals(grace: float = GRACE_SECONDS) -> Iterator[Stopper]:
    """Turn SIGTERM/SIGHUP into a clean exit for the duration of the block (main thread only)."""
    stopper = Stopper(grace)
    previous = {signum: signal.signal(signum, stopper.handle) for signum in STOP_SIGNALS}
    try:
        yield stopper
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
