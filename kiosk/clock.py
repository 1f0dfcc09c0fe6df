"""The one injectable clock: every "now" in kiosk comes from a Clock.

Never call datetime.now() or time.time() outside this module: tests move a FakeClock, drills set
KIOSK_NOW, and the gateway wraps the system clock so that "now" never goes backwards past stored facts.
All times are timezone-aware UTC datetimes.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Mapping, Protocol

UTC = timezone.utc


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC wall-clock time."""

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps, for pacing and timeouts."""


class SystemClock:
    """The machine's clocks, as they are."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def monotonic(self) -> float:
        return time.monotonic()


class FakeClock:
    """A clock that moves only when told to: tests call advance() instead of sleeping."""

    def __init__(self, start: datetime | str = "2026-11-24T14:00:00+00:00") -> None:
        self._now = parse_instant(start) if isinstance(start, str) else ensure_utc(start)
        self._mono = 1000.0
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def monotonic(self) -> float:
        with self._lock:
            return self._mono

    def advance(self, seconds: float = 0, **delta: float) -> datetime:
        """Move both clocks forward: advance(90) or advance(minutes=15)."""
        step = timedelta(seconds=seconds, **delta)
        with self._lock:
            self._now += step
            self._mono += step.total_seconds()
            return self._now

    def set(self, when: datetime | str) -> None:
        """Jump the wall clock (as NTP or a user would); the monotonic clock does not jump."""
        with self._lock:
            self._now = parse_instant(when) if isinstance(when, str) else ensure_utc(when)


class StartedClock:
    """Wall time that starts at a given instant and then runs at real speed (KIOSK_NOW for
    long-running processes: a drill can start the gateway 'at 15:25' and watch the ladder run)."""

    def __init__(self, start: datetime) -> None:
        self._start = ensure_utc(start)
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._t0)

    def monotonic(self) -> float:
        return time.monotonic()


class FrozenClock(FakeClock):
    """KIOSK_NOW for one-shot commands: the same instant for the whole command."""


def ensure_utc(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime: kiosk stores and compares aware UTC times only")
    return value.astimezone(UTC)


def parse_instant(text: str) -> datetime:
    """ISO 8601 with a required offset, e.g. 2026-11-24T15:45:00+00:00 (Z accepted)."""
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValueError(f"not an ISO 8601 time: {text!r}") from exc
    if value.tzinfo is None:
        raise ValueError(f"time needs an offset such as +00:00: {text!r}")
    return value.astimezone(UTC)


def format_instant(value: datetime | None) -> str | None:
    """UTC as YYYY-MM-DDTHH:MM:SS+00:00 (the JSON contract), or None."""
    if value is None:
        return None
    return ensure_utc(value).replace(microsecond=0).isoformat()


def clock_from_env(env: Mapping[str, str] | None = None, *, long_running: bool = False) -> Clock:
    """SystemClock, or KIOSK_NOW: frozen for one-shot commands, a starting point for services."""
    env = os.environ if env is None else env
    raw = env.get("KIOSK_NOW", "").strip()
    if not raw:
        return SystemClock()
    start = parse_instant(raw)
    return StartedClock(start) if long_running else FrozenClock(start)
