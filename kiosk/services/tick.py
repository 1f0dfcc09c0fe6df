"""One pass of the escalation ladder over everything open: what the gateway runs on its schedule
and `kiosk tick` runs once.

Each open visit is assessed and its decisions applied in its own transaction, from stored facts
and the clock only, so a pass can be repeated (or interrupted, or run after a restart) without
raising anything twice. This module must never decide a rule itself: that is `domain.ladder`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from kiosk.domain import ladder as L
from kiosk.domain import replies
from kiosk.services import alarms, audit, lookup, outbox
from kiosk.services.context import Context
from kiosk.store.models import Alarm, Event, Visit

REPORT_EVENT = "end-of-day-report"


@dataclass
class TickResult:
    raised: list[int] = field(default_factory=list)  # alarm ids
    repeated: list[int] = field(default_factory=list)  # alarm ids whose alert went out again
    climbed: list[int] = field(default_factory=list)  # alarm ids whose next tier of receivers was told
    report_sent: bool = False


def tick(ctx: Context) -> TickResult:
    result = TickResult()
    plan = _plan(ctx)
    for visit_id in plan.may_raise:
        with ctx.atomic():
            visit = Visit.get_by_id(visit_id)
            if visit.state in ("out", "on-site", "leaving"):
                result.raised += _apply(ctx, visit, L.assess(lookup.visit_facts(visit), ctx.ladder, ctx.now()))
    for alarm_id in plan.may_repeat:
        with ctx.atomic():
            alarm = Alarm.get_by_id(alarm_id)
            if alarm.resolved_at is None and L.repeat_due(lookup.alarm_facts(alarm), ctx.ladder, ctx.now()):
                if alarms.send_alert(ctx, alarm, repeat=True):
                    result.repeated.append(alarm.id)
    for alarm_id in plan.may_climb:
        with ctx.atomic():
            alarm = Alarm.get_by_id(alarm_id)
            if alarm.resolved_at is None and alarms.climb(ctx, alarm):
                result.climbed.append(alarm.id)
    if plan.report_due:
        result.report_sent = end_of_day_report(ctx)
    return result


@dataclass(frozen=True)
class _Plan:
    may_raise: list[int]  # open visits the ladder would raise an alarm for now
    may_repeat: list[int]  # unresolved alarms whose alert is due again
    report_due: bool  # the end-of-day report may be due
    may_climb: list[int] = field(default_factory=list)  # unowned red alarms whose next tier may be due


def _plan(ctx: Context) -> _Plan:
    """What this pass may have to do, from one snapshot read in a few queries without the write lock.
    Each visit or alarm found is then re-read and re-assessed in its own transaction, so this only
    skips what has nothing to do (almost everything, almost always) without a transaction each."""
    now = ctx.now()
    evening = L.report_due(now, ctx.ladder, None) is not None  # after staffed hours on a staffed day
    with ctx.snapshot():
        snap = lookup.open_snapshot(with_members=False)
        report = evening and L.report_due(now, ctx.ladder, _last_report_day()) is not None
        tiers = tuple(sorted({s.alert_tier for s in lookup.alert_receivers()})) if snap.unresolved else ()
    may_raise = [v.id for v in snap.visits if L.assess(snap.facts(v), ctx.ladder, now).raise_]
    may_repeat = [a.id for a in snap.unresolved
                  if L.repeat_due(lookup.alarm_facts(a, a.id in snap.escalated), ctx.ladder, now)]
    may_climb = [a.id for a in snap.unresolved
                 if L.next_tier(lookup.alarm_facts(a, a.id in snap.escalated), tiers, ctx.ladder, now) is not None]
    return _Plan(may_raise, may_repeat, report, may_climb)


def _apply(ctx: Context, visit: Visit, assessment: L.Assessment) -> list[int]:
    raised = []
    for decision in assessment.raise_:
        alarm = alarms.raise_alarm(ctx, decision.kind, decision.level, visit=visit, actor="ladder",
                                   parent=decision.parent_id, alert=decision.alert_receivers,
                                   summary=_summary(ctx, visit, decision), missed_at=decision.missed)
        if decision.remind_members:
            text = (replies.reminder_overdue(decision.missed, ctx.tz) if decision.kind == L.OVERDUE
                    else replies.reminder_check_in(decision.missed, ctx.tz))
            for member in lookup.members(visit):
                if member.phone_number:
                    outbox.queue(ctx, member.phone_number, text, "reminder", visit=visit, alarm=alarm,
                                 staff=member.staff)
        raised.append(alarm.id)
    return raised


def _summary(ctx: Context, visit: Visit, decision: L.Raise) -> str:
    at = replies.hhmm(decision.missed, ctx.tz)
    if decision.kind == L.OVERDUE:
        return f"visit {visit.id} past due-back {at}"
    if decision.kind == L.MISSED_CHECK_IN:
        return f"visit {visit.id}: no check-in since the one due {at}"
    return f"visit {visit.id}: no contact within {int(ctx.ladder.reply_window.total_seconds() // 60)} min of amber alarm {decision.parent_id}"


def _last_report_day() -> date | None:
    last = Event.select().where(Event.kind == REPORT_EVENT).order_by(Event.id.desc()).first()
    return date.fromisoformat(last.summary[:10]) if last else None


def end_of_day_report(ctx: Context) -> bool:
    """Once per staffed day, at the end of staffed hours: the alert receivers get one text listing
    the visits still open and when each is due (Tees Valley 2.4: report back at the end of the day)."""
    with ctx.atomic():
        day = L.report_due(ctx.now(), ctx.ladder, _last_report_day())
        if day is None:
            return False
        rows = [(v.id, ", ".join(lookup.names(v)), v.due_back) for v in lookup.open_visits()]
        receivers = lookup.alert_receivers() if rows else []
        if rows:
            closing = datetime.combine(day, ctx.ladder.staffed_end, ctx.ladder.tz)  # as configured, not the tick's time
            text = replies.end_of_day_report(rows, closing, ctx.tz)
            for receiver in receivers:
                outbox.queue(ctx, receiver.mobile, text, "report", staff=receiver)
        audit.record(REPORT_EVENT, ctx.now(), actor="ladder",
                     summary=f"{day.isoformat()}: {len(rows)} visit(s) open, {len(receivers)} receiver(s) texted")
    return bool(rows and receivers)
