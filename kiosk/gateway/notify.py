"""systemd notification (sd_notify) in a few lines: READY, WATCHDOG, STATUS, STOPPING.

It must never fail the gateway: without $NOTIFY_SOCKET (not under systemd, tests, the demo) every
call is a no-op, and a send error is logged once, not raised.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import Mapping

log = logging.getLogger("kiosk.gateway.notify")


class Notifier:
    """Sends datagrams to systemd's notification socket ('@name' is the abstract namespace)."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        raw = env.get("NOTIFY_SOCKET", "")
        self.address: str | bytes | None = None
        if raw.startswith("@"):
            self.address = b"\0" + raw[1:].encode()
        elif raw.startswith("/"):
            self.address = raw
        self.watchdog_seconds = _watchdog_seconds(env)
        self._warned = False

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def notify(self, **fields: str | int) -> bool:
        """notify(READY=1, STATUS="receiving") -> True if sent."""
        if self.address is None:
            return False
        payload = "\n".join(f"{key}={value}" for key, value in fields.items()).encode()
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.connect(self.address)
                sock.sendall(payload)
            return True
        except OSError as exc:
            if not self._warned:
                log.warning("sd_notify failed: %s", exc)
                self._warned = True
            return False

    def ready(self, status: str = "receiving") -> bool:
        return self.notify(READY=1, STATUS=status)

    def watchdog(self) -> bool:
        return self.notify(WATCHDOG=1)

    def status(self, text: str) -> bool:
        return self.notify(STATUS=text)

    def stopping(self) -> bool:
        return self.notify(STOPPING=1)

    def watchdog_every(self) -> float | None:
        """How often to ping: half the watchdog interval systemd asked for, or None."""
        return None if self.watchdog_seconds is None else self.watchdog_seconds / 2


def _watchdog_seconds(env: Mapping[str, str]) -> float | None:
    raw = env.get("WATCHDOG_USEC", "")
    pid = env.get("WATCHDOG_PID", "")
    if pid and pid != str(os.getpid()):
        return None  # meant for another process
    try:
        usec = int(raw)
    except ValueError:
        return None
    return usec / 1_000_000 if usec > 0 else None
