"""Reading the store the way the rules need it: who sent a text, who gets alerts, which code words
are live, and the ladder's snapshot of a visit. Read-only: nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from peewee import JOIN

from kiosk.domain import ladder as L
from kiosk.domain.cars import Car, car_used
from kiosk.domain.codewords import redact
from kiosk.domain.visits import OPEN_STATES
from kiosk.store.models import Alarm, Message, Phone, Staff, Visit, VisitMember


@dataclass(frozen=True)
class Sender:
    """Who a number is: matched to an open visit by the phone it carries first, then to staff."""

    number: str
    visit: Visit | None = None
    staff: Staff | None = None
    phone: Phone | None = None

    @property
    def registered(self) -> bool:
        return self.visit is not None or self.staff is not None or self.phone is not None

    @property
    def reads_ack_as_taking_charge(self) -> bool:
        """Whether "ACK 2 calling police" from this sender is taking charge rather than a plea: only
        from an alert receiver who is not out on a visit (someone on one may be the person in danger)."""
        return self.staff is not None and bool(self.staff.receives_alerts) and self.visit is None


LADDER_FIELDS = (Visit.id, Visit.state, Visit.left_at, Visit.due_back, Visit.check_in_minutes, Visit.last_contact_at,
                 Visit.back_claimed_at)


def open_visits(*fields):
    """Open visits, earliest due first; `fields` to read only some columns (LADDER_FIELDS: the ladder's)."""
    return Visit.select(*fields).where(Visit.state.in_(OPEN_STATES)).order_by(Visit.due_back, Visit.id)


def members(visit: Visit) -> list[VisitMember]:
    return list(VisitMember.select(VisitMember, Staff).join(Staff).where(VisitMember.visit == visit)
                .order_by(VisitMember.id))


def car_of(visit: Visit, people: list[VisitMember] | None = None) -> Car:
    """The car the visit used (kiosk.domain.cars): the visit's own, else a member's on record."""
    people = members(visit) if people is None else people
    return car_used(Car(visit.vehicle, visit.vehicle_make, visit.vehicle_colour),
                    [(m.staff.name, Car(m.staff.vehicle_reg, m.staff.vehicle_make, m.staff.vehicle_colour))
                     for m in people])


def names(visit: Visit | None) -> list[str]:
    return [m.staff.name for m in members(visit)] if visit is not None else []


def open_visit_of_staff(staff: Staff) -> Visit | None:
    return (open_visits().join(VisitMember).where(VisitMember.staff == staff).first())


def identify(number: str) -> Sender:
    carried = (VisitMember.select(VisitMember, Visit, Staff).join(Visit).switch(VisitMember).join(Staff)
               .where((VisitMember.phone_number == number) & Visit.state.in_(OPEN_STATES))
               .order_by(Visit.left_at.desc(), Visit.id.desc()).first())
    if carried is not None:
        return Sender(number, visit=carried.visit, staff=carried.staff)
    staff = Staff.get_or_none((Staff.mobile == number) & (Staff.active == True))  # noqa: E712
    if staff is not None:
        return Sender(number, visit=open_visit_of_staff(staff), staff=staff)
    phone = Phone.get_or_none((Phone.number == number) & (Phone.active == True))  # noqa: E712
    return Sender(number, phone=phone)


def live_code_words() -> set[str]:
    """Every active member's standing code word and every open visit's code word (one query)."""
    query = (Staff.select(Staff.code_word).where(Staff.code_word.is_null(False))
             | Visit.select(Visit.code_word).where(Visit.state.in_(OPEN_STATES) & Visit.code_word.is_null(False)))
    return {w for (w,) in query.tuples() if w}


def alert_receivers(exclude_staff_ids: set[int] | frozenset[int] = frozenset()) -> list[Staff]:
    """Active alert receivers with a mobile, minus the people on the visit in question."""
    query = Staff.select().where((Staff.receives_alerts == True) & (Staff.active == True)  # noqa: E712
                                 & Staff.mobile.is_null(False)).order_by(Staff.alert_tier, Staff.id)
    return [s for s in query if s.id not in exclude_staff_ids]


def alarm_sender(alarm: Alarm) -> tuple[str, str] | None:
    """(name, number) of whoever's text raised an alarm that has no visit (an SOS or a code word from
    someone not out on a visit, or from an unregistered number: named "unknown number 07700 900999"),
    from the stored text linked to it; None if no text raised it."""
    msg = (Message.select(Message, Staff).join(Staff, JOIN.LEFT_OUTER)
           .where((Message.alarm == alarm) & (Message.direction == "in")).order_by(Message.id).first())
    if msg is None:
        return None
    return (msg.staff.name if msg.staff_id else unknown_name(msg.number)), msg.number


def unknown_name(number: str) -> str:
    """How alarms name an unregistered sender: by the number, the one thing known about them."""
    from kiosk.domain.phones import national_format  # on first use, not at the top: start-up time (phonenumbers' metadata is slow to load)

    return f"unknown number {national_format(number)}"


def unresolved_alarms(visit: Visit | None = None):
    query = Alarm.select().where(Alarm.resolved_at.is_null())
    if visit is not None:
        query = query.where(Alarm.visit == visit)
    return query.order_by(Alarm.id)


def alarm_facts(alarm: Alarm, escalated: bool | None = None) -> L.AlarmFacts:
    if escalated is None:
        escalated = Alarm.select().where(Alarm.parent == alarm).exists()
    return L.AlarmFacts(id=alarm.id, kind=alarm.kind, level=alarm.level, raised_at=alarm.raised_at,
                        owned=alarm.owner_id is not None, last_alert_at=alarm.last_alert_at,
                        alert_count=alarm.alert_count, escalated=escalated, missed_at=alarm.missed_at,
                        tier_told=alarm.alert_tier, tier_at=alarm.tier_at,
                        acknowledged=alarm.acknowledged_at is not None)


def visit_facts(visit: Visit, alarms: list[Alarm] | None = None, escalated: set[int] | None = None) -> L.VisitFacts:
    """The ladder's snapshot of one visit; `alarms`/`escalated` from `open_snapshot` save the queries."""
    if alarms is None:
        facts = tuple(alarm_facts(a) for a in unresolved_alarms(visit))
    else:
        facts = tuple(alarm_facts(a, a.id in (escalated or set())) for a in alarms)
    return L.VisitFacts(id=visit.id, state=visit.state, left_at=visit.left_at, due_back=visit.due_back,
                        check_in_minutes=visit.check_in_minutes, last_contact_at=visit.last_contact_at,
                        alarms=facts, back_claimed_at=visit.back_claimed_at)


@dataclass(frozen=True)
class OpenSnapshot:
    """Every open visit with its members and unresolved alarms, read in a fixed number of queries
    (not a few per visit): what the board and the ladder's pass read each time."""

    visits: list[Visit]
    members: dict[int, list[VisitMember]]  # visit id -> members (with staff), in order
    alarms: dict[int, list[Alarm]]  # visit id -> unresolved alarms, by id
    escalated: set[int]  # unresolved alarms a no-reply alarm was already raised from
    unresolved: list[Alarm] = field(default_factory=list)  # every unresolved alarm, by id (with or without a visit)

    def facts(self, visit: Visit) -> L.VisitFacts:
        return visit_facts(visit, self.alarms.get(visit.id, []), self.escalated)


def open_snapshot(with_members: bool = True) -> OpenSnapshot:
    """Read it (inside one `ctx.snapshot()`). The ladder reads neither the members nor the visits'
    other columns (`with_members=False`): 150 whole visits cost more to build than to query."""
    visits = list(open_visits() if with_members else open_visits(*LADDER_FIELDS))
    members: dict[int, list[VisitMember]] = {}
    if with_members and visits:
        open_ids = Visit.select(Visit.id).where(Visit.state.in_(OPEN_STATES))
        for m in (VisitMember.select(VisitMember, Staff).join(Staff).where(VisitMember.visit.in_(open_ids))
                  .order_by(VisitMember.id)):
            members.setdefault(m.visit_id, []).append(m)
    unresolved = list(unresolved_alarms())  # few: an alarm is resolved when its visit ends
    ids = {v.id for v in visits}
    alarms: dict[int, list[Alarm]] = {}
    for a in unresolved:
        if a.visit_id in ids:
            alarms.setdefault(a.visit_id, []).append(a)
    return OpenSnapshot(visits, members, alarms, escalated_alarms() if unresolved else set(), unresolved)


def escalated_alarms() -> set[int]:
    """Ids of unresolved alarms that already have a child (the no-reply raised from an amber)."""
    unresolved = Alarm.select(Alarm.id).where(Alarm.resolved_at.is_null())
    return {a.parent_id for a in Alarm.select(Alarm.parent).where(Alarm.parent.in_(unresolved))}


def fields_with_code_words(texts: dict[str, str | None], extra: Iterable[str] = ()) -> list[str]:
    """The keys of `texts` whose text holds a live code word (or one of `extra`, e.g. the code word
    typed for the visit being started), matched as redaction matches: any word containing one.
    Typed text is stored and shown in clear (the board's travel column, alerts), so a code word
    typed into the wrong field ("Vehicle", "Approved by") must be refused, never stored."""
    words = live_code_words() | {w for w in extra if w}
    if not words:
        return []
    return [key for key, text in texts.items() if text and redact(text, words) != text]
