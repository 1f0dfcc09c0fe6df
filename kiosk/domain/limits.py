"""How long each piece of typed text may be: one definition shared by the kiosk's forms, the CLI,
the SMS parser and the services, and the one check they all run.

Before this, the sign-out form allowed 200/40/60 characters where the service allowed 300/120/120,
and the form's fields cut pasted text at their limit without a word (a 2,000-character place lost
its postcode, so the label became "Visit 5"). Text over a limit is refused with the limit named,
never cut. Pure: no I/O, no textual.
"""

from __future__ import annotations

PLACE = 200  # the full address with postcode (an OUT by text allows the same)
FAMILY_REF = 40  # a family or pupil reference
VEHICLE = 60  # the vehicle of a visit as typed at the kiosk (registration, make, colour)
VEHICLE_REG = 12
VEHICLE_MAKE = 80
VEHICLE_COLOUR = 80
TRAVEL = 60  # how the visit travels
HOME_PHONE = 40
BY = 40  # the initials or name of whoever acts or approves
POLICE_REF = 60  # a police incident reference
NOTE = 200  # a note on an acknowledgement or a post-visit answer


class TextError(ValueError):
    """Typed text that cannot be accepted; the message says why (never repeats the text)."""


def clean_text(value: str | None, what: str, limit: int) -> str:
    """`value` as one line (runs of whitespace made one space, ends trimmed), or TextError when it
    holds control characters or is longer than `limit` characters."""
    cleaned = " ".join((value or "").split())
    if not cleaned.isprintable():
        raise TextError(f"{what} contains control characters")
    if len(cleaned) > limit:
        raise TextError(too_long(what, len(cleaned), limit))
    return cleaned


def too_long(what: str, length: int, limit: int) -> str:
    return f"{what} is too long: {length} characters, at most {limit}"
