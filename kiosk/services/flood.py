"""Flood control in the store: how often a number has texted, and what happens to the reply.

The rule is `kiosk.domain.flood`; this module counts the stored facts it needs and applies the
decision. It must never stop a text from being stored, processed or checked for a code word, and
never hold up another sender: it only decides whether one reply is queued. A reply that is not
sent is still stored (state `ignored`, the reason in `error`), so reception can read what the
phone would have been told. While a number floods, a second duress or SOS alarm from it joins the
one still open instead of texting every alert receiver again (the first alarm stays red until a
person ends it; a text after it is resolved raises a new one).
"""

from __future__ import annotations

from kiosk.domain import flood as F
from kiosk.domain import ladder as L
from kiosk.services import alarms, audit, outbox
from kiosk.services.context import Context
from kiosk.store.models import Alarm, Message


def limit(ctx: Context) -> int:
    return int(ctx.config.security.flood_texts_per_minute)


def texts_in_window(msg: Message) -> int:
    """Texts from msg's number in the minute up to msg (by received time), msg included; later
    texts never count, so processing a stored backlog gives the same answers as live."""
    return (Message.select()
            .where((Message.direction == "in") & (Message.number == msg.number) & (Message.id <= msg.id)
                   & (Message.created_at > msg.created_at - F.WINDOW) & (Message.created_at <= msg.created_at))
            .count())


def flooding(ctx: Context, msg: Message) -> bool:
    return texts_in_window(msg) > limit(ctx)


def _notice_in_window(ctx: Context, number: str) -> bool:
    return (Message.select()
            .where((Message.direction == "out") & (Message.number == number) & (Message.kind == "reply")
                   & (Message.text == F.PAUSED_NOTICE) & (Message.created_at > ctx.now() - F.WINDOW))
            .exists())


def queue_reply(ctx: Context, msg: Message, text: str, *, visit=None, staff=None) -> tuple[Message | None, bool]:
    """Queue the reply to inbound `msg`, unless its number floods. Returns (the queued message or
    None, whether the reply was held back). Call inside the caller's transaction."""
    cap = limit(ctx)
    count = texts_in_window(msg)
    # whether the notice already went only matters over the limit: no query for it otherwise
    decision = F.reply_decision(count, cap, notice_in_window=count > cap and _notice_in_window(ctx, msg.number))
    if decision.action == F.SEND:
        return outbox.queue(ctx, msg.number, text, "reply", visit=visit, staff=staff), False
    held = Message.create(direction="out", number=msg.number, text=text, state="ignored", kind="reply",
                          priority=outbox.PRIORITY["reply"], created_at=ctx.now(), error=F.suppressed_reason(cap),
                          visit=visit, staff=staff)
    audit.record("reply-held", ctx.now(), actor="flood", message=held, visit=visit, staff=staff,
                 summary=f"reply to message {msg.id} not sent: more than {cap} texts a minute from its number")
    notice = None
    if decision.action == F.NOTICE:
        notice = outbox.queue(ctx, msg.number, F.PAUSED_NOTICE, "reply", visit=visit, staff=staff)
    return notice, True


def open_alarm_from(msg: Message, kind: str) -> Alarm | None:
    """The unresolved alarm of `kind` that an earlier text from msg's number raised, if any."""
    return (Alarm.select().join(Message, on=(Message.alarm == Alarm.id))
            .where((Message.direction == "in") & (Message.number == msg.number) & (Message.id < msg.id)
                   & (Alarm.kind == kind) & Alarm.resolved_at.is_null())
            .order_by(Alarm.id.desc()).first())


def join_open_alarm(ctx: Context, msg: Message, kind: str) -> Alarm | None:
    """While msg's number floods, link msg to the open alarm of `kind` an earlier text of the same
    number raised (no new alarm, no new alerts) and return it; otherwise None (raise a new one)."""
    if not flooding(ctx, msg):
        return None
    alarm = open_alarm_from(msg, kind)
    if alarm is None:
        return None
    msg.alarm = alarm
    msg.save()
    audit.record("alarm-repeated", ctx.now(), actor="flood", message=msg, alarm=alarm, visit=alarm.visit_id,
                 summary=f"message {msg.id}: another {kind} text during a flood, joined alarm {alarm.id}")
    return alarm


def raise_or_join(ctx: Context, msg: Message, kind: str, summary: str, *, visit=None, sender=None) -> Alarm:
    """The red alarm of `kind` that inbound `msg` raises (duress, sos): joined to the open one of its
    number while it floods, else raised, linked to msg and only then alerted, so the alert and the
    board can name the text's sender (an unregistered one by its number)."""
    alarm = join_open_alarm(ctx, msg, kind)
    if alarm is not None:
        return alarm
    alarm = alarms.raise_alarm(ctx, kind, L.RED, visit=visit, actor=f"sms:{msg.number}", summary=summary)
    msg.alarm = alarm
    msg.save()
    alarms.send_alert(ctx, alarm, sender=sender)
    return alarm
