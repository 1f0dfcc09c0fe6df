"""Watching the database for changes: noticing that another process (the gateway, the CLI) committed.

`watch_database(target, ...)` picks the way the backend offers:
- SQLite (`watch_data_version`): polls `PRAGMA data_version` on one long-lived read-only connection:
  the value changes only when another connection commits, so an idle database costs one tiny query
  per poll.
- PostgreSQL (`watch_notifications`): LISTENs on its own connection for the NOTIFY that the
  triggers made by kiosk.store.migrations send on every committed write, and waits on the socket.
Either must never write, never hold a transaction open between polls, and must stop when told.
No textual here: the app runs it in a thread worker and turns `on_change` into a message.
"""

from __future__ import annotations

import select
import sqlite3
import threading
from pathlib import Path
from typing import Callable

POLL_SECONDS = 0.05  # a red alarm waits at most this long to be noticed; ~0.2 % of a core here to poll
RECONNECT_SECONDS = 2.0


def watch_database(target: str | Path, stop: threading.Event, on_change: Callable[[], None], *,
                   poll: float = POLL_SECONDS, stopped: Callable[[], bool] = lambda: False) -> None:
    """Call `on_change()` (from this thread) each time another connection has committed."""
    from kiosk.store.db import is_postgres

    if is_postgres(target):  # notified at once: `poll` is only how often it checks `stop`
        watch_notifications(target, stop, on_change, poll=max(poll, 0.25), stopped=stopped)
    else:
        watch_data_version(target, stop, on_change, poll=poll, stopped=stopped)


def watch_data_version(path: str | Path, stop: threading.Event, on_change: Callable[[], None], *,
                       poll: float = POLL_SECONDS, stopped: Callable[[], bool] = lambda: False) -> None:
    """SQLite: call `on_change()` (from this thread) each time another connection has committed."""
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


def watch_notifications(url: str, stop: threading.Event, on_change: Callable[[], None], *,
                        poll: float = POLL_SECONDS, stopped: Callable[[], bool] = lambda: False) -> None:
    """PostgreSQL: call `on_change()` once per committed write transaction (NOTIFY on the channel).
    A lost connection is retried every RECONNECT_SECONDS; after reconnecting it calls `on_change()`
    once, since writes made meanwhile sent their notifications to nobody."""
    import psycopg2

    from kiosk.store.migrations import CHANNEL

    conn, lost = None, False
    try:
        while not stop.is_set() and not stopped():
            if conn is None:
                try:
                    conn = _listen(psycopg2, url, CHANNEL)
                except psycopg2.Error:
                    if stop.wait(RECONNECT_SECONDS):
                        return
                    continue
                if lost:
                    lost = False
                    on_change()
            try:
                ready, _, _ = select.select([conn], [], [], poll)
                if ready:
                    conn.poll()
                    if conn.notifies:
                        conn.notifies.clear()
                        on_change()
            except (psycopg2.Error, OSError, ValueError):  # server gone or connection closed
                conn.close()
                conn, lost = None, True
    finally:
        if conn is not None:
            conn.close()


def _listen(psycopg2, url: str, channel: str):
    conn = psycopg2.connect(url, options="-c TimeZone=UTC", application_name="kiosk-watch", connect_timeout=5)
    conn.autocommit = True
    conn.cursor().execute(f"LISTEN {channel}")
    return conn
