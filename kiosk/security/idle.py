"""Inactivity at the kiosk keyboard: an admin session left alone goes back to the board.

Pure: the time comes from an injected monotonic clock (Clock.monotonic), so a test moves a
FakeClock instead of waiting. It must never decide anything but "has it been quiet this long".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

ADMIN_IDLE_SECONDS = 120.0


@dataclass
class IdleTimer:
    monotonic: Callable[[], float]
    timeout: float = ADMIN_IDLE_SECONDS
    _last: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._last = self.monotonic()

    def touch(self) -> None:
        """Someone used the keyboard or the mouse."""
        self._last = self.monotonic()

    def remaining(self) -> float:
        return max(0.0, self.timeout - (self.monotonic() - self._last))

    def expired(self) -> bool:
        return self.remaining() <= 0
