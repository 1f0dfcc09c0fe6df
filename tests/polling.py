"""Waiting for something another thread or process does: poll, never sleep blindly.

The one `wait_for` of the threaded and multi-process tests (the modem driver, the gateway process,
`kiosk serve`); Textual pilot tests wait with their own pilot (tests/ui).
"""

from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


def wait_for(predicate: Callable[[], T], timeout: float = 10.0, what: str = "condition", *,
             interval: float = 0.02) -> T:
    """Poll `predicate` every `interval` seconds until it is truthy and return its value; fail the
    test (AssertionError) after `timeout` seconds of real time."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)
