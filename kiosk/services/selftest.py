"""The loop-back self-test in the database: asked for, queued, recognised coming back, judged.

`request` is all `kiosk selftest` does (a row the running gateway picks up: the CLI never touches
the modem). The gateway calls `send_requested` (queue the text to the SIM's own number through the
outbox, like every SMS), `recognise` from inbound storage (the text that comes back is stored like
every SMS, marked processed at once, never answered and never attributed to staff) and `facts` for
its health row. The rules themselves are in kiosk.domain.selftest.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.domain import selftest as S
from kiosk.services import audit, outbox
from kiosk.services.context import Context
from kiosk.store.models import Message, SelfTest

KIND = "self-test"  # Message.kind of both the text sent and the text that came back


def request(ctx: Context, *, by: str = "cli") -> SelfTest:
    """Ask the gateway for a self-test (one row; the gateway sends it within a few seconds)."""
    with ctx.atomic():
        test = SelfTest.create(token=S.new_token(), requested_at=ctx.now(), requested_by=by)
        audit.record("selftest-requested", ctx.now(), actor=by, summary=f"self-test {test.id} asked for ({by})")
    return test


def waiting_requests() -> list[SelfTest]:
    """Asked for, neither queued nor refused yet (oldest first)."""
    return list(SelfTest.select().where(SelfTest.message.is_null() & SelfTest.note.is_null())
                .order_by(SelfTest.id))


def send_requested(ctx: Context, own_number: str | None, *, note: str | None = None) -> list[SelfTest]:
    """Queue the text of every waiting request to `own_number` (one transaction each). Without a
    number (or with `note`, e.g. switched off) each request is closed with the reason instead."""
    done = []
    for test in waiting_requests():
        with ctx.atomic():
            if own_number and not note:
                test.message = outbox.queue(ctx, own_number, S.text_for(test.token), KIND)
                summary = f"self-test {test.id}: text queued to the SIM's own number"
            else:
                test.note = note or "no own number: set [modem] own_number"
                summary = f"self-test {test.id} not sent: {test.note}"
            test.save()
            audit.record("selftest-queued" if test.message_id else "selftest-refused", ctx.now(),
                         actor="gateway", summary=summary)
        done.append(test)
    return done


def recognise(ctx: Context, text: str, received_at: datetime) -> SelfTest | None:
    """The self-test whose token is in `text`, if any (inside the caller's transaction, before the
    sender is looked up). A token comes back once: a second copy of it is not a self-test."""
    token = S.token_in(text)
    if token is None:
        return None
    test = SelfTest.get_or_none((SelfTest.token == token) & SelfTest.message.is_null(False)
                                & SelfTest.received_at.is_null())
    if test is None:
        return None
    test.received_at = received_at
    test.save()
    return test


def store_reply(ctx: Context, test: SelfTest, number: str, text: str, received_at: datetime,
                fingerprint: str | None) -> Message:
    """The text that came back: stored like every SMS (idempotent on its fingerprint), already
    processed, with no visit and no staff, so nothing answers it, counts it or shows it as theirs."""
    msg = Message.create(direction="in", number=number, text=text, state="processed", kind=KIND,
                         created_at=received_at, fingerprint=fingerprint or None)
    test.reply = msg
    test.save()
    audit.record("selftest-received", ctx.now(), actor="gateway", message=msg,
                 summary=f"self-test {test.id} came back (message {msg.id}): the SMS path works")
    return msg


def _sent(where=None):
    query = (SelfTest.select(SelfTest, Message).join(Message, on=(SelfTest.message == Message.id))
             .where(Message.sent_at.is_null(False)))
    return query.where(where) if where is not None else query


def facts(ctx: Context, *, enabled: bool, timeout_minutes: int, note: str | None = None) -> S.SelfTestFacts:
    """The health row's selftest_* values from the stored tests (the gateway writes them).

    `sent_at` is the oldest test not answered since the path was last proven (by a test coming
    back or a text from staff), so a failed test keeps the link down while the next one is on its
    way; with nothing open it is the latest test's."""
    if not enabled:
        return S.SelfTestFacts(note="switched off ([selftest] enabled = false)")
    back = (SelfTest.select(SelfTest.received_at).where(SelfTest.received_at.is_null(False))
            .order_by(SelfTest.received_at.desc()).first())
    received = back.received_at if back else None
    waiting = SelfTest.received_at.is_null()
    open_tests = list(_sent(waiting if received is None else waiting & (Message.sent_at > received))
                      .order_by(Message.sent_at, SelfTest.id))
    proven = None
    if open_tests:  # a text from staff since the oldest open test proves the path too
        staff_text = (Message.select(Message.created_at)
                      .where((Message.direction == "in") & (Message.created_at >= open_tests[0].message.sent_at)
                             & (Message.state.in_(("received", "processed"))) & Message.kind.is_null())
                      .order_by(Message.created_at.desc()).first())
        proven = staff_text.created_at if staff_text else None
        after = [t for t in open_tests if proven is None or t.message.sent_at > proven]
        test = after[0] if after else open_tests[-1]
    else:
        test = _sent().order_by(Message.sent_at.desc(), SelfTest.id.desc()).first()
    if test is None:
        return S.SelfTestFacts(note=note)
    sent_at = test.message.sent_at
    return S.SelfTestFacts(sent_at=sent_at, received_at=received, due_by=S.due_by(sent_at, timeout_minutes),
                           proven_at=proven)


def history(limit: int = 10) -> list[SelfTest]:
    return list(SelfTest.select().order_by(SelfTest.id.desc()).limit(limit))
