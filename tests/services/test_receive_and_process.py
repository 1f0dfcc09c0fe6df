"""A text is stored and applied in one transaction, and still never lost or applied twice.

`receive_and_process` (what `sms_in` and the gateway's drain use) commits the stored text and its
effects together, one fsync instead of two. Processing runs in a savepoint: if it fails, the text
(and a duress alarm) are committed anyway, left `received`, and processed exactly once later.
"""

from __future__ import annotations

import pytest

from kiosk import services as svc
from kiosk.services import inbound
from kiosk.store.models import Alarm, Event, Message
from tests.services.conftest import ANN


class Broken(RuntimeError):
    pass


def _break(monkeypatch):
    def handle(*args, **kwargs):
        raise Broken("a bug in a command")
    monkeypatch.setattr(inbound, "_handle", handle)


def test_one_transaction_stores_and_applies(school):
    school.out(school.ann)
    result, created = inbound.receive_and_process(school.ctx, ANN, "OK", fingerprint="f1")
    assert created and result.processed and result.error is None
    assert [m.state for m in Message.select().where(Message.direction == "in")] == ["processed"]
    assert school.texts(ANN)[0].startswith("Check-in noted")
    again, created_again = inbound.receive_and_process(school.ctx, ANN, "OK", fingerprint="f1")
    assert not created_again and not again.processed and len(school.texts(ANN)) == 1


def test_a_failure_in_processing_leaves_the_text_stored_received_and_it_is_applied_once_later(school, monkeypatch):
    school.out(school.ann)
    _break(monkeypatch)
    with pytest.raises(Broken):
        svc.sms_in(school.ctx, ANN, "OK first")
    result, created = inbound.receive_and_process(school.ctx, ANN, "OK second", fingerprint="f2", reraise=False)
    assert created and isinstance(result.error, Broken) and not result.processed
    assert not school.ctx.db.in_transaction()
    stored = list(Message.select().where(Message.direction == "in").order_by(Message.id))
    assert [(m.text, m.state) for m in stored] == [("OK first", "received"), ("OK second", "received")]
    assert Event.select().where(Event.kind == "sms-received").count() == 2
    assert Event.select().where(Event.kind == "sms-processed").count() == 0
    assert school.texts(ANN) == []  # nothing applied, no reply
    monkeypatch.undo()
    for message_id in svc.pending(school.ctx):
        assert svc.process_message(school.ctx, message_id).processed
    assert svc.pending(school.ctx) == []
    assert not any(svc.process_message(school.ctx, m.id).processed for m in stored)
    assert len(school.texts(ANN)) == 2


def test_a_duress_alarm_is_committed_even_when_processing_fails(school, monkeypatch):
    school.out(school.ann)
    _break(monkeypatch)
    result, _ = inbound.receive_and_process(school.ctx, ANN, "fine bluebird", reraise=False)
    assert isinstance(result.error, Broken)
    red = list(Alarm.select().where(Alarm.kind == "duress"))
    assert len(red) == 1 and red[0].level == "red"
    assert Message.get_by_id(result.message.id).text == "fine [code word]"


def test_the_next_claim_marks_the_previous_reply_sent_in_the_same_transaction(school):
    """A run of replies costs one commit each: `sent` of one rides on the claim of the next."""
    from kiosk.services import outbox

    first = outbox.queue(school.ctx, ANN, "one", "reply")
    second = outbox.queue(school.ctx, ANN, "two", "reply")
    claimed = outbox.claim_next(school.ctx)
    assert claimed.id == first.id and Message.get_by_id(first.id).state == "sending"
    following = outbox.claim_next(school.ctx, sent=(first.id, 7))
    assert following.id == second.id
    assert (Message.get_by_id(first.id).state, Message.get_by_id(first.id).modem_ref) == ("sent", 7)
    assert Message.get_by_id(second.id).state == "sending"
    assert outbox.claim_next(school.ctx, sent=(second.id, 8)) is None
    assert (Message.get_by_id(second.id).state, Message.get_by_id(second.id).modem_ref) == ("sent", 8)
