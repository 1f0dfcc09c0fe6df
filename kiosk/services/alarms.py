"""Raising, alerting, taking charge of and acknowledging alarms.

An alarm row is committed in the same transaction as the texts it queues, before any screen can
show it. Red alarms are only ever resolved by a person (an action at the kiosk or `kiosk ack`),
never by a text. Alert texts go to the alert receivers who are not on the visit; they never
contain a code word or the text of the SMS that triggered them.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.domain import ladder as L
from kiosk.domain import replies
from kiosk.domain import limits
from kiosk.services import audit, lookup, outbox
from kiosk.services.audit import record_action  # noqa: F401 - alarms.record_action: callers use it here
from kiosk.services.closing import close, has_open_red
from kiosk.services.contact import record_contact
from kiosk.services.context import Context
from kiosk.services.errors import Invalid, NotFound, Refused
from kiosk.services.reception import normalise_initials
from kiosk.store.models import Alarm, Message, Staff, Visit
from kiosk.domain.visits import OPEN_STATES

ACTIONS = ("answered", "no-answer", "police", "stood-down", "false-alarm", "other")
RESOLVING = ("answered", "stood-down", "false-alarm")


def national(number: str | None) -> str:
    if not number:
        return ""
    try:
        from kiosk.domain.phones import national_format  # on first use, not at the top: start-up time (phonenumbers' metadata is slow to load)
    except ImportError:  # pragma: no cover - phones lands with the parser
        return number
    return national_format(number)


def _vehicle(visit: Visit) -> str:
    """The car used (the visit's, else a member's own), registration, colour, make and model."""
    return lookup.car_of(visit).text


def alert_facts(ctx: Context, alarm: Alarm, *, repeat: bool = False, sender: Staff | None = None) -> replies.AlertFacts:
    """Everything an alert says, read from the store: the trigger and when it happened (the alarm's
    raised and missed times, never the time of this repeat), the people, place, phones and car, and
    the latest text from the visit since a red was raised."""
    visit = alarm.visit
    staffed = L.in_staffed_hours(ctx.now(), ctx.ladder)
    common = dict(alarm_id=alarm.id, kind=alarm.kind, level=alarm.level, raised_at=alarm.raised_at,
                  summary=alarm.summary, staffed=staffed, repeat=repeat)
    if visit is None:
        if sender is not None:
            who, number = sender.name, sender.mobile
        else:
            who, number = lookup.alarm_sender(alarm) or ("", "")
        return replies.AlertFacts(names=[who] if who else [], phones=[national(number)] if number else [], **common)
    people = lookup.members(visit)
    missed_kind = alarm.kind
    if alarm.kind == L.NO_REPLY and alarm.parent_id is not None:
        missed_kind = Alarm.get_by_id(alarm.parent_id).kind
    return replies.AlertFacts(
        names=[m.staff.name for m in people], visit_id=visit.id, place=visit.place,
        phones=[national(m.phone_number) for m in people if m.phone_number], vehicle=_vehicle(visit),
        missed_at=alarm.missed_at, missed_kind=missed_kind, last_contact_at=visit.last_contact_at,
        left_at=visit.left_at, texted=texted_since(ctx, alarm) if repeat else None, **common)


def texted_since(ctx: Context, alarm: Alarm) -> tuple[str, str, datetime] | None:
    """(name, command word, when) of the latest text from the alarm's visit since this red was raised:
    the next repeat says so ("Ann Lee texted BACK at 14:52: ring to confirm"). A text that raised an
    alarm of its own (code word, SOS) is that alarm's, not this one's news."""
    if alarm.level != L.RED or alarm.visit_id is None:
        return None
    msg = (Message.select()
           .where((Message.visit == alarm.visit_id) & (Message.direction == "in") & (Message.state == "processed")
                  & (Message.created_at >= alarm.raised_at) & (Message.duress == False)  # noqa: E712
                  & Message.alarm.is_null())
           .order_by(Message.created_at.desc(), Message.id.desc()).first())
    if msg is None:
        return None
    who = msg.staff.name if msg.staff_id else national(msg.number)
    return who, command_word(ctx, msg.text), msg.created_at


def command_word(ctx: Context, text: str) -> str:
    """The command a stored text was read as, in capitals (BACK, OK...), or "" for a plain note: the
    alert names it, never the text itself."""
    from kiosk.domain import commands as C  # on first use, not at the top: start-up time (kiosk ui never parses a text)
    from kiosk.domain.codewords import REDACTED  # on first use, not at the top: start-up time (kiosk ui never parses a text)
    from kiosk.domain.parser import parse_command  # on first use, not at the top: start-up time (kiosk ui never parses a text)

    words = {C.Back: "BACK", C.CheckIn: "OK", C.Arrived: "ARRIVED", C.Leaving: "LEAVING", C.Extend: "EXTEND",
             C.Status: "STATUS", C.Out: "OUT"}
    command = parse_command(text.replace(REDACTED, " "), max_minutes=ctx.max_extend_minutes)
    return words.get(type(command), "")


def alert_text(ctx: Context, alarm: Alarm, *, repeat: bool = False, sender: Staff | None = None) -> str:
    """The one composer of every alert (first, repeat, out-of-hours amber): replies.alert over
    alert_facts."""
    return replies.alert(alert_facts(ctx, alarm, repeat=repeat, sender=sender), ctx.now(), ctx.tz)


def alert_receivers(alarm: Alarm, sender: Staff | None = None, *, up_to: int | None = None) -> list[Staff]:
    """The alert receivers the alarm is not about: not on its visit, not whoever raised it (`sender`,
    or the stored text that raised it), so the phone in danger is never told of its own alarm.
    Only the tiers told so far (`alarm.alert_tier`, or `up_to`); an alarm from before tiers told all."""
    staff_ids, numbers = parties(alarm)
    exclude = staff_ids | ({sender.id} if sender is not None else set())
    limit = up_to if up_to is not None else alarm.alert_tier
    return [s for s in lookup.alert_receivers(exclude) if s.mobile not in numbers
            and (limit is None or s.alert_tier <= limit)]


def receiver_tiers(alarm: Alarm, sender: Staff | None = None) -> tuple[int, ...]:
    """The tiers there are among the receivers this alarm may reach, lowest first."""
    return tuple(sorted({s.alert_tier for s in alert_receivers(alarm, sender, up_to=10**6)}))


def stand_down_receivers(alarm: Alarm) -> list[Staff]:
    """Who a resolving acknowledgement texts that it is over: the alert receivers, if they were alerted."""
    return alert_receivers(alarm) if alarm.alert_count > 0 else []


def send_alert(ctx: Context, alarm: Alarm, *, repeat: bool = False, sender: Staff | None = None) -> int:
    """Queue the alert for the receivers of the tiers told (the first alert decides them: the lowest
    tier, or every tier for duress and SOS) who are not on the visit; returns how many were queued."""
    text = alert_text(ctx, alarm, repeat=repeat, sender=sender)
    if not repeat and alarm.alert_tier is None:
        alarm.alert_tier = L.first_tier(alarm.kind, receiver_tiers(alarm, sender))
        alarm.tier_at = ctx.now()
    receivers = alert_receivers(alarm, sender) if alarm.alert_tier is not None else []
    for receiver in receivers:
        outbox.queue(ctx, receiver.mobile, text, "alert", visit=alarm.visit_id, alarm=alarm, staff=receiver)
    if receivers:
        alarm.alert_count += 1
        alarm.last_alert_at = ctx.now()
    alarm.save()
    return len(receivers)


def climb(ctx: Context, alarm: Alarm) -> list[Staff]:
    """Tell the next tier about an unowned red alarm if its time has come (`ladder.next_tier`), in
    the caller's transaction; returns who was texted. The tier and its time are stored with the
    texts, so a pass repeated or run after a restart tells nobody twice."""
    tier = L.next_tier(lookup.alarm_facts(alarm), receiver_tiers(alarm), ctx.ladder, ctx.now())
    if tier is None:
        return []
    told_before = {s.id for s in alert_receivers(alarm)}
    alarm.alert_tier, alarm.tier_at = tier, ctx.now()
    alarm.save()
    added = [s for s in alert_receivers(alarm) if s.id not in told_before]
    if added:
        text = alert_text(ctx, alarm, repeat=True)
        for receiver in added:
            outbox.queue(ctx, receiver.mobile, text, "alert", visit=alarm.visit_id, alarm=alarm, staff=receiver)
    audit.record("alarm-tier", ctx.now(), actor="ladder", alarm=alarm, visit=alarm.visit_id,
                 summary=f"alarm {alarm.id}: nobody has taken charge, tier {tier} told ({len(added)} receiver(s))")
    return added


def nobody_in_charge(ctx: Context, alarm: Alarm) -> bool:
    """Every tier told, nobody has it: the alarm view tells reception to call 999 (`ladder`'s rule)."""
    return L.nobody_in_charge(lookup.alarm_facts(alarm), receiver_tiers(alarm), ctx.ladder, ctx.now())


def nobody_in_charge_from(ctx: Context, alarm: Alarm):
    """When the alarm view starts saying "Nobody has taken charge: call 999 now" (None: not due)."""
    return L.nobody_in_charge_from(lookup.alarm_facts(alarm), receiver_tiers(alarm), ctx.ladder)


def raise_alarm(ctx: Context, kind: str, level: str, *, visit: Visit | None, summary: str, actor: str,
                parent: Alarm | int | None = None, alert: bool = False, sender: Staff | None = None,
                missed_at=None) -> Alarm:
    """Persist a new alarm, audit it and (if `alert`) queue its alert texts, all in one transaction.
    `missed_at`: for the ladder's alarms, the due-back or check-in due that was missed."""
    with ctx.atomic():
        alarm = Alarm.create(visit=visit, kind=kind, level=level, raised_at=ctx.now(), parent=parent,
                             summary=summary, missed_at=missed_at)
        audit.record("alarm-raised", ctx.now(), actor=actor, visit=visit, alarm=alarm,
                     summary=f"{level} {kind} alarm {alarm.id}: {summary}")
        if alert:
            send_alert(ctx, alarm, sender=sender)
    return alarm


def send_failed(ctx: Context, msg: Message) -> Alarm:
    """A text that could not be sent becomes an alarm: red if it was an alert, amber otherwise.
    It is shown at the kiosk only (the SMS link is what is failing)."""
    recipient = msg.staff.name if msg.staff_id else national(msg.number)
    what = {"alert": "alert", "stand-down": "stand-down", "reply": "reply", "reminder": "reminder",
            "report": "end-of-day report"}.get(msg.kind or "", "text")
    level = L.RED if msg.kind == "alert" else L.AMBER
    return raise_alarm(ctx, L.SEND_FAILED, level, visit=msg.visit_id, actor="gateway",
                       summary=f"{what} to {recipient} not delivered (message {msg.id}): {msg.error}")


def parties(alarm: Alarm) -> tuple[set[int], set[str]]:
    """(staff ids, numbers) of the people the alarm is about: the members of its visit and the phones
    they carry, and whoever's text raised it (an SOS or code word from someone not out on a visit)."""
    staff_ids: set[int] = set()
    numbers: set[str] = set()
    if alarm.visit_id is not None:
        for m in lookup.members(alarm.visit):
            staff_ids.add(m.staff_id)
            if m.phone_number:
                numbers.add(m.phone_number)
    for staff_id, number in (Message.select(Message.staff, Message.number)
                             .where((Message.alarm == alarm) & (Message.direction == "in")).tuples()):
        if staff_id is not None:
            staff_ids.add(staff_id)
        numbers.add(number)
    return staff_ids, numbers


def on_the_alarm(alarm: Alarm, staff: Staff | None, number: str | None) -> bool:
    """Is this sender one of the people the alarm is about (`parties`)? Such a phone may be in the
    wrong hands: it can never take charge of the alarm, and is never told the alarm exists."""
    staff_ids, numbers = parties(alarm)
    return (staff is not None and staff.id in staff_ids) or bool(number and number in numbers)


def take_charge(ctx: Context, staff: Staff, alarm_id: int | None, *,
                number: str | None = None) -> tuple[str | None, Alarm | None]:
    """ACK by SMS from an alert receiver: set the owner, tell the other receivers, stop repeats.
    Does not acknowledge or silence the kiosk. Returns (reply, alarm). The alarm and its owner are
    read under the write lock: two receivers acking at once make one owner, not two.

    A second ACK is told who has the alarm (the owner stays). An ACK from someone the alarm is about
    (`on_the_alarm`: a member of its visit, a phone carried on it, the phone that raised it) takes
    nothing and the reply is None: the caller answers it as any other text, with no word of an
    alarm. `number`: the sender's number (a phone carried on a visit is not the member's mobile)."""
    now = ctx.now()
    with ctx.atomic():
        if alarm_id is not None:
            alarm = Alarm.get_or_none(Alarm.id == alarm_id)
            if alarm is not None and on_the_alarm(alarm, staff, number):
                return None, None
            if alarm is None or alarm.resolved_at is not None:
                return replies.ack_not_open(alarm_id), None
        else:
            unresolved = list(lookup.unresolved_alarms())
            candidates = [a for a in unresolved if not on_the_alarm(a, staff, number)]
            unowned = [a for a in candidates if a.owner_id is None]
            pool = sorted(unowned or candidates, key=lambda a: (a.level != L.RED, -a.id))
            if not pool:  # "nothing open" would tell the phone in danger what its own alarm is not
                return (None if len(candidates) < len(unresolved) else replies.ack_nothing_open()), None
            alarm = pool[0]
        if alarm.owner_id is not None:
            if alarm.owner_id == staff.id:
                return replies.ack_taken(alarm.id), alarm
            return replies.ack_already(alarm.id, alarm.owner.name, alarm.owner_at, ctx.tz), alarm
        alarm.owner, alarm.owner_at = staff, now
        alarm.save()
        record_action(ctx, alarm, "took-charge", who=staff.name, actor=f"sms:{number or staff.mobile}")
        for other in alert_receivers(alarm):
            if other.id != staff.id:
                outbox.queue(ctx, other.mobile, replies.ack_told(alarm.id, staff.name, now, ctx.tz), "alert",
                             visit=alarm.visit_id, alarm=alarm, staff=other)
        audit.record("alarm-owned", now, actor=f"sms:{staff.mobile}", alarm=alarm, staff=staff,
                     visit=alarm.visit_id, summary=f"alarm {alarm.id} taken by staff {staff.id}")
    return replies.ack_taken(alarm.id), alarm


def acknowledge(ctx: Context, alarm_id: int, *, by: str, action: str, ref: str | None = None,
                note: str | None = None, actor: str = "cli") -> Alarm:
    """A person at the kiosk (or `kiosk ack`) records what they did.

    answered / stood-down / false-alarm resolve the alarm (and stand-down texts go to the alert
    receivers if they had been alerted); police (needs `ref`) and no-answer acknowledge but leave
    it open; other needs a `note`. `answered` also counts as contact with the visit. Resolving the
    last red of a visit whose member texted BACK meanwhile (held) closes the visit."""
    by = normalise_initials(by)  # the one rule the board's dialog uses too: 2-4 letters
    if action not in ACTIONS:
        raise Invalid(f"unknown action {action!r}: use one of {', '.join(ACTIONS)}")
    try:
        ref = limits.clean_text(ref, "the police reference", limits.POLICE_REF) or None
        note = limits.clean_text(note, "the note", limits.NOTE) or None
    except limits.TextError as exc:
        raise Invalid(str(exc)) from None
    hits = lookup.fields_with_code_words({"the police reference": ref, "the note": note})
    if hits:
        raise Invalid(f"{hits[0]} holds a code word: a code word is never written down")
    if action == "police" and not ref:
        raise Invalid("action police needs --ref (the police reference)")
    if action == "other" and not note:
        raise Invalid("action other needs --note")
    now = ctx.now()
    with ctx.atomic():  # read under the write lock: an alarm resolved a moment ago is not resolved twice
        alarm = Alarm.get_or_none(Alarm.id == alarm_id)
        if alarm is None:
            raise NotFound(f"no alarm {alarm_id}")
        if alarm.resolved_at is not None:
            raise Refused(f"alarm {alarm_id} is already resolved")
        alarm.acknowledged_by, alarm.acknowledged_at, alarm.action = by, now, action
        if ref:
            alarm.police_ref = ref
        if note:
            alarm.note = note
        summary = f"alarm {alarm.id} {action}" + (" (police ref recorded)" if ref else "")
        record_action(ctx, alarm, action, who=by, actor=f"{actor}:{by}", ref=ref, note=note)
        if action in RESOLVING:
            alarm.resolved_at, alarm.resolved_by = now, by
            alarm.save()
            receivers = stand_down_receivers(alarm)  # the acknowledge dialog's confirmation counts these
            if receivers:
                text = replies.stand_down(alarm.id, lookup.names(alarm.visit), action, by, now, ctx.tz)
                for receiver in receivers:
                    outbox.queue(ctx, receiver.mobile, text, "stand-down", visit=alarm.visit_id, alarm=alarm,
                                 staff=receiver)
            if action == "answered" and alarm.visit is not None and alarm.visit.state != "back":
                record_contact(ctx, alarm.visit, actor=f"{actor}:{by}", how="answered the call")
        else:
            alarm.save()
        audit.record("alarm-acknowledged", now, actor=f"{actor}:{by}", alarm=alarm, visit=alarm.visit_id,
                     summary=summary)
        if action in RESOLVING and alarm.visit is not None:
            _close_if_back_held(ctx, alarm.visit_id, actor=f"{actor}:{by}")
    return alarm


def _close_if_back_held(ctx: Context, visit_id: int, *, actor: str) -> None:
    """They texted BACK while red was open (held): once reception has resolved the last red alarm,
    the visit closes, as the BACK would have closed it."""

    visit = Visit.get_by_id(visit_id)
    if visit.back_claimed_at is not None and visit.state in OPEN_STATES and not has_open_red(visit):
        close(ctx, visit, actor=actor,
                     outcome=visit.outcome or f"BACK texted {replies.hhmm(visit.back_claimed_at, ctx.tz)}, "
                                              "confirmed when the alarm was resolved")

