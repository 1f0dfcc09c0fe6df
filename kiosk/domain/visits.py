"""Visits as the policies describe them: states, the public label, and the sign-out rules.

Pure: no database, no clock. The public label must never contain more of the address than the
postcode district ("Visit 12 · LU4"): visitors to reception can read the board.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from kiosk.domain.addresses import NEAR, SAME, compare, find_postcode  # noqa: F401 - find_postcode re-exported

OUT, ON_SITE, LEAVING, BACK = "out", "on-site", "leaving", "back"
STATES = (OUT, ON_SITE, LEAVING, BACK)
OPEN_STATES = (OUT, ON_SITE, LEAVING)
PURPOSES = ("attendance", "safeguarding", "send", "transition", "family-support", "other")
LONE_VISIT_RULES = ("allow", "warn", "refuse")
ALLOW, WARN, REFUSE = "allow", "warn", "refuse"

_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")


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


def _postcode_hit(flag: Flag, postcode: str | None) -> bool:
    code = flag.postcode.upper().strip()
    return bool(code) and (code == postcode or code == (postcode.split()[0] if postcode else None))


def matching_flags(place: str, flags: Iterable[Flag]) -> list[Flag]:
    """Register entries that apply to this address: same full postcode, same district for a
    district entry, or the same address as people write it (kiosk.domain.addresses: "22 Oak Ln,
    Luton" is "22 Oak Lane, Luton")."""
    postcode = find_postcode(place)
    return [f for f in flags if _postcode_hit(f, postcode) or (f.address and compare(f.address, place) == SAME)]


def near_flags(place: str, flags: Iterable[Flag]) -> list[Flag]:
    """Register entries whose address has the same house number and street as this place but
    another town: not applied, but reception is warned to check."""
    postcode = find_postcode(place)
    return [f for f in flags if not _postcode_hit(f, postcode) and f.address and compare(f.address, place) == NEAR]


@dataclass(frozen=True)
class Verdict:
    outcome: str  # allow | warn | refuse
    reason: str = ""


def sign_out_verdict(member_count: int, flags: Sequence[Flag], lone_visits: str,
                     near: Sequence[Flag] = ()) -> Verdict:
    """The register and the school's `lone_visits` setting, applied to one sign-out.

    A prohibited place is refused outright; a flagged place is refused to a lone visitor and a
    warning for a pair; otherwise a lone visit follows `lone_visits` (allow | warn | refuse). A
    near match (`near_flags`) adds a warning to whatever is not refused."""
    verdict = _verdict(member_count, flags, lone_visits)
    if not near or verdict.outcome == REFUSE:
        return verdict
    entry = near[0]
    what = "a prohibited place" if entry.prohibited else "a place on the register"
    warning = (f"check the address: {entry.address} is {what} ({entry.reason}); this one has the same "
               f"number and street")
    return Verdict(WARN, f"{verdict.reason}; {warning}" if verdict.reason else warning)


def _verdict(member_count: int, flags: Sequence[Flag], lone_visits: str) -> Verdict:
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
