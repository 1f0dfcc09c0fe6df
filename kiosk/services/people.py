"""Staff, school phones and the register: adding and listing them, with validation first.

Mobiles are stored as E.164, so "07700 900123", "+44 7700 900123" and "447700900123" are one
number. A code word is validated and stored normalised; it is never returned by a listing.
"""

from __future__ import annotations

from kiosk.domain import limits
from kiosk.domain.codewords import CodeWordError, validate_code_word
from kiosk.domain.phones import PhoneError, normalise_mobile
from kiosk.domain.visits import normalise_postcode
from kiosk.services import audit
from kiosk.services.context import Context
from kiosk.services.errors import Invalid
from kiosk.store.models import Phone, RegisterEntry, Staff


def _text(value: str | None, what: str, *, required: bool = False, limit: int = 80) -> str:
    """Typed text, one line, printable, bounded: the one rule (kiosk.domain.limits.clean_text)."""
    try:
        cleaned = limits.clean_text(value, what, limit)
    except limits.TextError as exc:
        raise Invalid(str(exc)) from None
    if required and not cleaned:
        raise Invalid(f"{what} is required")
    return cleaned


def _mobile(raw: str) -> str:
    try:
        return normalise_mobile(raw)
    except PhoneError as exc:
        raise Invalid(f"mobile {raw!r}: {exc}") from exc


def add_staff(ctx: Context, name: str, mobile: str | None, *, alerts: bool = False, code_word: str | None = None,
              role: str = "", vehicle_reg: str = "", vehicle_make: str = "", vehicle_colour: str = "",
              approver: bool = False, tier: int = 1, actor: str = "cli") -> Staff:
    """A new member of staff. `approver`: may approve visits (kiosk.services.approval). `tier`: an
    alert receiver's tier (1 is told first; kiosk.domain.ladder.next_tier)."""
    name = _text(name, "name", required=True)
    tier = alert_tier(tier)
    number = _mobile(mobile) if mobile else None
    if alerts and not number:
        raise Invalid("an alert receiver needs a mobile")
    word = None
    if code_word is not None:
        try:
            word = validate_code_word(code_word)
        except CodeWordError as exc:
            raise Invalid(str(exc)) from exc  # it already says "code word ..."
    fields = dict(role=_text(role, "role"), vehicle_reg=_text(vehicle_reg, "vehicle registration", limit=12).upper(),
                  vehicle_make=_text(vehicle_make, "vehicle make/model"), vehicle_colour=_text(vehicle_colour, "vehicle colour"))
    with ctx.atomic():
        if Staff.select().where(Staff.name == name).exists():
            raise Invalid(f"there is already a member of staff called {name}")
        if number and Staff.select().where(Staff.mobile == number).exists():
            raise Invalid(f"duplicate mobile: {number} already belongs to another member of staff")
        if number and Phone.select().where(Phone.number == number).exists():
            raise Invalid(f"duplicate mobile: {number} is a school phone")
        staff = Staff.create(name=name, mobile=number, receives_alerts=alerts, code_word=word,
                             approver=bool(approver), alert_tier=tier, created_at=ctx.now(), **fields)
        audit.record("staff-added", ctx.now(), actor=actor, staff=staff,
                     summary=f"staff {staff.id} added" + (", approver" if approver else ""))
    return staff


MAX_TIER = 9


def alert_tier(value) -> int:
    """An alert tier as typed (1 to 9), or Invalid saying so."""
    try:
        tier = int(str(value).strip())
    except (TypeError, ValueError):
        raise Invalid(f"tier must be a whole number from 1 to {MAX_TIER}, not {str(value)[:20]!r}") from None
    if not 1 <= tier <= MAX_TIER:
        raise Invalid(f"tier must be from 1 to {MAX_TIER}, not {tier}")
    return tier


def list_staff(ctx: Context) -> list[Staff]:
    return list(Staff.select().order_by(Staff.name))


def add_phone(ctx: Context, number: str, label: str = "", *, actor: str = "cli") -> Phone:
    e164 = _mobile(number)
    label = _text(label, "label")
    with ctx.atomic():
        if Phone.select().where(Phone.number == e164).exists():
            raise Invalid(f"duplicate: {e164} is already a school phone")
        if Staff.select().where(Staff.mobile == e164).exists():
            raise Invalid(f"duplicate: {e164} is a member of staff's own mobile")
        phone = Phone.create(number=e164, label=label, created_at=ctx.now())
        audit.record("phone-added", ctx.now(), actor=actor, summary=f"phone {phone.id} added")
    return phone


def list_phones(ctx: Context) -> list[Phone]:
    return list(Phone.select().order_by(Phone.id))


def add_register_entry(ctx: Context, *, reason: str, address: str = "", postcode: str = "",
                       prohibited: bool = False, actor: str = "cli") -> RegisterEntry:
    """Flag an address and/or a postcode (a full one, or a district such as LU4)."""
    reason = _text(reason, "reason", required=True, limit=200)
    address = _text(address, "address", limit=200)
    code = ""
    if postcode and postcode.strip():
        code = normalise_postcode(postcode) or ""
        if not code:
            raise Invalid(f"postcode {postcode!r} is not a UK postcode or district")
    if not address and not code:
        raise Invalid("give an address or a postcode to flag")
    with ctx.atomic():
        entry = RegisterEntry.create(address=address, postcode=code, reason=reason, prohibited=prohibited,
                                     created_at=ctx.now())
        audit.record("register-added", ctx.now(), actor=actor, summary=f"register entry {entry.id} added")
    return entry


def list_register(ctx: Context) -> list[RegisterEntry]:
    return list(RegisterEntry.select().where(RegisterEntry.active == True).order_by(RegisterEntry.id))  # noqa: E712
