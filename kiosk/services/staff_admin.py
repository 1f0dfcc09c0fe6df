"""Changing staff and the register after they were added: edit, deactivate, reactivate.

The same checks as adding (kiosk.services.people): mobiles stored E.164 and unique, code words
validated and stored normalised (and only replaced when a new one is given, never returned),
text printable and short. Deactivating someone who is out on a visit is refused: mark them back
first. Nothing is deleted: the audit trail keeps ids. Every change is one transaction and audited.
"""

from __future__ import annotations

from kiosk.domain.codewords import CodeWordError, validate_code_word
from kiosk.services import audit, lookup
from kiosk.services.context import Context
from kiosk.services.errors import Invalid, NotFound, Refused
from kiosk.services.people import _mobile, _text, alert_tier
from kiosk.store.models import Phone, RegisterEntry, Staff
from kiosk.services.visits import _staff


def _get_staff(staff_id: int) -> Staff:
    staff = Staff.get_or_none(Staff.id == staff_id)
    if staff is None:
        raise NotFound(f"no member of staff {staff_id}")
    return staff


def update_staff(ctx: Context, staff_id: int, *, name: str, mobile: str | None, role: str = "",
                 alerts: bool = False, code_word: str | None = None, vehicle_reg: str = "",
                 vehicle_make: str = "", vehicle_colour: str = "", approver: bool | None = None,
                 tier: int | str | None = None, actor: str = "kiosk") -> Staff:
    """Replace a member of staff's details. `code_word` None keeps the standing code word, `approver`
    None whether they may approve visits, `tier` None their alert tier."""
    _get_staff(staff_id)
    new_tier = alert_tier(tier) if tier is not None else None
    name = _text(name, "name", required=True)
    number = _mobile(mobile) if mobile and mobile.strip() else None
    if alerts and not number:
        raise Invalid("an alert receiver needs a mobile")
    word = None
    if code_word is not None and code_word.strip():
        try:
            word = validate_code_word(code_word)
        except CodeWordError as exc:
            raise Invalid(str(exc)) from exc  # it already says "code word ..."
    fields = dict(role=_text(role, "role"), vehicle_reg=_text(vehicle_reg, "vehicle registration", limit=12).upper(),
                  vehicle_make=_text(vehicle_make, "vehicle make/model"),
                  vehicle_colour=_text(vehicle_colour, "vehicle colour"))
    with ctx.atomic():  # re-read under the write lock: save() writes every column, `active` included
        staff = _get_staff(staff_id)
        word = word or staff.code_word
        if Staff.select().where((Staff.name == name) & (Staff.id != staff.id)).exists():
            raise Invalid(f"there is already a member of staff called {name}")
        if number and Staff.select().where((Staff.mobile == number) & (Staff.id != staff.id)).exists():
            raise Invalid(f"duplicate mobile: {number} already belongs to another member of staff")
        if number and Phone.select().where(Phone.number == number).exists():
            raise Invalid(f"duplicate mobile: {number} is a school phone")
        changed_word = word != staff.code_word
        changed_approver = approver is not None and bool(approver) != staff.approver
        staff.name, staff.mobile, staff.receives_alerts, staff.code_word = name, number, alerts, word
        if approver is not None:
            staff.approver = bool(approver)
        changed_tier = new_tier is not None and new_tier != staff.alert_tier
        if new_tier is not None:
            staff.alert_tier = new_tier
        for key, value in fields.items():
            setattr(staff, key, value)
        staff.save()
        audit.record("staff-changed", ctx.now(), actor=actor, staff=staff,
                     summary=f"staff {staff.id} changed" + (", new code word" if changed_word else "")
                             + (f", approver {'on' if staff.approver else 'off'}" if changed_approver else "")
                             + (f", alert tier {staff.alert_tier}" if changed_tier else ""))
    return staff


def set_staff_approver(ctx: Context, staff_ref: str | int, approver: bool, *, actor: str = "cli") -> Staff:
    """Mark a member of staff (name or id) as someone who may approve visits, or not."""

    with ctx.atomic():
        staff = _staff(staff_ref)
        if approver and not staff.active:
            raise Invalid(f"{staff.name} is not active: reactivate them first")
        staff.approver = bool(approver)
        staff.save()
        audit.record("staff-changed", ctx.now(), actor=actor, staff=staff,
                     summary=f"staff {staff.id} changed, approver {'on' if approver else 'off'}")
    return staff


def set_staff_tier(ctx: Context, staff_ref: str | int, tier, *, actor: str = "cli") -> Staff:
    """Set a member of staff's (name or id) alert tier: 1 is told first, 2 when nobody has taken charge
    after [ladder] tier_minutes, and so on."""

    tier = alert_tier(tier)
    with ctx.atomic():
        staff = _staff(staff_ref)
        staff.alert_tier = tier
        staff.save()
        audit.record("staff-changed", ctx.now(), actor=actor, staff=staff,
                     summary=f"staff {staff.id} changed, alert tier {tier}")
    return staff


def set_staff_active(ctx: Context, staff_id: int, active: bool, *, actor: str = "kiosk") -> Staff:
    with ctx.atomic():  # under the write lock: never deactivates someone signed out a moment ago
        staff = _get_staff(staff_id)
        if not active and lookup.open_visit_of_staff(staff) is not None:
            raise Refused(f"{staff.name} is out on a visit: mark the visit back first")
        staff.active = bool(active)
        staff.save()
        audit.record("staff-reactivated" if active else "staff-deactivated", ctx.now(), actor=actor, staff=staff,
                     summary=f"staff {staff.id} {'reactivated' if active else 'deactivated'}")
    return staff


def deactivate_register_entry(ctx: Context, entry_id: int, *, actor: str = "kiosk") -> RegisterEntry:
    entry = RegisterEntry.get_or_none(RegisterEntry.id == entry_id)
    if entry is None:
        raise NotFound(f"no register entry {entry_id}")
    with ctx.atomic():
        entry.active = False
        entry.save()
        audit.record("register-deactivated", ctx.now(), actor=actor, summary=f"register entry {entry.id} deactivated")
    return entry
