"""Noticing that another process (the gateway, the CLI) changed the database.

`watch_data_version` polls `PRAGMA data_version` on one long-lived read-only connection: the value
changes only when another connection commits, so an idle database costs one tiny query per poll.
It must never write, never hold a transaction open between polls, and must stop when told.
No textual here: the app runs it in a thread worker and turns `on_change` into a message.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Callable

POLL_SECONDS = 0.25


def watch_data_version(path: str | Path, stop: threading.Event, on_change: Callable[[], None], *,
                       poll: float = POLL_SECONDS, stopped: Callable[[], bool] = lambda: False) -> None:
    """Call `on_change()` (from this thread) each time another connection has committed."""
    conn = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, check_same_thread=False, timeout=1)
    try:
        last = _version(conn)
        while not stop.wait(poll) and not stopped():
            try:
                version = _version(conn)
            except sqlite3.OperationalError:  # busy or locked for a moment: try again next poll
                continue
            if version != last:
                last = version
                on_change()
    finally:
        conn.close()


def _version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA data_version").fetchone()[0]
