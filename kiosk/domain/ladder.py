"""The escalation ladder as a pure function: stored facts + settings + now -> decisions.

It must never read a clock, a database or a device: the services build the snapshot from stored
rows, call `assess`, and apply the decisions in one transaction. Because every decision depends
only on the snapshot and `now`, running it twice at the same instant decides nothing new, and a
restart at any moment changes nothing.

The rungs (issue 2; timings from config, defaults in LadderSettings):
1. due-soon: `due_soon` before due-back (board only).
2. amber `overdue`: past due-back + `overdue_grace`; amber `missed-check-in`: no contact within the
   check-in interval + `check_in_grace`. The interval runs from left-at and restarts on any contact;
   it is not applied once the member has texted LEAVING (due-back covers the drive home).
   The member gets one reminder; outside staffed hours the alert receivers are texted too.
3. red `no-reply`: an amber older than `reply_window` with no contact -> its own alarm, parent = the
   amber, alert receivers texted.
4. duress / sos: raised at once by the services, not here.
A BACK texted while a red alarm is open is held (`back_claimed_at`): no new amber and so no reminder
to someone who says they are back; the visit closes when reception resolves the alarm.
Red alarms that alerted receivers are repeated every `alert_repeat` until someone takes charge
(ACK by SMS) or the alarm is resolved. Amber is not repeated: it climbs to red instead.

Tiers (issue 18): alert receivers have a tier (1 = told first). A red no-reply (and any alarm
alerted by the ladder) texts the lowest tier at once; while nobody has taken charge, each
`tier_step` adds the next tier (`next_tier`), and every tier told keeps getting the repeats.
Duress and SOS tell every tier at once (`first_tier`). When the last tier has been told and
nobody has taken charge a `tier_step` later, reception is told to call 999 (`nobody_in_charge`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

OK, DUE_SOON, AMBER, RED = "ok", "due-soon", "amber", "red"
LEVEL_ORDER = {OK: 0, DUE_SOON: 1, AMBER: 2, RED: 3}

OVERDUE, MISSED_CHECK_IN, NO_REPLY = "overdue", "missed-check-in", "no-reply"
DURESS, SOS, SEND_FAILED = "duress", "sos", "send-failed"
AMBER_KINDS = (OVERDUE, MISSED_CHECK_IN)


@dataclass(frozen=True)
class LadderSettings:
    """Ladder timings and staffed hours (built from `config.ladder` and `config.staffed_hours`)."""

    due_soon: timedelta = timedelta(minutes=10)
    overdue_grace: timedelta = timedelta(0)
    check_in_grace: timedelta = timedelta(minutes=5)
    reply_window: timedelta = timedelta(minutes=15)
    alert_repeat: timedelta = timedelta(minutes=10)
    tier_step: timedelta = timedelta(minutes=5)  # [ladder] tier_minutes: the next tier is told this long after
    staffed_days: frozenset[int] = frozenset(range(5))  # Monday = 0
    staffed_start: time = time(8, 0)
    staffed_end: time = time(17, 30)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))


@dataclass(frozen=True)
class AlarmFacts:
    """An unresolved alarm, as the ladder needs to see it."""

    id: int
    kind: str
    level: str
    raised_at: datetime
    owned: bool = False  # an alert receiver has taken charge (ACK by SMS)
    last_alert_at: datetime | None = None
    alert_count: int = 0
    escalated: bool = False  # a no-reply alarm has already been raised from this amber
    missed_at: datetime | None = None  # what an amber missed: the due-back or the check-in due
    tier_told: int | None = None  # the highest tier of alert receivers told (None: not alerted by tier)
    tier_at: datetime | None = None  # when that tier was told
    acknowledged: bool = False  # reception recorded an action (it stops the climb as an ACK does)


@dataclass(frozen=True)
class VisitFacts:
    """An open visit: the stored facts the ladder decides from."""

    id: int
    state: str  # out | on-site | leaving
    left_at: datetime
    due_back: datetime
    check_in_minutes: int | None = None
    last_contact_at: datetime | None = None
    alarms: tuple[AlarmFacts, ...] = ()
    back_claimed_at: datetime | None = None  # BACK texted while red was open: held, no new amber


@dataclass(frozen=True)
class Raise:
    """Raise an alarm now. `missed` is the time that was missed (due-back or check-in due)."""

    kind: str
    level: str
    missed: datetime
    parent_id: int | None = None
    remind_members: bool = False  # amber: one SMS to each phone carried
    alert_receivers: bool = False  # SMS to the alert receivers not on the visit


@dataclass(frozen=True)
class Assessment:
    level: str
    raise_: tuple[Raise, ...] = ()


def in_staffed_hours(now: datetime, settings: LadderSettings) -> bool:
    """Is someone expected at reception now (school's local time)?"""
    local = now.astimezone(settings.tz)
    return local.weekday() in settings.staffed_days and settings.staffed_start <= local.time() < settings.staffed_end


def check_in_due(visit: VisitFacts) -> datetime | None:
    """When the next check-in is due: the interval runs from left-at and restarts on any contact."""
    if not visit.check_in_minutes or visit.state == "leaving":
        return None
    start = max(visit.left_at, visit.last_contact_at or visit.left_at)
    return start + timedelta(minutes=visit.check_in_minutes)


def assess(visit: VisitFacts, settings: LadderSettings, now: datetime) -> Assessment:
    """Decide the level of an open visit and the alarms to raise now (none twice)."""
    raises: list[Raise] = []
    open_amber = [a for a in visit.alarms if a.level == AMBER and a.kind in AMBER_KINDS]
    if not open_amber:
        amber = _amber_due(visit, settings, now)
        if amber:
            raises.append(amber)
    for alarm in open_amber:
        if not alarm.escalated and now >= alarm.raised_at + settings.reply_window:
            # the amber's own missed time: due-back may have moved since (a contact re-arms it)
            missed = alarm.missed_at or (visit.due_back if alarm.kind == OVERDUE else alarm.raised_at)
            raises.append(Raise(NO_REPLY, RED, missed=missed, parent_id=alarm.id, alert_receivers=True))
    levels = [a.level for a in visit.alarms] + [r.level for r in raises]
    if RED in levels:
        level = RED
    elif AMBER in levels:
        level = AMBER
    elif now >= visit.due_back - settings.due_soon:
        level = DUE_SOON
    else:
        level = OK
    return Assessment(level, tuple(raises))


def _amber_due(visit: VisitFacts, settings: LadderSettings, now: datetime) -> Raise | None:
    if visit.back_claimed_at is not None:  # they said BACK under red: reception confirms, no reminders
        return None
    outside = not in_staffed_hours(now, settings)
    if now >= visit.due_back + settings.overdue_grace:
        return Raise(OVERDUE, AMBER, missed=visit.due_back, remind_members=True, alert_receivers=outside)
    due = check_in_due(visit)
    if due is not None and now >= due + settings.check_in_grace:
        return Raise(MISSED_CHECK_IN, AMBER, missed=due, remind_members=True, alert_receivers=outside)
    return None


def repeat_due(alarm: AlarmFacts, settings: LadderSettings, now: datetime) -> bool:
    """Is it time to text the alert receivers again about this unresolved alarm?"""
    return (alarm.level == RED and not alarm.owned and alarm.alert_count > 0
            and alarm.last_alert_at is not None and now >= alarm.last_alert_at + settings.alert_repeat)


ALL_TIERS_AT_ONCE = (DURESS, SOS)


def first_tier(kind: str, tiers: tuple[int, ...]) -> int | None:
    """The highest tier an alarm's first alert goes to: every tier for duress and SOS, else the
    lowest tier there is. None when there is no alert receiver at all."""
    if not tiers:
        return None
    return max(tiers) if kind in ALL_TIERS_AT_ONCE else min(tiers)


def _climbing(alarm: AlarmFacts) -> bool:
    return (alarm.level == RED and not alarm.owned and not alarm.acknowledged and alarm.alert_count > 0
            and alarm.tier_told is not None and alarm.tier_at is not None)


def next_tier(alarm: AlarmFacts, tiers: tuple[int, ...], settings: LadderSettings, now: datetime) -> int | None:
    """The tier to add to an unowned red alarm's receivers now, or None: the next tier above the
    highest told, once `tier_step` has passed since that one was told. Decided from the stored
    tier and time alone, so a restart never tells anyone twice."""
    told, at = alarm.tier_told, alarm.tier_at
    if not _climbing(alarm) or told is None or at is None or now < at + settings.tier_step:
        return None
    higher = [t for t in tiers if t > told]
    return min(higher) if higher else None


def nobody_in_charge_from(alarm: AlarmFacts, tiers: tuple[int, ...], settings: LadderSettings) -> datetime | None:
    """When reception must call 999 itself if nothing changes: every tier has been told, and nobody
    has taken charge (and reception has recorded nothing) another `tier_step` later. None while a
    tier is still to be told or once someone has it."""
    told, at = alarm.tier_told, alarm.tier_at
    if not _climbing(alarm) or told is None or at is None or [t for t in tiers if t > told]:
        return None
    return at + settings.tier_step


def nobody_in_charge(alarm: AlarmFacts, tiers: tuple[int, ...], settings: LadderSettings, now: datetime) -> bool:
    """Every tier has been told, nobody has taken charge and reception has done nothing for another
    `tier_step`: reception must call 999 itself."""
    since = nobody_in_charge_from(alarm, tiers, settings)
    return since is not None and now >= since


def report_due(now: datetime, settings: LadderSettings, last_report_day: date | None) -> date | None:
    """The local date whose end-of-staffed-hours report is due now, or None (one per staffed day)."""
    local = now.astimezone(settings.tz)
    if local.weekday() not in settings.staffed_days or local.time() < settings.staffed_end:
        return None
    return None if last_report_day == local.date() else local.date()


def overdue_minutes(due_back: datetime, now: datetime) -> int:
    return max(0, int((now - due_back).total_seconds() // 60))


def more_urgent_first(level: str) -> int:
    """Sort key: red, amber, due-soon, ok."""
    return -LEVEL_ORDER[level]
