"""What the board says about the SMS link, from the gateway's health row and the clock: a pure rule.

The UI, the doctor, `kiosk sms-path` and the trust view all call `link_state` with the row they
read and their clock; the gateway writes the row (kiosk.gateway.health). No I/O here: the row is
any object with the health columns as attributes (None: the gateway never ran).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from kiosk.domain.selftest import SelfTestFacts, verdict as selftest_verdict

DEFAULT_STALE_SECONDS = 90
OFF_NETWORK = frozenset({"not registered", "searching", "denied"})  # as the modem driver reports them


@dataclass(frozen=True)
class LinkState:
    """`up` False means the board shows a red "SMS link down" banner with `reason`;
    `warnings` are shown in amber whatever the link (clock, sound, signal, errors)."""

    up: bool
    reason: str | None
    warnings: tuple[str, ...] = ()
    self_test: str = ""  # what the strip says of the loop-back self-test ("SMS checked 07:00")

    @property
    def banner(self) -> str | None:
        return None if self.up else f"SMS link down: {self.reason}"


def _hhmm(at: datetime | None) -> str:
    return "never" if at is None else at.strftime("%H:%M UTC")


def link_state(row: Any | None, now: datetime, stale_seconds: float = DEFAULT_STALE_SECONDS,
               tz: tzinfo = timezone.utc) -> LinkState:
    """What the board says about the SMS link, from the health row (None: the gateway never ran).
    A live, registered modem is still down when the latest loop-back self-test did not come back
    in time (kiosk.domain.selftest): the commonest silent failure is a SIM out of credit."""
    if row is None or getattr(row, "heartbeat_at", None) is None:
        return LinkState(False, "the gateway has not started")
    warnings = tuple(w for w in (getattr(row, "clock_warning", None), getattr(row, "sound_warning", None)) if w)
    heartbeat = row.heartbeat_at
    stopped = getattr(row, "stopped_at", None)
    if stopped is not None and stopped >= heartbeat:
        return LinkState(False, f"the gateway was stopped at {_hhmm(stopped)}", warnings)
    if now - heartbeat > timedelta(seconds=stale_seconds):
        return LinkState(False, f"no heartbeat from the gateway since {_hhmm(heartbeat)}", warnings)
    if not getattr(row, "modem_connected", False):
        gone = getattr(row, "modem_gone_at", None)
        since = f" since {_hhmm(gone)}" if gone else ""
        return LinkState(False, f"modem disconnected{since}", warnings)
    registration = getattr(row, "registration", "") or ""
    if registration in OFF_NETWORK:
        return LinkState(False, f"modem not on the network ({registration})", warnings)
    extra = list(warnings)
    if getattr(row, "signal_bars", None) == 0:
        extra.append("no mobile signal")
    if getattr(row, "queue_length", 0) and getattr(row, "queue_length", 0) > 5:
        extra.append(f"{row.queue_length} messages waiting to be sent")
    test = selftest_verdict(SelfTestFacts.from_row(row), now, tz)
    if test.ok is False:
        return LinkState(False, test.reason, tuple(extra), test.strip)
    return LinkState(True, None, tuple(extra), test.strip)
