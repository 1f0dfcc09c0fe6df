"""After a send attempt: retry with backoff, delivered, or failed for good and alarmed.

A text that will not go (MAX_ATTEMPTS retryable failures, a permanent refusal, or a delivery report
saying it was not delivered) is marked `failed` and raises a `send-failed` alarm in the same
transaction: nobody must believe an alert arrived when it did not. Above kiosk.services.outbox (the
queue) and kiosk.services.alarms (which queues its alerts there), so neither imports this module.
"""

from __future__ import annotations

from kiosk.services import alarms, audit
from kiosk.services.context import Context
from kiosk.services.outbox import BACKOFF_MAX, BACKOFF_START, MAX_ATTEMPTS
from kiosk.store.models import Message


def mark_failed(ctx: Context, message_id: int, error: str, *, retryable: bool = True) -> Message:
    """A send failed. Retryable failures go back to the queue with backoff until MAX_ATTEMPTS;
    then (or at once if not retryable) the message is `failed` and a `send-failed` alarm is raised:
    nobody must believe an alert arrived when it did not."""
    with ctx.atomic():
        msg = Message.get_by_id(message_id)
        error = " ".join(str(error).split())[:200] or "send failed"
        if retryable and msg.attempts < MAX_ATTEMPTS:
            delay = min(BACKOFF_START * (2 ** max(0, msg.attempts - 1)), BACKOFF_MAX)
            msg.state, msg.error, msg.next_attempt_at = "queued", error, ctx.now() + delay
            msg.save()
            return msg
        return _give_up(ctx, msg, error)


def mark_delivered_by_ref(ctx: Context, modem_ref: int, *, ok: bool = True,
                          error: str | None = None) -> Message | None:
    """A delivery report for TP-MR `modem_ref`: it is about the most recent sent message with that
    reference (references wrap at 256). A failed report fails the message (and alarms)."""
    with ctx.atomic():
        msg = (Message.select().where((Message.modem_ref == modem_ref) & (Message.state == "sent")
                                      & (Message.direction == "out"))
               .order_by(Message.sent_at.desc(), Message.id.desc()).first())
        if msg is None:
            return None
        if not ok:
            return _give_up(ctx, msg, error or "delivery report: not delivered")
        msg.state, msg.delivered_at = "delivered", ctx.now()
        msg.save()
        return msg


def _give_up(ctx: Context, msg: Message, error: str) -> Message:
    msg.state, msg.error, msg.next_attempt_at = "failed", error, None
    msg.save()
    audit.record("sms-failed", ctx.now(), actor="gateway", message=msg, visit=msg.visit_id,
                 summary=f"message {msg.id} ({msg.kind}) not delivered after {msg.attempts} attempt(s)")
    alarms.send_failed(ctx, msg)
    return msg
