"""Watching the database for changes: noticing that another process (the gateway, the CLI) committed.

`watch_database(target, ...)` picks the way the backend offers:
- SQLite (`watch_data_version`): sleeps until the kernel says a file of the database changed
  (inotify on its folder: a commit writes the -wal file), then reads `PRAGMA data_version` on one
  long-lived read-only connection (it changes only when another connection commits). Where inotify
  is not to be had, or an event is lost, a slow poll (`SAFETY_NET_SECONDS`) still notices; an idle
  database costs no query at all between those.
- PostgreSQL (`watch_notifications`): LISTENs on its own connection for the NOTIFY that the
  triggers made by kiosk.store.migrations send on every committed write, and waits on the socket.
Either must never write, never hold a transaction open between polls, and must stop when told.
No textual here: the app runs it in a thread worker and turns `on_change` into a message.
"""

from __future__ import annotations

import os
import select
import sqlite3
import threading
import time
from pathlib import Path
from typing import Callable

from kiosk import inotify
from kiosk.store.db import is_postgres
from kiosk.store.migrations import CHANNEL

POLL_SECONDS = 0.25  # how often a watcher looks at its stop flag (and PostgreSQL's socket timeout)
SAFETY_NET_SECONDS = 2.0  # SQLite without inotify (or an event lost): data_version read this often
RECONNECT_SECONDS = 2.0


def watch_database(target: str | Path, stop: threading.Event, on_change: Callable[[], None], *,
                   poll: float = POLL_SECONDS, stopped: Callable[[], bool] = lambda: False) -> None:
    """Call `on_change()` (from this thread) each time another connection has committed."""

    if is_postgres(target):  # notified at once: `poll` is only how often it checks `stop`
        watch_notifications(str(target), stop, on_change, poll=max(poll, 0.25), stopped=stopped)
    else:
        watch_data_version(target, stop, on_change, poll=poll, stopped=stopped)


def watch_data_version(path: str | Path, stop: threading.Event, on_change: Callable[[], None], *,
                       poll: float = POLL_SECONDS, stopped: Callable[[], bool] = lambda: False,
                       safety_net: float | None = None, use_inotify: bool = True) -> None:
    """SQLite: call `on_change()` (from this thread) each time another connection has committed.
    Wakes every `poll` seconds only to look at `stop`; reads data_version when the database's files
    changed, and every `safety_net` seconds whatever happened."""
    safety_net = SAFETY_NET_SECONDS if safety_net is None else safety_net  # read now: tests change it
    path = Path(path)
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False, timeout=1)
    fd = inotify.open_directory_watch(path.parent) if use_inotify else None
    names = frozenset({path.name, f"{path.name}-wal", f"{path.name}-journal"})
    try:
        last = _version(conn)
        next_check = time.monotonic() + safety_net
        while not stop.is_set() and not stopped():
            changed = _wait(fd, names, min(poll, max(0.0, next_check - time.monotonic())), stop)
            if stop.is_set() or stopped():
                return
            if not changed and time.monotonic() < next_check:
                continue
            next_check = time.monotonic() + safety_net
            try:
                version = _version(conn)
            except sqlite3.OperationalError:  # busy or locked for a moment: look again soon
                next_check = time.monotonic() + poll
                continue
            if version != last:
                last = version
                on_change()
    finally:
        if fd is not None:
            os.close(fd)
        conn.close()


def _wait(fd: int | None, names: frozenset[str], timeout: float, stop: threading.Event) -> bool:
    """Sleep up to `timeout`; True if a file in `names` changed meanwhile (inotify only)."""
    if fd is None:
        stop.wait(timeout)
        return False
    ready, _, _ = select.select([fd], [], [], timeout)
    return bool(ready) and inotify.drain(fd, names)


def _version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA data_version").fetchone()[0]


def watch_notifications(url: str, stop: threading.Event, on_change: Callable[[], None], *,
                        poll: float = POLL_SECONDS, stopped: Callable[[], bool] = lambda: False) -> None:
    """PostgreSQL: call `on_change()` once per committed write transaction (NOTIFY on the channel).
    A lost connection is retried every RECONNECT_SECONDS; after reconnecting it calls `on_change()`
    once, since writes made meanwhile sent their notifications to nobody."""
    import psycopg2


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
