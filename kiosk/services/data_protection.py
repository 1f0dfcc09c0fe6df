"""Data protection for staff: everything held about one person (subject access), and erasing a
former member of staff while the audit trail stays, anonymised.

Subject access never includes a code word (a security control: the export says only whether one
was set) nor the addresses visited (the families' data, not the member of staff's: labels only).
Erasure is refused for someone still active or out on a visit; it replaces the person's name,
mobile, role, vehicle and code word, the texts they sent or received and the numbers they carried,
and keeps every id, time and audit event, so the history of each visit still adds up. Each call is
one transaction and writes an audit event that names the id only.
"""

from __future__ import annotations

from typing import Any

from kiosk.clock import format_instant
from kiosk.services import audit, lookup
from kiosk.services.context import Context
from kiosk.services.errors import NotFound, Refused
from kiosk.store.models import Alarm, AlarmAction, Event, Message, Staff, Visit, VisitMember

ERASED_TEXT = "[erased]"


def _staff(staff_id: int) -> Staff:
    staff = Staff.get_or_none(Staff.id == staff_id)
    if staff is None:
        raise NotFound(f"no member of staff {staff_id}")
    return staff


def erased_name(staff_id: int) -> str:
    return f"former staff {staff_id}"


def subject_access(ctx: Context, staff_id: int, *, actor: str = "cli") -> dict[str, Any]:
    """Everything kiosk holds about one member of staff, as plain JSON-able data."""
    staff = _staff(staff_id)
    t = format_instant
    visits = []
    for member in VisitMember.select(VisitMember, Visit).join(Visit).where(VisitMember.staff == staff).order_by(Visit.id):
        v = member.visit
        visits.append({"id": v.id, "label": v.label, "purpose": v.purpose, "state": v.state, "left_at": t(v.left_at),
                       "due_back": t(v.due_back), "ended_at": t(v.ended_at), "ended_by": v.ended_by,
                       "phone_carried": member.phone_number, "vehicle": v.vehicle, "vehicle_make": v.vehicle_make,
                       "vehicle_colour": v.vehicle_colour, "approved_by": v.approved_by,
                       "objective_achieved": v.objective_achieved, "follow_up_needed": v.follow_up_needed,
                       "safeguarding_concern": v.safeguarding_concern})
    visit_ids = [v["id"] for v in visits]
    messages = [{"id": m.id, "direction": m.direction, "number": m.number, "text": m.text, "state": m.state,
                 "kind": m.kind, "created_at": t(m.created_at), "visit": m.visit_id}
                for m in Message.select().where((Message.staff == staff) | (Message.number == (staff.mobile or "")))
                .order_by(Message.id)]
    alarms = [{"id": a.id, "visit": a.visit_id, "kind": a.kind, "level": a.level, "raised_at": t(a.raised_at),
               "summary": a.summary, "acknowledged_by": a.acknowledged_by, "action": a.action,
               "resolved_at": t(a.resolved_at), "took_charge": a.owner_id == staff.id}
              for a in Alarm.select().where(Alarm.visit.in_(visit_ids) | (Alarm.owner == staff)).order_by(Alarm.id)]
    events = [{"at": t(e.at), "kind": e.kind, "actor": e.actor, "summary": e.summary, "visit": e.visit_id}
              for e in Event.select().where((Event.staff_id == staff.id) | Event.visit_id.in_(visit_ids)).order_by(Event.id)]
    with ctx.atomic():
        audit.record("subject-access", ctx.now(), actor=actor, staff=staff, summary=f"staff {staff.id} data exported")
    return {
        "staff": {"id": staff.id, "name": staff.name, "mobile": staff.mobile, "role": staff.role,
                  "receives_alerts": staff.receives_alerts, "code_word_set": bool(staff.code_word),
                  "vehicle_reg": staff.vehicle_reg, "vehicle_make": staff.vehicle_make,
                  "vehicle_colour": staff.vehicle_colour, "active": staff.active, "created_at": t(staff.created_at)},
        "visits": visits, "messages": messages, "alarms": alarms, "events": events,
        "not_included": ["code words (security controls)", "addresses visited (the families' data)"],
    }


def _scrubber(staff: Staff):
    """A function that replaces this person's name, mobile (any spelling we write) and car
    registration in a text by neutral words."""
    import re

    from kiosk.domain.phones import national_format  # on first use, not at the top: start-up time (phonenumbers' metadata is slow to load)

    pairs = [(staff.name, erased_name(staff.id))]
    if staff.mobile:
        pairs += [(staff.mobile, "[erased number]"), (national_format(staff.mobile), "[erased number]")]
    if staff.vehicle_reg:
        pairs.append((staff.vehicle_reg, "[erased vehicle]"))
    patterns = [(re.compile(re.escape(old), re.IGNORECASE), new) for old, new in pairs if old and old.strip()]

    def replace(text: str) -> str:
        for pattern, new in patterns:
            text = pattern.sub(new, text)
        return text

    return replace


def erase_staff(ctx: Context, staff_id: int, *, actor: str = "cli") -> Staff:
    """Anonymise a former member of staff (see the module docstring)."""
    staff = _staff(staff_id)
    if staff.active:
        raise Refused(f"staff {staff.id} is still active: deactivate them first")
    if lookup.open_visit_of_staff(staff) is not None:
        raise Refused(f"staff {staff.id} is on an open visit: mark it back first")
    mobile = staff.mobile
    replace = _scrubber(staff)
    with ctx.atomic():
        condition = Message.staff == staff
        if mobile:
            condition = condition | (Message.number == mobile)
        Message.update(text=ERASED_TEXT, number=f"erased:{staff.id}").where(condition).execute()
        VisitMember.update(phone_number=None).where(VisitMember.staff == staff).execute()
        if mobile:  # the audit trail names texting phones as "sms:<number>": keep the event, drop the number
            Event.update(actor=f"sms:erased:{staff.id}").where(Event.actor == f"sms:{mobile}").execute()
        Visit.update(approved_by=erased_name(staff.id)).where(Visit.approved_by == staff.name).execute()
        Visit.update(vehicle="", vehicle_make="", vehicle_colour="").where(Visit.id.in_(
            VisitMember.select(VisitMember.visit).where(VisitMember.staff == staff))).execute()
        # Their name, number or car in texts to others, alarm summaries and notes, audit summaries.
        AlarmAction.update(who=erased_name(staff.id)).where(AlarmAction.who == staff.name).execute()
        for model, fields in ((Message, ("text",)), (Alarm, ("summary", "note")), (AlarmAction, ("note",)),
                              (Event, ("summary",))):
            for row in model.select():
                changed = {f: replace(getattr(row, f)) for f in fields if getattr(row, f)}
                changed = {f: v for f, v in changed.items() if v != getattr(row, f)}
                if changed:
                    model.update(**changed).where(model.id == row.id).execute()
        staff.name, staff.mobile, staff.role, staff.code_word = erased_name(staff.id), None, "", None
        staff.vehicle_reg = staff.vehicle_make = staff.vehicle_colour = ""
        staff.receives_alerts = False
        staff.save()
        audit.record("staff-erased", ctx.now(), actor=actor, staff=staff, summary=f"staff {staff.id} erased")
    return staff
