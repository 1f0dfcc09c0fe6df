"""Who is at the kiosk keyboard: reception users' PINs and the admin PIN from the config.

It must never store, return, log or audit a PIN: only `kiosk.security.pins` hashes. A wrong PIN
changes nothing here; slowing down repeated tries is the caller's Throttle (never a lock-out).
"""

from __future__ import annotations

import re

from kiosk.security.pins import PinError, hash_pin, validate_pin, verify_pin
from kiosk.services import audit
from kiosk.services.context import Context
from kiosk.services.errors import Invalid
from kiosk.store.models import ReceptionUser

_INITIALS = re.compile(r"^[A-Z]{2,4}$")
RECEPTION_PIN_DIGITS = 4


def normalise_initials(raw: str) -> str:
    """"ab" -> "AB"; Invalid unless 2-4 letters."""
    cleaned = "".join((raw or "").split()).upper()
    if not _INITIALS.match(cleaned):
        raise Invalid("initials must be 2 to 4 letters, e.g. AB")
    return cleaned


def set_reception_pin(ctx: Context, initials: str, pin: str, *, name: str = "", actor: str = "cli") -> ReceptionUser:
    """Add a reception user, or give an existing one a new PIN (and reactivate them)."""
    initials = normalise_initials(initials)
    try:
        pin = validate_pin(pin, min_digits=RECEPTION_PIN_DIGITS)
    except PinError as exc:
        raise Invalid(str(exc)) from exc
    name = " ".join((name or "").split())
    if len(name) > 80 or not name.isprintable():
        raise Invalid("name must be at most 80 printable characters")
    stored = hash_pin(pin)
    with ctx.atomic():
        user = ReceptionUser.get_or_none(ReceptionUser.initials == initials)
        if user is None:
            user = ReceptionUser.create(initials=initials, name=name, pin_hash=stored, created_at=ctx.now())
            kind = "reception-user-added"
        else:
            user.pin_hash, user.active = stored, True
            if name:
                user.name = name
            user.save()
            kind = "reception-pin-changed"
        audit.record(kind, ctx.now(), actor=actor, summary=f"reception user {initials}")
    return user


def deactivate_reception_user(ctx: Context, initials: str, *, actor: str = "cli") -> ReceptionUser:
    initials = normalise_initials(initials)
    with ctx.atomic():
        user = ReceptionUser.get_or_none(ReceptionUser.initials == initials)
        if user is None:
            raise Invalid(f"no reception user {initials}")
        user.active = False
        user.save()
        audit.record("reception-user-deactivated", ctx.now(), actor=actor, summary=f"reception user {initials}")
    return user


def list_reception_users(ctx: Context) -> list[ReceptionUser]:
    return list(ReceptionUser.select().order_by(ReceptionUser.initials))


def any_reception_users(ctx: Context) -> bool:
    return ReceptionUser.select().where(ReceptionUser.active == True).exists()  # noqa: E712


def check_reception_pin(ctx: Context, initials: str, pin: str) -> ReceptionUser | None:
    """The active reception user with these initials and this PIN, else None (never says which was wrong)."""
    try:
        initials = normalise_initials(initials)
    except Invalid:
        return None
    user = ReceptionUser.get_or_none((ReceptionUser.initials == initials) & (ReceptionUser.active == True))  # noqa: E712
    if user is None:
        verify_pin(pin or "", hash_pin("0000"))  # same work either way: no hint that the initials are unknown
        return None
    return user if verify_pin(pin or "", user.pin_hash) else None


def admin_pin_set(ctx: Context) -> bool:
    return bool(ctx.config.security.admin_pin_hash)


def check_admin_pin(ctx: Context, pin: str) -> bool:
    stored = ctx.config.security.admin_pin_hash
    return bool(stored) and verify_pin(pin or "", stored)
