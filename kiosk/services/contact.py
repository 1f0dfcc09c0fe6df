"""Contact from a visit: any text or call from its staff clears amber, restarts the check-in
interval, and re-arms a visit past its due-back.

Below both kiosk.services.visits (which re-exports it) and kiosk.services.alarms (an acknowledgement
"answered the call" is contact): neither imports the other for it. One transaction per call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.domain import ladder as L
from kiosk.services import audit, lookup
from kiosk.services.context import Context
from kiosk.store.models import Alarm, Visit


@dataclass(frozen=True)
class Contact:
    """What a contact did: the due-back before and after, and whether amber was cleared."""

    old_due: datetime
    new_due: datetime
    cleared: list[int]

    @property
    def rearmed(self) -> bool:
        return self.new_due != self.old_due


def record_contact(ctx: Context, visit: Visit, *, actor: str, how: str = "contact") -> Contact:
    """Any text or call from the visit: clears amber (never red), restarts the check-in interval,
    and if the visit is past due-back re-arms it to now + the reply window."""
    now = ctx.now()
    old_due = visit.due_back
    with ctx.atomic():
        visit.last_contact_at = now
        if visit.due_back <= now:
            visit.due_back = now + ctx.ladder.reply_window
        visit.save()
        cleared = []
        for alarm in lookup.unresolved_alarms(visit).where(Alarm.level == L.AMBER,
                                                            Alarm.kind.in_(L.AMBER_KINDS)):
            alarm.resolved_at, alarm.resolved_by, alarm.action = now, "contact", "contact"
            alarm.save()
            audit.record_action(ctx, alarm, "contact", who="contact", actor=actor, note=how)
            cleared.append(alarm.id)
        audit.record("contact", now, actor=actor, visit=visit,
                     summary=f"visit {visit.id}: {how}" + (f", amber {cleared} cleared" if cleared else "")
                             + (", due back re-armed" if visit.due_back != old_due else ""))
    return Contact(old_due, visit.due_back, cleared)
