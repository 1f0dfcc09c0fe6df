"""SQLite's own trace of the statements a piece of work runs: for tests that pin query counts and plans."""

from __future__ import annotations

from contextlib import contextmanager

from kiosk.store.db import database_proxy


@contextmanager
def statements():
    """Every SQL statement the bound SQLite connection runs inside the block, as SQLite saw it."""
    seen: list[str] = []
    conn = database_proxy.obj.connection()
    conn.set_trace_callback(seen.append)
    try:
        yield seen
    finally:
        conn.set_trace_callback(None)
