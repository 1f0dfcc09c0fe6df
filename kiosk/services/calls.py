"""Missed-call check-in: a call from a visit's member or carried phone counts as contact.

A call never raises or clears a red alarm (a pocket dial must not stand an alarm down) and never
counts as BACK; a call from an unknown or withheld number is recorded and ignored; a burst of calls
from one number within a minute counts once (deduplicated on the audit trail, so it holds across a
gateway restart). The gateway hangs up before calling this. Never writes an SMS unless the config asks
for a confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from kiosk.domain.phones import normalise_sender
from kiosk.services import audit, lookup, outbox, visits
from kiosk.services.context import Context
from kiosk.store.models import Event

BURST = timedelta(minutes=1)
CALL_CONTACT = "call-contact"
CALL_IGNORED = "call-ignored"


@dataclass(frozen=True)
class CallResult:
    outcome: str  # "contact" | "repeat" | "withheld" | "unknown" | "no-visit"
    visit_id: int | None = None
    cleared: tuple[int, ...] = ()

    def __str__(self) -> str:
        if self.outcome == "contact":
            return f"contact by call, visit {self.visit_id}" + (f", amber {list(self.cleared)} cleared"
                                                               if self.cleared else "")
        return self.outcome


def contact_by_call(ctx: Context, number: str | None, *, confirm_sms: bool = False) -> CallResult:
    """Count an incoming call (now) as contact if it comes from an open visit's member or carried phone."""
    now = ctx.now()
    if not number or not number.strip():
        with ctx.atomic():
            audit.record(CALL_IGNORED, now, actor="call:withheld", summary="call from a withheld number ignored")
        return CallResult("withheld")
    sender = normalise_sender(number)
    actor = f"call:{sender}"
    with ctx.atomic():
        recent = (Event.select().where((Event.kind == CALL_CONTACT) & (Event.actor == actor)
                                       & (Event.at > now - BURST)).exists())
        if recent:
            return CallResult("repeat")
        who = lookup.identify(sender)
        if who.visit is None:
            outcome = "unknown" if not who.registered else "no-visit"
            audit.record(CALL_IGNORED, now, actor=actor, staff=who.staff,
                         summary=f"call ignored: {'unregistered number' if outcome == 'unknown' else 'no open visit'}")
            return CallResult(outcome)
        contact = visits.record_contact(ctx, who.visit, actor=actor, how="call")
        audit.record(CALL_CONTACT, now, actor=actor, visit=who.visit, staff=who.staff,
                     summary=f"visit {who.visit.id}: checked in by call")
        if confirm_sms:
            local = contact.new_due.astimezone(ctx.tz).strftime("%H:%M")
            outbox.queue(ctx, sender, f"Call received, checked in. Due back {local}.", "reply",
                         visit=who.visit, staff=who.staff)
        return CallResult("contact", who.visit.id, tuple(contact.cleared))
