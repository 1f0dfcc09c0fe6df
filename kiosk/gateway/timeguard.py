"""A clock you can trust: "now" never earlier than stored facts, network time when the system's is wrong.

The gateway wraps its clock in a GuardedClock. It must never let "now" go backwards (a Pi without a
clock battery boots at 1970 or at its last shutdown; NTP may step the clock back), and never freeze
time either: behind the floor it runs on from the last value at monotonic speed. When the system
clock is clearly unsynchronised and the modem reports the network's time (NITZ / AT+CCLK?), that time
(anchored to the monotonic clock) is used, and `state()` says so for the board.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from kiosk.clock import Clock, ensure_utc

log = logging.getLogger("kiosk.gateway.timeguard")

MIN_YEAR = 2024
MAX_SKEW = timedelta(minutes=5)
TOLERANCE = timedelta(seconds=1)


@dataclass(frozen=True)
class ClockState:
    source: str  # "system" | "network" | "floor"
    warning: str | None


def timedatectl_synchronised() -> bool | None:
    """True/False from `timedatectl show -p NTPSynchronized --value`; None if it cannot tell."""
    exe = shutil.which("timedatectl")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "show", "-p", "NTPSynchronized", "--value"], capture_output=True,
                             text=True, timeout=3)
    except (OSError, subprocess.SubprocessError):
        return None
    value = out.stdout.strip().lower()
    return {"yes": True, "no": False}.get(value) if out.returncode == 0 else None


class GuardedClock:
    """A Clock: max(best wall time, last value + monotonic elapsed); best = system or network time."""

    def __init__(self, base: Clock, *, floor: datetime | None = None,
                 synchronised: Callable[[], bool | None] = lambda: None,
                 min_year: int = MIN_YEAR, max_skew: timedelta = MAX_SKEW, use_network: bool = True) -> None:
        self.base = base
        self.use_network = use_network  # False when the time is set on purpose (KIOSK_NOW drills)
        self.synchronised = synchronised
        self.min_year = min_year
        self.max_skew = max_skew
        self._lock = threading.Lock()
        self._network: tuple[datetime, float] | None = None
        self._sync: bool | None = None
        self._last: tuple[datetime, float] | None = None
        self._state = ClockState("system", None)
        if floor is not None:
            self._last = (ensure_utc(floor), base.monotonic())
        self.refresh_sync()

    def refresh_sync(self) -> bool | None:
        """Ask again whether the system clock is synchronised (call from the health job)."""
        try:
            self._sync = self.synchronised()
        except Exception:  # noqa: BLE001 - a broken probe means "cannot tell"
            self._sync = None
        return self._sync

    def set_network_time(self, when: datetime | None) -> None:
        """The network's time as the modem reported it just now (None: not available)."""
        if when is None or not self.use_network:
            return
        with self._lock:
            self._network = (ensure_utc(when), self.base.monotonic())

    def raise_floor(self, newest_stored: datetime | None) -> None:
        """Never earlier than this stored time from now on."""
        if newest_stored is None:
            return
        newest = ensure_utc(newest_stored)
        with self._lock:
            mono = self.base.monotonic()
            if self._last is None or self._last[0] + timedelta(seconds=mono - self._last[1]) < newest:
                self._last = (newest, mono)

    def monotonic(self) -> float:
        return self.base.monotonic()

    def now(self) -> datetime:
        with self._lock:
            mono = self.base.monotonic()
            system = self.base.now()
            value, source, warning = self._best(system, mono)
            if self._last is not None:
                running = self._last[0] + timedelta(seconds=mono - self._last[1])
                if value < running - TOLERANCE:
                    warning = (f"clock: {source} time {_fmt(value)} is behind stored times; "
                               f"running on from {_fmt(running)}")
                    value, source = running, "floor"
                elif value < self._last[0]:
                    value = self._last[0]
            self._last = (value, mono)
            state = ClockState(source, warning)
            if state != self._state:
                (log.warning if warning else log.info)("clock source %s%s", source,
                                                       f": {warning}" if warning else "")
                self._state = state
            return value

    def state(self) -> ClockState:
        self.now()
        with self._lock:
            return self._state

    def _best(self, system: datetime, mono: float) -> tuple[datetime, str, str | None]:
        network = None
        if self._network is not None:
            network = self._network[0] + timedelta(seconds=mono - self._network[1])
        if network is None:
            if system.year < self.min_year:
                return system, "system", f"clock: system time {_fmt(system)} is not set and no network time"
            if self._sync is False:
                return system, "system", "clock: system time not synchronised (no NTP, no network time)"
            return system, "system", None
        skew = abs(system - network)
        if system.year < self.min_year or self._sync is False:
            return network, "network", f"clock: system time {_fmt(system)} not synchronised; using network time"
        if skew > self.max_skew:
            if self._sync is True:
                return system, "system", (f"clock: network time differs from the synchronised system "
                                          f"clock by {_minutes(skew)}")
            return network, "network", f"clock: system time is {_minutes(skew)} off network time; using network time"
        return system, "system", None


def _fmt(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _minutes(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 60:.0f} min"
