"""SIGTERM (`systemctl stop`) and SIGHUP (the terminal was closed) end a long-running command cleanly.

Without this both signals kill Python outright: `finally` blocks never run, so `kiosk demo` left its
temporary folder (and its simulator's pty) behind, and `kiosk ui` left the terminal in raw mode.
Inside `stopped_by_signals()` the first such signal asks the running Textual app to exit (from its
own event loop), or, when no app is running, raises SystemExit so every `finally` runs. A second
signal while stopping is ignored, so it can never interrupt the clean-up itself. It must never
swallow a signal outside the `with` block: the previous handlers are put back on the way out.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager
from typing import Any, Iterator

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Stopper:
    """What the handler acts on: set `app` once the Textual app exists."""

    def __init__(self) -> None:
        self.app: Any = None
        self.signum: int | None = None

    def handle(self, signum: int, _frame: object) -> None:
        if self.signum is not None:
            return  # already stopping: let the clean-up finish
        self.signum = signum
        app = self.app
        loop = getattr(app, "_loop", None)
        if app is not None and loop is not None and app.is_running:
            loop.call_soon_threadsafe(app.exit)
            return
        raise SystemExit(128 + signum)


@contextmanager
def stopped_by_signals() -> Iterator[Stopper]:
    """Turn SIGTERM/SIGHUP into a clean exit for the duration of the block (main thread only)."""
    stopper = Stopper()
    previous = {signum: signal.signal(signum, stopper.handle) for signum in STOP_SIGNALS}
    try:
        yield stopper
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
