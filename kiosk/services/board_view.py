"""What the reception screen reads in one go (the board, the SMS link, open alarms), the alarm view's
facts, and the audited reveals. Read-only except for the audit rows the reveals write.

It must never return a code word, and never be the only record of a reveal: showing a full
address or the details of an alarm writes an Event first. Called from the UI's thread workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kiosk.domain import ladder as L
from kiosk.domain.alarm_words import instruction
from kiosk.domain.link import LinkState, link_state
from kiosk.domain.deliveries import Delivery, summary, warning
from kiosk.services import alert_delivery, audit, lookup, queries, sms_health
from kiosk.services.alarms import ACTIONS, national, nobody_in_charge_from, stand_down_receivers
from kiosk.services.context import Context
from kiosk.services.errors import NotFound
from kiosk.store.models import Alarm, AlarmAction, GatewayHealth, Visit

@dataclass(frozen=True)
class Link:
    """The SMS link as the status strip shows it."""

    state: LinkState
    signal_bars: int | None = None
    operator: str = ""
    queue: int = 0
    heartbeat_at: datetime | None = None
    last_exchange_at: datetime | None = None


@dataclass(frozen=True)
class AlarmLine:
    """An unresolved alarm: enough for the amber banner and to decide whether to open the alarm view."""

    id: int
    level: str
    kind: str
    visit_id: int | None
    names: tuple[str, ...]
    phones: tuple[str, ...]  # national format
    raised_at: datetime
    acknowledged_by: str | None
    action: str | None
    summary: str = ""  # what triggered it (never SMS text, never a code word)


@dataclass(frozen=True)
class BoardView:
    school: str
    rows: list[queries.BoardRow]
    alarms: list[AlarmLine]
    link: Link
    warnings: list[str] = field(default_factory=list)
    ignored: int = 0

    def counts(self, now: datetime) -> dict[str, int]:
        return {
            "out": len(self.rows),
            "due-soon": sum(1 for r in self.rows if r.level == L.DUE_SOON),
            "overdue": sum(1 for r in self.rows if r.due_back <= now),
            "alarms": self.alarm_count(),
        }

    def alarm_count(self) -> int:
        """Every red alarm (the alarm view's "+N more" counts the same ones), plus each visit with
        amber alarms only: an overdue amber and the no-reply red it escalated to count once."""
        reds = [a for a in self.alarms if a.level == L.RED]
        red_visits = {a.visit_id for a in reds if a.visit_id is not None}
        ambers = {a.visit_id if a.visit_id is not None else -a.id for a in self.alarms
                  if a.level != L.RED and a.visit_id not in red_visits}
        return len(reds) + len(ambers)

    def open_reds(self) -> list[AlarmLine]:
        """Unresolved red alarms, most urgent first (duress, SOS, no reply; then the oldest)."""
        return sorted((a for a in self.alarms if a.level == L.RED), key=urgency)

    def waiting_reds(self) -> list[AlarmLine]:
        """Red alarms nobody at the kiosk has acknowledged yet (the alarm view's), most urgent first."""
        return [a for a in self.open_reds() if a.acknowledged_by is None]


RED_URGENCY = {L.DURESS: 0, L.SOS: 1, L.NO_REPLY: 2}


def urgency(alarm: AlarmLine) -> tuple:
    """Sort key, most urgent first: a duress before an SOS before a no-reply, then the oldest."""
    return RED_URGENCY.get(alarm.kind, len(RED_URGENCY)), alarm.raised_at, alarm.id


@dataclass(frozen=True)
class AlarmDetail:
    """Everything the police will ask for, for one alarm. `place` is the full address."""

    id: int
    level: str
    kind: str
    summary: str
    raised_at: datetime
    visit_id: int | None
    names: tuple[str, ...]
    phones: tuple[str, ...]
    place: str
    home_phone: str
    vehicle: str  # the car used, described ("... (Ann Lee's own car)"); the fields below are its parts
    vehicle_reg: str
    vehicle_make: str
    vehicle_colour: str
    left_at: datetime | None
    due_back: datetime | None
    last_contact: datetime | None
    owner: str | None
    acknowledged_by: str | None
    action: str | None
    police_ref: str | None
    resolved: bool
    deliveries: tuple[Delivery, ...] = ()  # its alert texts (kiosk.domain.deliveries words them)
    delivery_warning_minutes: int = 5  # [ladder] delivery_warning_minutes
    alerted: tuple[alert_delivery.Alerted, ...] = ()  # who has been told, how and when (issue 18)
    nobody_in_charge_from: datetime | None = None  # every tier told, nobody has it: "call 999" from then
    steps: tuple[tuple[datetime, str, str, bool], ...] = ()  # each acknowledgement: (at, who, action, ref given)

    def nobody_in_charge(self, now: datetime) -> bool:
        return (not self.resolved and self.nobody_in_charge_from is not None
                and now >= self.nobody_in_charge_from)

    def delivery_lines(self, tz) -> list[str]:
        return summary(list(self.deliveries), tz)

    def delivery_warning(self, now: datetime) -> str | None:
        return warning(self.level, self.resolved, self.raised_at, list(self.deliveries), now,
                       self.delivery_warning_minutes)

    @property
    def instruction(self) -> str:
        return instruction(self.kind)


def load_board(ctx: Context) -> BoardView:
    """The whole board in one read (run it in a worker thread)."""
    now = ctx.now()
    with ctx.snapshot():  # one consistent read, without taking the write lock from the gateway
        rows = queries.board(ctx)
        alarms = [_line(a) for a in lookup.unresolved_alarms()]
        health = GatewayHealth.get_or_none(GatewayHealth.id == 1)
        warnings = queries.warnings(ctx)
        ignored = queries.ignored_count(ctx)
    state = link_state(health, now, ctx.config.gateway.heartbeat_stale_seconds, ctx.tz)
    link = Link(state) if health is None else Link(
        state, health.signal_bars, health.operator or "", int(health.queue_length or 0), health.heartbeat_at,
        health.last_exchange_at)
    alarms.sort(key=lambda a: (a.level != L.RED, a.raised_at, a.id))
    warnings += list(state.warnings) + sms_health.board_warnings(health, ctx.config)
    return BoardView(ctx.config.school.name, rows, alarms, link, warnings, ignored)


def _people(alarm: Alarm) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(names, national phones) an alarm is about: the visit's members, or, for an alarm with no
    visit (an SOS or code word from someone not out), the member of staff whose text raised it."""
    if alarm.visit_id:
        people = lookup.members(alarm.visit)
        return (tuple(m.staff.name for m in people),
                tuple(national(m.phone_number) for m in people if m.phone_number))
    sender = lookup.alarm_sender(alarm)
    return ((sender[0],), (national(sender[1]),)) if sender else ((), ())


def _line(alarm: Alarm) -> AlarmLine:
    names, phones = _people(alarm)
    return AlarmLine(alarm.id, alarm.level, alarm.kind, alarm.visit_id, names, phones,
                     alarm.raised_at, alarm.acknowledged_by, alarm.action, alarm.summary)


def alarm_detail(ctx: Context, alarm_id: int) -> AlarmDetail:
    alarm = Alarm.get_or_none(Alarm.id == alarm_id)
    if alarm is None:
        raise NotFound(f"no alarm {alarm_id}")
    visit: Visit | None = alarm.visit
    people = lookup.members(visit) if visit is not None else []
    car = lookup.car_of(visit, people) if visit is not None else None
    names, phones = _people(alarm)
    return AlarmDetail(
        id=alarm.id, level=alarm.level, kind=alarm.kind, summary=alarm.summary, raised_at=alarm.raised_at,
        visit_id=alarm.visit_id, names=names, phones=phones,
        place=visit.place if visit else "", home_phone=visit.home_phone if visit else "",
        vehicle=car.described if car else "",
        vehicle_reg=car.reg if car else "", vehicle_make=car.make if car else "",
        vehicle_colour=car.colour if car else "",
        left_at=visit.left_at if visit else None, due_back=visit.due_back if visit else None,
        last_contact=visit.last_contact_at if visit else None,
        owner=alarm.owner.name if alarm.owner_id else None, acknowledged_by=alarm.acknowledged_by,
        action=alarm.action, police_ref=alarm.police_ref, resolved=alarm.resolved_at is not None,
        deliveries=tuple(alert_delivery.deliveries([alarm.id]).get(alarm.id, [])),
        delivery_warning_minutes=ctx.config.ladder.delivery_warning_minutes,
        alerted=tuple(alert_delivery.alerted([alarm.id]).get(alarm.id, [])),
        nobody_in_charge_from=None if alarm.resolved_at is not None else nobody_in_charge_from(ctx, alarm),
        steps=tuple((a.at, a.who, a.action, bool(a.police_ref)) for a in  # every one, not only the latest
                    AlarmAction.select().where((AlarmAction.alarm == alarm.id) & AlarmAction.action.in_(ACTIONS))
                    .order_by(AlarmAction.at, AlarmAction.id)))


@dataclass(frozen=True)
class AckPreview:
    """What the acknowledge dialog names before a resolving action: the alarm, whose it is, and how
    many alert receivers the stand-down text would go to (the same rule as `alarms.acknowledge`)."""

    id: int
    kind: str
    names: tuple[str, ...]
    receivers: int


def ack_preview(ctx: Context, alarm_id: int) -> AckPreview:
    alarm = Alarm.get_or_none(Alarm.id == alarm_id)
    if alarm is None:
        raise NotFound(f"no alarm {alarm_id}")
    names, _ = _people(alarm)
    return AckPreview(alarm.id, alarm.kind, names, len(stand_down_receivers(alarm)))


def reveal_address(ctx: Context, visit_id: int, *, actor: str = "kiosk") -> str:
    """The full address of a visit, for an explicit key press: audited before it is returned."""
    visit = Visit.get_or_none(Visit.id == visit_id)
    if visit is None:
        raise NotFound(f"no visit {visit_id}")
    with ctx.atomic():
        audit.record("address-revealed", ctx.now(), actor=actor, visit=visit,
                     summary=f"full address of visit {visit.id} shown at the kiosk")
    return visit.place


def reveal_alarm_details(ctx: Context, alarm_id: int, *, actor: str = "kiosk") -> AlarmDetail:
    """The alarm's details shown again after the privacy timeout: audited."""
    detail = alarm_detail(ctx, alarm_id)
    with ctx.atomic():
        audit.record("alarm-details-shown", ctx.now(), actor=actor, alarm=alarm_id, visit=detail.visit_id,
                     summary=f"details of alarm {alarm_id} shown again at the kiosk")
    return detail


def release_connection(ctx: Context) -> None:
    """Close the connection peewee opened for this thread (UI worker threads come and go)."""
    try:
        if not ctx.db.is_closed():
            ctx.db.close()
    except Exception:  # noqa: BLE001 - closing must never hide the real outcome
        pass


def reveal_code_words(ctx: Context, visit_id: int, *, actor: str = "kiosk") -> list[tuple[str, str]]:
    """(name, code word) for each member of a visit, after the admin PIN: audited (the audit row
    never holds the word). The visit's own code word, if set, applies to everyone on it."""
    visit = Visit.get_or_none(Visit.id == visit_id)
    if visit is None:
        raise NotFound(f"no visit {visit_id}")
    people = lookup.members(visit)
    words = [(m.staff.name, visit.code_word or m.staff.code_word or "(none set)") for m in people]
    with ctx.atomic():
        audit.record("code-word-revealed", ctx.now(), actor=actor, visit=visit,
                     summary=f"code word(s) of visit {visit.id} shown at the kiosk after the admin PIN")
    return words
