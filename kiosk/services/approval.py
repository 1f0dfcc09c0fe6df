"""Who may approve a visit, and the record of every approval.

An approver is an active member of staff marked `approver` (`kiosk staff add --approver`, `kiosk
staff edit NAME --approver`, the admin staff screen) who is not on the visit: nobody approves their
own visit. Reception names them as they know them: the full name (any case) or, when it picks out
exactly one approver, their initials ("HH" for Hana Head).

The visit keeps the first approval (`approved_by`, `approved_at`): a later one never replaces it.
Every approval, the first included, is an audit event (`visit-approved`, the approver's staff id),
so the export lists them all in order. `visits.approval = "require"` refuses a sign-out by
reception without one; a visit started by text (`OUT`) is still tracked, unapproved and flagged,
because an untracked visit is worse than an unapproved one.
"""

from __future__ import annotations

from collections.abc import Set
from datetime import datetime

from kiosk.services import audit
from kiosk.services.context import Context
from kiosk.services.errors import Invalid, Refused
from kiosk.store.models import Event, Staff, Visit

APPROVED = "visit-approved"
RECORD, REQUIRE = "record", "require"
UNTRACKED_IF_REFUSED = ("sms",)  # who starts visits that must be tracked even when unapproved


def initials(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[:1].isalpha()).upper()


def find_approver(ref: str, on_visit: Set[int] = frozenset()) -> Staff:
    """The approver `ref` names (name, initials or id), or Invalid saying in one line why not."""
    cleaned = " ".join((ref or "").split())
    if not cleaned or len(cleaned) > 80 or not cleaned.isprintable():
        raise Invalid("the approver: give the name (or initials) of a member of staff marked as an approver")
    if cleaned.isdigit():
        found = [s for s in [Staff.get_or_none(Staff.id == int(cleaned))] if s is not None]
    else:
        found = [s for s in Staff.select() if " ".join(s.name.split()).casefold() == cleaned.casefold()]
        if not found:
            found = [s for s in Staff.select().where(Staff.approver == True)  # noqa: E712
                     if s.active and initials(s.name) == cleaned.upper()]
            if len(found) > 1:
                raise Invalid(f"{cleaned} are the initials of {len(found)} approvers: give the full name")
    if not found:
        raise Invalid(f"{cleaned} is not a member of staff who may approve visits")
    person = found[0]
    if not person.active:
        raise Invalid(f"{person.name} is not active and cannot approve visits")
    if not person.approver:
        raise Invalid(f"{person.name} is not marked as an approver")
    if person.id in on_visit:
        raise Invalid(f"{person.name} is on this visit and cannot approve it")
    return person


def check_required(ctx: Context, approved_by: str | None, started_by: str) -> None:
    """`visits.approval = "require"`: reception may not sign out a visit nobody has approved."""
    if ctx.config.visits.approval == REQUIRE and not approved_by and started_by not in UNTRACKED_IF_REFUSED:
        raise Refused("this school requires approval before a visit: give who approved it (--approved-by)")


def record(ctx: Context, visit: Visit, approver: Staff, *, actor: str) -> bool:
    """Record an approval (inside the caller's transaction). True if it is the visit's first; a later
    one is added to the trail and leaves the first in place."""
    now = ctx.now()
    first = visit.approved_by is None
    if first:
        visit.approved_by, visit.approved_at = approver.name, now
        visit.save()
    audit.record(APPROVED, now, actor=actor, visit=visit, staff=approver,
                 summary=f"visit {visit.id} approved by staff {approver.id}" + ("" if first else " (again)"))
    return first


def approvals(visit_ids) -> dict[int, list[tuple[str, datetime]]]:
    """Visit id -> every approval (approver's name, when), oldest first. `visit_ids`: ids or a query."""
    out: dict[int, list[tuple[str, datetime]]] = {}
    rows = (Event.select(Event.visit_id, Event.at, Staff.name)
            .join(Staff, on=(Event.staff_id == Staff.id))
            .where((Event.kind == APPROVED) & Event.visit_id.in_(visit_ids))
            .order_by(Event.at, Event.id).tuples())
    for visit_id, at, name in rows:
        out.setdefault(visit_id, []).append((name, Event.at.python_value(at)))
    return out
