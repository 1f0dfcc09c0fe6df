"""Alert texts' delivery, as reception reads it: "delivered to Dave 14:12", "sent to Dave 14:10, not
confirmed", and the warning to ring the receivers when no alert of a red alarm is confirmed in time.

Pure. A delivery report is a hint, never proof and never a reason to hold anything back: this
module only adds words; nothing is suppressed, stopped or resolved because of a report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

WARNING = "alert texts not delivered: ring the receivers"


@dataclass(frozen=True)
class Delivery:
    """One alert text of an alarm: to whom, and what the outbox knows of it."""

    to: str  # the receiver's name (or the number, national format, if no name)
    state: str  # queued | sending | sent | delivered | failed
    sent_at: datetime | None = None
    delivered_at: datetime | None = None


def _hhmm(at: datetime, tz: tzinfo) -> str:
    return at.astimezone(tz).strftime("%H:%M")


def describe(d: Delivery, tz: tzinfo) -> str:
    if d.state == "delivered" and d.delivered_at is not None:
        return f"delivered to {d.to} {_hhmm(d.delivered_at, tz)}"
    if d.state == "sent" and d.sent_at is not None:
        return f"sent to {d.to} {_hhmm(d.sent_at, tz)}, not confirmed"
    if d.state == "failed":
        return f"to {d.to}: not delivered"
    return f"to {d.to}: waiting to be sent"


def summary(deliveries: list[Delivery], tz: tzinfo) -> list[str]:
    """One line per receiver: the best news of their alert texts (a repeat delivered counts)."""
    rank = {"delivered": 4, "sent": 3, "sending": 2, "queued": 1, "failed": 0}
    best: dict[str, Delivery] = {}
    for d in deliveries:
        have = best.get(d.to)
        if have is None or (rank.get(d.state, 0), d.delivered_at or d.sent_at or datetime.min.replace(
                tzinfo=tz)) > (rank.get(have.state, 0), have.delivered_at or have.sent_at or datetime.min.replace(tzinfo=tz)):
            best[d.to] = d
    return [describe(d, tz) for d in best.values()]


def warning(level: str, resolved: bool, raised_at: datetime, deliveries: list[Delivery], now: datetime,
            minutes: int) -> str | None:
    """WARNING for an open red alarm whose alert texts none is confirmed delivered `minutes` after it
    was raised; None otherwise (and when it had no alert texts: the no-receiver warning says that)."""
    if level != "red" or resolved or not deliveries:
        return None
    if any(d.state == "delivered" for d in deliveries):
        return None
    return WARNING if now - raised_at >= timedelta(minutes=minutes) else None
