"""Voice calls about red alarms (issue 18): who to ring next, and every call on the alarm's record.

The rule is kiosk.domain.voice; this reads the stored facts for it and writes each call as steps
in the alarm's history (alarm_action: `call-dialled`, then `call-ended` with what happened), so the
timeline, `kiosk alarms --json` and the export show every call. A key 1 pressed on an answered call
is an ACK by that receiver through the one rule (alarms.take_charge).
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.domain import voice as V
from kiosk.domain.phones import national_format
from kiosk.services import alarms, lookup, outbox
from kiosk.services.audit import record_action
from kiosk.services.context import Context
from kiosk.store.models import Alarm, AlarmAction, Staff

DIALLED, ENDED = "call-dialled", "call-ended"


@dataclass(frozen=True)
class CallPlan:
    alarm_id: int
    staff_id: int
    name: str
    number: str


def settings_of(ctx: Context, *, can_dial: bool = True) -> V.VoiceSettings:
    from datetime import timedelta

    voice = ctx.config.voice
    return V.VoiceSettings(enabled=voice.enabled and can_dial, after=timedelta(minutes=voice.after_minutes),
                           ring=timedelta(seconds=voice.ring_seconds), repeat=timedelta(minutes=voice.repeat_minutes))


def next_call(ctx: Context, settings: V.VoiceSettings) -> CallPlan | None:
    """The next call to place now, oldest alarm first, or None."""
    if not settings.enabled:
        return None
    now = ctx.now()
    with ctx.snapshot():
        for alarm in lookup.unresolved_alarms():
            if V.round_start(lookup.alarm_facts(alarm, False), settings, now) is None:
                continue
            callees = alarms.alert_receivers(alarm)  # the tiers told, never anyone the alarm is about
            by_name = {s.name: s for s in callees}
            calls = tuple((by_name[a.who].id, a.at) for a in AlarmAction.select().where(
                (AlarmAction.alarm == alarm) & (AlarmAction.action == DIALLED)) if a.who in by_name)
            staff_id = V.next_callee(lookup.alarm_facts(alarm, False), tuple(s.id for s in callees), calls,
                                     settings, now)
            if staff_id is not None:
                staff = next(s for s in callees if s.id == staff_id)
                return CallPlan(alarm.id, staff.id, staff.name, staff.mobile)
    return None


def dialled(ctx: Context, plan: CallPlan) -> None:
    """Committed before the modem dials: a call placed is on the record even if the gateway dies."""
    with ctx.atomic():
        record_action(ctx, Alarm.get_by_id(plan.alarm_id), DIALLED, who=plan.name, actor="gateway",
                      note=f"rang {national_format(plan.number)}")


def ended(ctx: Context, plan: CallPlan, what: str) -> None:
    """What happened on the call: 'rang 30 s, no answer', 'answered, no key', 'failed: BUSY'..."""
    with ctx.atomic():
        record_action(ctx, Alarm.get_by_id(plan.alarm_id), ENDED, who=plan.name, actor="gateway", note=what)


def key_pressed(ctx: Context, plan: CallPlan, key: str) -> str | None:
    """A key pressed on an answered call. 1 is an ACK by that receiver (the take_charge rule: the
    others told are told who has it); they get the same text reply as an ACK by text. Returns the
    reply, None when the key took nothing."""
    if key != "1":
        return None
    staff = Staff.get_by_id(plan.staff_id)
    reply, alarm = alarms.take_charge(ctx, staff, plan.alarm_id, number=plan.number)
    if reply is not None:
        with ctx.atomic():
            outbox.queue(ctx, plan.number, reply, "reply", visit=alarm.visit_id if alarm else None, alarm=alarm,
                         staff=staff)
    return reply
