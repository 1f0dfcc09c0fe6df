"""Retention: delete closed visits, messages, resolved alarms and audit events older than the
configured periods (`config.retention`), in one transaction, and say so in the audit trail.

It must never delete an open visit, an unresolved alarm, anything linked to either, a text still
waiting in the outbox, or leave a row pointing at a deleted one. The audit event it writes holds
counts only: no names, numbers, places or message text. `plan()` is the dry run: it reads only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable

from kiosk.clock import format_instant
from kiosk.domain.visits import OPEN_STATES
from kiosk.services import audit
from kiosk.services.context import Context
from kiosk.store.models import Alarm, AlarmAction, Event, Message, Visit, VisitMember

TABLES = ("visits", "messages", "alarms", "events")
PENDING_OUT = ("queued", "sending")  # the outbox: never purged, whatever its age
_CHUNK = 500


@dataclass
class PurgePlan:
    """What a purge deletes: ids per table, the oldest date of each, and the cut-off dates."""

    cutoffs: dict[str, datetime]
    ids: dict[str, list[int]] = field(default_factory=dict)
    oldest: dict[str, datetime | None] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {table: len(self.ids.get(table, ())) for table in TABLES}

    @property
    def empty(self) -> bool:
        return not any(self.counts().values())

    def summary(self) -> str:
        """The audit summary: counts only."""
        return "purged " + ", ".join(f"{n} {table}" for table, n in self.counts().items())

    def lines(self, tz) -> list[str]:
        """One line per table for people: count, oldest date (school's local date) and cut-off."""
        out = []
        for table in TABLES:
            n = len(self.ids.get(table, ()))
            oldest = self.oldest.get(table)
            since = f"  oldest {oldest.astimezone(tz):%Y-%m-%d}" if oldest else ""
            out.append(f"{table:<9}{n:>7}{since}  (kept from {self.cutoffs[table].astimezone(tz):%Y-%m-%d})")
        return out


def cutoffs(ctx: Context, now: datetime | None = None) -> dict[str, datetime]:
    now = now or ctx.now()
    r = ctx.config.retention
    return {"visits": now - timedelta(days=r.closed_visits_days),
            "messages": now - timedelta(days=r.messages_days),
            "alarms": now - timedelta(days=r.alarms_days),
            "events": now - timedelta(days=r.audit_days)}


def _plan(ctx: Context, now: datetime) -> PurgePlan:
    cut = cutoffs(ctx, now)
    open_visits = {v for (v,) in Visit.select(Visit.id).where(Visit.state.in_(OPEN_STATES)).tuples()}
    alarm_rows = {a: (visit, parent, resolved) for a, visit, parent, resolved in
                  Alarm.select(Alarm.id, Alarm.visit, Alarm.parent, Alarm.resolved_at).tuples()}
    unresolved = {a for a, (_, _, resolved) in alarm_rows.items() if resolved is None}
    protected_visits = open_visits | {alarm_rows[a][0] for a in unresolved} - {None}

    visits = {v: ended for v, ended in Visit.select(Visit.id, Visit.ended_at)
              .where(~Visit.state.in_(OPEN_STATES) & Visit.ended_at.is_null(False) & (Visit.ended_at < cut["visits"]))
              .tuples() if v not in protected_visits}
    alarms = {a for a, (visit, _, resolved) in alarm_rows.items() if resolved is not None
              and visit not in protected_visits and (visit in visits or resolved < cut["alarms"])}
    message_rows = list(Message.select(Message.id, Message.visit, Message.alarm, Message.state,
                                       Message.created_at).tuples())

    def may_go_alone(visit, alarm, state, created) -> bool:
        return (created < cut["messages"] and state not in PENDING_OUT and visit not in protected_visits
                and alarm not in unresolved)

    # Candidates only shrink: whatever stays keeps what it points at, until nothing changes.
    while True:
        messages = {}
        pinned_visits, pinned_alarms = set(), set()
        for m, visit, alarm, state, created in message_rows:
            linked = visit in visits or alarm in alarms
            if linked and state in PENDING_OUT:  # a text still to send: it and what it points at stay
                pinned_visits.add(visit)
                pinned_alarms.add(alarm)
            elif linked or may_go_alone(visit, alarm, state, created):
                messages[m] = created
            else:
                pinned_visits.add(visit)
                pinned_alarms.add(alarm)
        for a, (visit, parent, _) in alarm_rows.items():
            if a not in alarms:
                pinned_visits.add(visit)
                pinned_alarms.add(parent)
        drop_visits = pinned_visits & visits.keys()
        drop_alarms = pinned_alarms & alarms
        if not drop_visits and not drop_alarms:
            break
        for v in drop_visits:
            del visits[v]
        alarms -= drop_alarms
        # a kept visit keeps its alarms only if they are within their own period
        alarms = {a for a in alarms if alarm_rows[a][0] in visits or alarm_rows[a][2] < cut["alarms"]}
    events = dict(Event.select(Event.id, Event.at).where(Event.at < cut["events"]).tuples())

    plan = PurgePlan(cutoffs=cut)
    resolved_of = {a: alarm_rows[a][2] for a in alarms}
    for table, rows in (("visits", visits), ("messages", messages), ("alarms", resolved_of), ("events", events)):
        plan.ids[table] = sorted(rows)
        plan.oldest[table] = min(rows.values()) if rows else None
    return plan


def plan(ctx: Context) -> PurgePlan:
    """What `purge` would delete now; reads only (the dry run)."""
    with ctx.snapshot():
        return _plan(ctx, ctx.now())


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i:i + _CHUNK]


def purge(ctx: Context, *, actor: str = "retention") -> PurgePlan:
    """Delete everything past its retention period in one transaction and record one audit event
    with the counts (written even when nothing was due, so the trail shows the job ran)."""
    now = ctx.now()
    with ctx.atomic():
        p = _plan(ctx, now)
        if not p.empty:
            for chunk in _chunks(p.ids["messages"]):
                Message.delete().where(Message.id.in_(chunk)).execute()
            # a kept alarm's parent is kept, so only purged alarms point at purged ones: unlink
            # them first, so no chunk leaves a dangling parent between statements
            for chunk in _chunks(p.ids["alarms"]):
                Alarm.update(parent=None).where(Alarm.id.in_(chunk)).execute()
            for chunk in _chunks(p.ids["alarms"]):
                AlarmAction.delete().where(AlarmAction.alarm.in_(chunk)).execute()  # its history goes with it
                Alarm.delete().where(Alarm.id.in_(chunk)).execute()
            for chunk in _chunks(p.ids["visits"]):
                VisitMember.delete().where(VisitMember.visit.in_(chunk)).execute()
                Visit.delete().where(Visit.id.in_(chunk)).execute()
            for chunk in _chunks(p.ids["events"]):
                Event.delete().where(Event.id.in_(chunk)).execute()
        oldest = {t: format_instant(d) for t, d in p.oldest.items() if d}
        audit.record("retention-purge", now, actor=actor,
                     summary=p.summary() + (f"; oldest {', '.join(f'{t} {d}' for t, d in oldest.items())}" if oldest else ""))
    return p
