"""The audit trail: one Event row per thing that happened, written in the same transaction.

Summaries carry ids and short facts only: never the text of an SMS, never a code word.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.store.models import Event


def record(kind: str, at: datetime, *, actor: str = "", summary: str = "", visit=None, alarm=None,
           staff=None, message=None) -> Event:
    return Event.create(at=at, kind=kind, actor=actor, summary=summary, visit_id=_id(visit),
                        alarm_id=_id(alarm), staff_id=_id(staff), message_id=_id(message))


def _id(value) -> int | None:
    if value is None:
        return None
    return value if isinstance(value, int) else value.id
