"""Visits as the policies describe them: states, the public label, and the sign-out rules.

Pure: no database, no clock. The public label must never contain more of the address than the
postcode district ("Visit 12 · LU4"): visitors to reception can read the board.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

OUT, ON_SITE, LEAVING, BACK = "out", "on-site", "leaving", "back"
STATES = (OUT, ON_SITE, LEAVING, BACK)
OPEN_STATES = (OUT, ON_SITE, LEAVING)
PURPOSES = ("attendance", "safeguarding", "send", "transition", "family-support", "other")
LONE_VISIT_RULES = ("allow", "warn", "refuse")
ALLOW, WARN, REFUSE = "allow", "warn", "refuse"

# A full UK postcode: outward code (area + district) and inward code, e.g. "LU4 9AB", "SW1A 1AA".
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE)
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


def find_postcode(place: str) -> str | None:
    """The last full UK postcode in an address, normalised ("lu49ab" -> "LU4 9AB"), or None."""
    found = _POSTCODE.findall(place or "")
    if not found:
        return None
    outward, inward = found[-1]
    return f"{outward.upper()} {inward.upper()}"


def normalise_postcode(text: str) -> str | None:
    """A register entry's postcode: a full postcode, or an outward code alone ("LU4") to flag a
    whole district. None if it is neither."""
    cleaned = " ".join((text or "").upper().split())
    full = find_postcode(cleaned)
    if full and full.replace(" ", "") == cleaned.replace(" ", ""):
        return full
    return cleaned if _OUTWARD.match(cleaned) else None


def postcode_district(place: str) -> str | None:
    postcode = find_postcode(place)
    return postcode.split()[0] if postcode else None


def public_label(visit_id: int, place: str) -> str:
    """"Visit 12 · LU4": the visit number and at most the postcode district, never the address."""
    district = postcode_district(place)
    return f"Visit {visit_id} · {district}" if district else f"Visit {visit_id}"


@dataclass(frozen=True)
class Flag:
    """A register entry as the rules see it."""

    id: int
    reason: str
    address: str = ""
    postcode: str = ""
    prohibited: bool = False  # no visit at all (e.g. Hart Hill's prohibited addresses)


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", (text or "").casefold())


def matching_flags(place: str, flags: Iterable[Flag]) -> list[Flag]:
    """Register entries that apply to this address: same full postcode, same district for a
    district entry, or the entry's address words appearing in order in the place."""
    postcode = find_postcode(place)
    district = postcode.split()[0] if postcode else None
    words = _words(place)
    hits = []
    for flag in flags:
        code = flag.postcode.upper().strip()
        if code and (code == postcode or code == district):
            hits.append(flag)
            continue
        needle = _words(flag.address)
        if needle and any(words[i:i + len(needle)] == needle for i in range(len(words) - len(needle) + 1)):
            hits.append(flag)
    return hits


@dataclass(frozen=True)
class Verdict:
    outcome: str  # allow | warn | refuse
    reason: str = ""


def sign_out_verdict(member_count: int, flags: Sequence[Flag], lone_visits: str) -> Verdict:
    """The register and the school's `lone_visits` setting, applied to one sign-out.

    A prohibited place is refused outright; a flagged place is refused to a lone visitor and a
    warning for a pair; otherwise a lone visit follows `lone_visits` (allow | warn | refuse)."""
    if member_count < 1:
        return Verdict(REFUSE, "a visit needs at least one member of staff")
    prohibited = [f for f in flags if f.prohibited]
    if prohibited:
        return Verdict(REFUSE, f"prohibited place on the register: {prohibited[0].reason}")
    if flags and member_count == 1:
        return Verdict(REFUSE, f"don't visit alone: {flags[0].reason}")
    if flags:
        return Verdict(WARN, f"on the register: {flags[0].reason}")
    if member_count == 1 and lone_visits == REFUSE:
        return Verdict(REFUSE, "lone visits are not allowed: two members of staff are required")
    if member_count == 1 and lone_visits == WARN:
        return Verdict(WARN, "lone visit: the policy prefers two members of staff")
    return Verdict(ALLOW)
