"""What the board, the CLI listings and the UI read. Read-only.

The board's level shows red/amber only for alarms already stored (every alarm is persisted before
it is shown); due-soon is worked out from due-back and the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.domain import ladder as L
from kiosk.services import lookup
from kiosk.services.context import Context
from kiosk.store.models import Alarm, AlarmAction, Message, Staff


@dataclass(frozen=True)
class BoardRow:
    """One open visit on the board. `label` is the public one; `place` is for the alarm screen."""

    id: int
    staff: list[str]
    label: str
    state: str
    level: str  # ok | due-soon | amber | red
    due_back: datetime
    last_contact: datetime | None
    alarms: list[int]  # unresolved alarm ids
    approved: bool
    left_at: datetime
    check_in_due: datetime | None
    phones: list[str]
    place: str
    # additive facts for the board's travel and flags columns
    kinds: tuple[str, ...] = ()  # kinds of the unresolved alarms, most serious first
    travel: str = ""
    vehicle: str = ""
    check_in_minutes: int | None = None
    flagged: bool = False  # the place matches an active register entry
    owner: str | None = None  # the alert receiver who took charge of an alarm (ACK by SMS)
    approved_by: str | None = None  # the first approver (later approvals: kiosk.services.approval)
    approved_at: datetime | None = None

    @property
    def pair(self) -> bool:
        return len(self.staff) > 1


def board(ctx: Context) -> list[BoardRow]:
    """Open visits, most urgent first (red, amber, due-soon, ok; then earliest due-back)."""
    from kiosk.domain.visits import matching_flags  # on first use, not at the top: start-up time (the board query needs no sign-out rules)
    from kiosk.services.visits import register_flags  # on first use, not at the top: start-up time (the board query needs no sign-out rules)

    now = ctx.now()
    flags = register_flags()
    snap = lookup.open_snapshot()
    owner_ids = {a.owner_id for alarms in snap.alarms.values() for a in alarms if a.owner_id is not None}
    owners = {s.id: s.name for s in Staff.select(Staff.id, Staff.name).where(Staff.id.in_(owner_ids))} if owner_ids else {}
    rows = []
    for visit in snap.visits:
        facts = snap.facts(visit)
        levels = {a.level for a in facts.alarms}
        level = (L.RED if L.RED in levels else L.AMBER if L.AMBER in levels
                 else L.DUE_SOON if now >= visit.due_back - ctx.ladder.due_soon else L.OK)
        people = snap.members.get(visit.id, [])
        owner = next((owners.get(a.owner_id) for a in snap.alarms.get(visit.id, []) if a.owner_id is not None), None)
        rows.append(BoardRow(id=visit.id, staff=[m.staff.name for m in people], label=visit.label,
                             state=visit.state, level=level, due_back=visit.due_back,
                             last_contact=visit.last_contact_at, alarms=[a.id for a in facts.alarms],
                             approved=visit.approved_by is not None, left_at=visit.left_at,
                             check_in_due=L.check_in_due(facts), phones=[m.phone_number for m in people if m.phone_number],
                             place=visit.place,
                             kinds=tuple(a.kind for a in sorted(facts.alarms, key=lambda a: (a.level != L.RED, a.id))),
                             travel=visit.travel, vehicle=visit.vehicle, check_in_minutes=visit.check_in_minutes,
                             flagged=bool(matching_flags(visit.place, flags)),
                             owner=owner, approved_by=visit.approved_by, approved_at=visit.approved_at))
    rows.sort(key=lambda r: (L.more_urgent_first(r.level), r.due_back, r.id))
    return rows


def warnings(ctx: Context) -> list[str]:
    """Conditions reception must see on every screen and every command."""
    out = []
    if not lookup.alert_receivers():
        out.append("NO ALERT RECEIVER: no active member of staff with a mobile receives alerts; "
                   "red alarms will reach nobody by text")
    return out


def ignored_count(ctx: Context) -> int:
    """Texts from unregistered numbers (shown on the board as a count; they change nothing)."""
    return Message.select().where((Message.direction == "in") & (Message.state == "ignored")).count()


def list_messages(ctx: Context, *, limit: int = 200, visit_id: int | None = None) -> list[Message]:
    query = Message.select()
    if visit_id is not None:
        query = query.where(Message.visit == visit_id)
    return list(query.order_by(Message.id.desc()).limit(limit))


def list_alarms(ctx: Context, *, open_only: bool = False, limit: int = 200) -> list[Alarm]:
    query = Alarm.select()
    if open_only:
        query = query.where(Alarm.resolved_at.is_null())
    return list(query.order_by(Alarm.id.desc()).limit(limit))


def alarm_history(ctx: Context, alarm_ids: list[int]) -> dict[int, list[AlarmAction]]:
    """Every step taken about each alarm, in order (issue 14 item 14): alarm id -> steps."""
    history: dict[int, list[AlarmAction]] = {}
    if alarm_ids:
        for step in (AlarmAction.select().where(AlarmAction.alarm.in_(alarm_ids))
                     .order_by(AlarmAction.at, AlarmAction.id)):
            history.setdefault(step.alarm_id, []).append(step)
    return history
