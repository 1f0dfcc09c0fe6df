"""What the visit screens read: the few facts a visit's dialogs show at the top (never the
address), a visit's timeline, and whom the sign-out form offers.

Read-only, plain frozen dataclasses out, so the screens never touch the models: each function is
called from a screen's thread worker (kiosk.screens._work.in_db_thread). Never returns a code word.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.domain.phones import national_format
from kiosk.domain.visits import Flag
from kiosk.services import lookup
from kiosk.services.alarms import ACTIONS
from kiosk.services.errors import NotFound
from kiosk.services.visits import open_red_kinds, register_flags
from kiosk.store.models import Alarm, AlarmAction, Event, Message as Sms, Staff, Visit


@dataclass(frozen=True)
class VisitSummary:
    id: int
    label: str
    staff: tuple[str, ...]
    state: str
    due_back: datetime
    left_at: datetime
    open_red: bool


def load_summary(visit_id: int) -> VisitSummary:
    visit = Visit.get_or_none(Visit.id == visit_id)
    if visit is None:
        raise NotFound(f"no visit {visit_id}")
    return VisitSummary(visit.id, visit.label, tuple(lookup.names(visit)), visit.state, visit.due_back,
                        visit.left_at, bool(open_red_kinds(visit)))


@dataclass(frozen=True)
class Entry:
    at: datetime
    what: str
    who: str
    text: str
    order: tuple[int, int] = (0, 0)  # same instant: events, then SMS, then alarms; each by id


@dataclass(frozen=True)
class Timeline:
    summary: VisitSummary
    entries: tuple[Entry, ...]


def load_timeline(visit_id: int) -> Timeline:
    summary = load_summary(visit_id)
    entries: list[Entry] = []
    for event in Event.select().where(Event.visit_id == visit_id):
        entries.append(Entry(event.at, event.kind, event.actor, event.summary, (0, event.id)))
    for sms in Sms.select().where(Sms.visit == visit_id):
        arrow = "SMS in" if sms.direction == "in" else "SMS out"
        who = national_format(sms.number)
        state = sms.state + (f" ({sms.kind})" if sms.kind else "")
        entries.append(Entry(sms.created_at, f"{arrow} · {state}", who, sms.text, (1, sms.id)))
        if sms.direction == "out" and sms.sent_at:
            entries.append(Entry(sms.sent_at, "SMS sent", who, f"message {sms.id}", (1, sms.id)))
        if sms.delivered_at:
            entries.append(Entry(sms.delivered_at, "SMS delivered", who, f"message {sms.id}", (1, sms.id)))
    for alarm in Alarm.select().where(Alarm.visit == visit_id):
        entries.append(Entry(alarm.raised_at, f"{alarm.level.upper()} alarm: {alarm.kind}", "", alarm.summary,
                             (2, alarm.id)))
    for step in (AlarmAction.select(AlarmAction, Alarm.id).join(Alarm).where(Alarm.visit == visit_id)
                 .order_by(AlarmAction.id)):  # every step taken, not only the latest (issue 14 item 14)
        text = f"alarm {step.alarm_id}: {step.action}" + (f", police ref {step.police_ref}" if step.police_ref else "")
        entries.append(Entry(step.at, "alarm acknowledged" if step.action in ACTIONS else f"alarm {step.action}", step.who,
                             text + (f", note: {step.note}" if step.note else ""), (3, step.id)))
    entries.sort(key=lambda e: (e.at, e.order))
    return Timeline(summary, tuple(entries))


@dataclass(frozen=True)
class StaffChoice:
    id: int
    name: str
    vehicle: str


@dataclass(frozen=True)
class Choices:
    """What the form offers: staff who may go out now, and the register's flags."""

    staff: tuple[StaffChoice, ...]
    flags: tuple[Flag, ...]


def load_choices() -> Choices:
    """Active staff with a standing code word who are not out already; the active register."""
    people = []
    for person in Staff.select().where((Staff.active == True) & Staff.code_word.is_null(False)  # noqa: E712
                                       ).order_by(Staff.name):
        if person.code_word and lookup.open_visit_of_staff(person) is None:
            vehicle = " ".join(p for p in (person.vehicle_reg, person.vehicle_make, person.vehicle_colour) if p)
            people.append(StaffChoice(person.id, person.name, vehicle))
    return Choices(tuple(people), tuple(register_flags()))
