"""The audit trail: one Event row per thing that happened, and one AlarmAction row per step in an
alarm's history, each written in the caller's transaction.

Summaries carry ids and short facts only: never the text of an SMS, never a code word.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.services.context import Context
from kiosk.store.models import AlarmAction, Event


def record(kind: str, at: datetime, *, actor: str = "", summary: str = "", visit=None, alarm=None,
           staff=None, message=None) -> Event:
    return Event.create(at=at, kind=kind, actor=actor, summary=summary, visit_id=_id(visit),
                        alarm_id=_id(alarm), staff_id=_id(staff), message_id=_id(message))


def record_action(ctx: Context, alarm, action: str, *, who: str, actor: str, ref: str | None = None,
                  note: str | None = None) -> AlarmAction:
    """One step in the alarm's history (issue 14 item 14), in the caller's transaction. The alarm
    row keeps the latest acknowledgement for the board; the record reads every step from here."""
    return AlarmAction.create(alarm=alarm, at=ctx.now(), who=who or "", action=action, police_ref=ref, note=note,
                              actor=actor)


def _id(value) -> int | None:
    if value is None:
        return None
    return value if isinstance(value, int) else value.id
