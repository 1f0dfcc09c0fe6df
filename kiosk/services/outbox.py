"""The outbox: outgoing SMS are Message rows; the gateway's sender works through them.

The spool *is* the queue (as smstools does it): a text exists in the database before any attempt
to send it, so a crash loses nothing. Order: priority first (alerts before replies), then oldest.
This module must never send anything itself and never delete a message.

Gateway loop, roughly:
    msg = claim_next(ctx)          # = next_outgoing + mark_sending, in one step
    if msg:
        try: ref = modem.send(msg.number, msg.text)
        except Exception as exc: delivery.mark_failed(ctx, msg.id, str(exc), retryable=True)
        else: mark_sent(ctx, msg.id, ref)
    ... later, on a delivery report: delivery.mark_delivered_by_ref(ctx, ref, ok=True)

What happens after a failed attempt or a delivery report (retry, or give up and raise an alarm) is
kiosk.services.delivery: it needs kiosk.services.alarms, which queues its texts here.
"""

from __future__ import annotations

from datetime import timedelta

from kiosk.services.context import Context
from kiosk.store.db import is_postgres
from kiosk.store.models import Message

PRIORITY = {"alert": 0, "stand-down": 1, "reply": 2, "reminder": 2, "report": 3, "self-test": 9}
KINDS = tuple(PRIORITY)
MAX_ATTEMPTS = 5
BACKOFF_START = timedelta(seconds=30)
BACKOFF_MAX = timedelta(minutes=10)
IN_FLIGHT_TIMEOUT = timedelta(minutes=5)


def queue(ctx: Context, number: str, text: str, kind: str, *, visit=None, alarm=None, staff=None) -> Message:
    """Queue one outgoing SMS (call inside the caller's transaction)."""
    if kind not in PRIORITY:
        raise ValueError(f"unknown outgoing kind {kind!r}")
    return Message.create(direction="out", number=number, text=text, state="queued", kind=kind,
                          priority=PRIORITY[kind], created_at=ctx.now(), next_attempt_at=None,
                          visit=visit, alarm=alarm, staff=staff)


def _due(now):
    return (Message.select()
            .where((Message.direction == "out") & (Message.state == "queued")
                   & (Message.next_attempt_at.is_null() | (Message.next_attempt_at <= now)))
            .order_by(Message.priority, Message.created_at, Message.id))


def next_outgoing(ctx: Context) -> Message | None:
    """The message to send now: alerts first, then the oldest; skips those backing off."""
    return _due(ctx.now()).first()


def anything_due(ctx: Context) -> bool:
    """Is a text waiting to be sent now? (A voice call gives way to it: sending wins.)"""
    return _due(ctx.now()).exists()


def claim_next(ctx: Context, *, sent: tuple[int, int | None] | None = None) -> Message | None:
    """Take the message to send now and mark it `sending`, in one transaction: two senders never
    get the same message. On PostgreSQL the row is locked with SELECT ... FOR UPDATE SKIP LOCKED (a
    "ROWS" transaction, kiosk.store.db), so a second sender takes the next message instead of
    waiting for the first; on SQLite the write lock already makes the claim one at a time.

    `sent` = (id, modem reference) of the message the modem just accepted: it is marked `sent` in
    the same transaction (what `mark_sent` does), so a run of replies costs one commit each, not two."""
    now = ctx.now()
    with ctx.db.atomic(lock_type="ROWS"):
        if sent is not None:
            _mark_sent(ctx, *sent)
        query = _due(now).limit(1)
        if is_postgres(ctx.db):
            query = query.for_update(skip_locked=True)
        msg = query.first()
        if msg is None:
            return None
        (Message.update(state="sending", attempts=Message.attempts + 1, next_attempt_at=now)
         .where(Message.id == msg.id).execute())
    msg.state, msg.attempts, msg.next_attempt_at = "sending", msg.attempts + 1, now
    return msg


def mark_sending(ctx: Context, message_id: int) -> bool:
    """Claim a queued message for sending. False if someone else claimed it or it is not queued."""
    with ctx.atomic():
        claimed = (Message.update(state="sending", attempts=Message.attempts + 1, next_attempt_at=ctx.now())
                   .where((Message.id == message_id) & (Message.state == "queued") & (Message.direction == "out"))
                   .execute())
    return claimed == 1


def mark_sent(ctx: Context, message_id: int, modem_ref: int | None = None) -> None:
    """The modem accepted it (+CMGS: <mr>)."""
    with ctx.atomic():
        _mark_sent(ctx, message_id, modem_ref)


def _mark_sent(ctx: Context, message_id: int, modem_ref: int | None) -> None:
    (Message.update(state="sent", sent_at=ctx.now(), modem_ref=modem_ref, error=None)
     .where((Message.id == message_id) & (Message.state == "sending")).execute())


def recover_in_flight(ctx: Context) -> int:
    """On gateway start: messages left `sending` by a crash go back to the queue (an alert sent
    twice is better than an alert never sent). Returns how many."""
    with ctx.atomic():
        return (Message.update(state="queued", next_attempt_at=None)
                .where((Message.direction == "out") & (Message.state == "sending")).execute())


def outbox_size(ctx: Context) -> int:
    return Message.select().where((Message.direction == "out") & (Message.state == "queued")).count()



def sent_this_month(ctx: Context) -> int:
    """Texts the modem accepted since the 1st of this month (school local time): [modem] monthly_sms_limit."""
    local = ctx.now().astimezone(ctx.tz)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return Message.select().where((Message.direction == "out") & (Message.sent_at >= start)).count()
