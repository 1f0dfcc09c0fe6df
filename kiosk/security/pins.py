"""PINs for the kiosk keyboard: salted scrypt hashes, a constant-time check, and a throttle.

It must never store, log or return a PIN in clear, and the throttle must never lock anyone out:
a wrong PIN only makes the next try wait a little longer (0, 1, 2, 4, 8 ... at most 30 s), so a
visitor hammering the keyboard cannot stop reception from acknowledging an alarm. Time comes from an
injected monotonic clock (a callable returning seconds), never from `time` directly.

A stored hash is one line: `scrypt$<n>$<r>$<p>$<salt, base64>$<hash, base64>`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass, field
from typing import Callable

SCHEME = "scrypt"
N, R, P = 2 ** 14, 8, 1
SALT_BYTES = 16
HASH_BYTES = 32
MIN_PIN, MAX_PIN = 4, 12


class PinError(ValueError):
    """A PIN that cannot be set (too short, not digits); the message never repeats the PIN."""


def validate_pin(pin: str, *, min_digits: int = MIN_PIN) -> str:
    """The PIN if it is `min_digits`-12 digits, else PinError."""
    if not isinstance(pin, str):
        raise PinError("PIN must be text")
    pin = pin.strip()
    if not pin.isascii() or not pin.isdigit():
        raise PinError("PIN must be digits only")
    if not min_digits <= len(pin) <= MAX_PIN:
        raise PinError(f"PIN must have {min_digits} to {MAX_PIN} digits")
    return pin


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_pin(pin: str, *, salt: bytes | None = None) -> str:
    """A new salted scrypt hash of `pin` (two calls give two different strings)."""
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    digest = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=N, r=R, p=P, dklen=HASH_BYTES)
    return f"{SCHEME}${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def is_pin_hash(stored: str) -> bool:
    """True if `stored` looks like something hash_pin made (used to check the config value)."""
    return _parse(stored) is not None


def _parse(stored: str):
    if not isinstance(stored, str):
        return None
    parts = stored.strip().split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except ValueError:
        return None
    # Refuse parameters that would make one check take minutes or gigabytes (a tampered config).
    if not (2 <= n <= 2 ** 20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
        return None
    if n * r * 128 > 256 * 1024 * 1024 or len(salt) < 8 or len(digest) != HASH_BYTES:
        return None
    return n, r, p, salt, digest


def verify_pin(pin: str, stored: str) -> bool:
    """True if `pin` matches `stored` (compared in constant time). A malformed hash never matches."""
    parsed = _parse(stored)
    if parsed is None or not isinstance(pin, str):
        return False
    n, r, p, salt, digest = parsed
    try:
        candidate = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(digest),
                                   maxmem=512 * 1024 * 1024)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(candidate, digest)


@dataclass
class Throttle:
    """Wrong PINs make the next try wait: the n-th failure in a row waits `delay_after(n)` seconds.

    `monotonic` is the injected clock (Clock.monotonic). Failures are forgotten after a success or
    after `forget_after` quiet seconds. There is no lock-out: the wait never exceeds `cap`."""

    monotonic: Callable[[], float]
    cap: float = 30.0
    forget_after: float = 900.0
    failures: int = 0
    _next_try: float = field(default=0.0, repr=False)
    _last_failure: float | None = field(default=None, repr=False)

    def delay_after(self, failures: int) -> float:
        """0 after the first wrong PIN, then 1, 2, 4, 8 ... seconds, at most `cap`."""
        if failures <= 1:
            return 0.0
        return float(min(self.cap, 2 ** (failures - 2)))

    def _expire(self) -> None:
        if self._last_failure is not None and self.monotonic() - self._last_failure >= self.forget_after:
            self.failures, self._next_try, self._last_failure = 0, 0.0, None

    def wait(self) -> float:
        """Seconds left before the next try is accepted (0: try now)."""
        self._expire()
        return max(0.0, self._next_try - self.monotonic())

    def failure(self) -> float:
        """Record a wrong PIN; returns the wait before the next try."""
        self._expire()
        now = self.monotonic()
        self.failures += 1
        self._last_failure = now
        self._next_try = now + self.delay_after(self.failures)
        return self._next_try - now

    def success(self) -> None:
        self.failures, self._next_try, self._last_failure = 0, 0.0, None
