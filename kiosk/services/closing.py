"""Ending a visit, and the red alarms that forbid it: below kiosk.services.visits (which re-exports
these) and kiosk.services.alarms (resolving the last red alarm closes a visit whose BACK was held),
so neither imports the other for it. One transaction per call, under the write lock.
"""

from __future__ import annotations

from kiosk.domain import ladder as L
from kiosk.services import audit, lookup
from kiosk.services.context import Context
from kiosk.services.errors import Refused
from kiosk.store.models import Alarm, Visit


def open_red_kinds(visit: Visit) -> set[str]:
    return {a.kind for a in lookup.unresolved_alarms(visit).where(Alarm.level == L.RED)}


def has_open_red(visit: Visit) -> bool:
    return bool(open_red_kinds(visit))


def close(ctx: Context, visit: Visit, *, actor: str, outcome: str = "") -> None:
    """End a visit. Refused while a red alarm on it is unresolved: checked here, under the write
    lock, so no caller can close a visit over a red raised a moment ago by another process."""
    now = ctx.now()
    with ctx.atomic():
        if has_open_red(visit):
            raise Refused(f"visit {visit.id} has an unresolved red alarm: "
                          "resolve it first (R on the board, or kiosk ack)")
        visit.state, visit.ended_at, visit.ended_by = "back", now, actor
        if outcome:
            visit.outcome = outcome
        visit.save()
        for alarm in lookup.unresolved_alarms(visit).where(Alarm.level == L.AMBER):
            alarm.resolved_at, alarm.resolved_by, alarm.action = now, actor, "back"
            alarm.save()
            audit.record_action(ctx, alarm, "back", who=actor, actor=actor)
        audit.record("visit-back", now, actor=actor, visit=visit, summary=f"visit {visit.id} back")
