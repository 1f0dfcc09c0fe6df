"""The loop-back self-test in the database: asked for, queued like every SMS, recognised coming
back (stored, processed once, never answered, never a staff text), judged from stored facts."""

from __future__ import annotations

from datetime import timedelta

from kiosk import services as svc
from kiosk.domain import selftest as S
from kiosk.services import inbound, outbox, selftest
from kiosk.store.models import Event, Message, SelfTest
from tests.services.conftest import ANN

OWN = "+447700900999"


def send_out(school):
    """What the gateway's pump does: claim, the modem accepts, mark sent."""
    msg = outbox.claim_next(school.ctx)
    outbox.mark_sent(school.ctx, msg.id, 7)
    return Message.get_by_id(msg.id)


def test_a_request_is_queued_to_the_own_number_after_every_other_text(school):
    school.out()
    svc.sms_in(school.ctx, ANN, "ARRIVED")  # a reply waiting
    test = selftest.request(school.ctx, by="cli")
    (queued,) = selftest.send_requested(school.ctx, OWN)
    assert queued.id == test.id and queued.message.number == OWN and queued.message.kind == "self-test"
    assert S.token_in(queued.message.text) == test.token
    assert outbox.next_outgoing(school.ctx).kind == "reply"  # staff's texts first, the self-test last
    assert selftest.send_requested(school.ctx, OWN) == []  # queued once


def test_without_an_own_number_the_request_is_closed_with_the_reason(school):
    selftest.request(school.ctx)
    (test,) = selftest.send_requested(school.ctx, None)
    assert test.message is None and "own_number" in test.note
    assert Message.select().where(Message.direction == "out").count() == 0
    facts = selftest.facts(school.ctx, enabled=True, timeout_minutes=10, note=test.note)
    assert S.verdict(facts, school.clock.now(), school.ctx.tz).strip.startswith("SMS path not self-tested")


def test_the_text_coming_back_is_stored_once_never_answered_and_proves_the_path(school, clock):
    test = selftest.request(school.ctx)
    selftest.send_requested(school.ctx, OWN)
    sent = send_out(school)
    clock.advance(30)
    result, created = inbound.receive_and_process(school.ctx, OWN, sent.text, fingerprint="sim:loop")
    again, created_again = inbound.receive_and_process(school.ctx, OWN, sent.text, fingerprint="sim:loop")
    assert created and not created_again and not result.processed and result.reply is None
    back = Message.get_by_id(result.message.id)
    assert (back.state, back.kind, back.staff_id, back.visit_id) == ("processed", "self-test", None, None)
    assert SelfTest.get_by_id(test.id).reply_id == back.id
    assert Message.select().where(Message.direction == "out").count() == 1  # no reply to it
    kinds = [e.kind for e in Event.select()]
    assert "selftest-received" in kinds and "sms-ignored" not in kinds  # never "unknown number"
    assert svc.pending(school.ctx) == []
    facts = selftest.facts(school.ctx, enabled=True, timeout_minutes=10)
    assert S.verdict(facts, clock.now() + timedelta(hours=2), school.ctx.tz).ok is True


def test_not_back_in_time_fails_until_a_text_from_staff_or_a_later_test(school, clock):
    school.out()
    selftest.request(school.ctx)
    selftest.send_requested(school.ctx, OWN)
    send_out(school)  # the network swallows it
    clock.advance(minutes=11)
    facts = selftest.facts(school.ctx, enabled=True, timeout_minutes=10)
    v = S.verdict(facts, clock.now(), school.ctx.tz)
    assert v.ok is False and v.reason.startswith("self-test text not received since")
    svc.sms_in(school.ctx, ANN, "HERE")
    assert S.verdict(selftest.facts(school.ctx, enabled=True, timeout_minutes=10), clock.now(),
                     school.ctx.tz).ok is True


def test_a_token_comes_back_once_and_an_unknown_token_is_just_a_text(school):
    test = selftest.request(school.ctx)
    selftest.send_requested(school.ctx, OWN)
    sent = send_out(school)
    first = svc.sms_in(school.ctx, OWN, sent.text)
    second = svc.sms_in(school.ctx, OWN, sent.text)  # a second copy (no fingerprint): not a self-test
    assert first.message.kind == "self-test" and second.message.kind is None
    assert second.message.state == "ignored"  # the own number is not staff
    stranger = svc.sms_in(school.ctx, ANN, S.text_for(S.new_token()))
    assert stranger.message.kind is None and stranger.message.state == "processed"
    assert SelfTest.get_by_id(test.id).reply_id == first.message.id


def test_switched_off(school):
    facts = selftest.facts(school.ctx, enabled=False, timeout_minutes=10)
    assert S.verdict(facts, school.clock.now(), school.ctx.tz).strip == (
        "SMS path not self-tested: switched off ([selftest] enabled = false)")


def test_retention_purges_old_self_test_texts_and_keeps_the_record(school, clock):
    from kiosk.ops.retention import purge

    test = selftest.request(school.ctx)
    selftest.send_requested(school.ctx, OWN)
    sent = send_out(school)
    svc.sms_in(school.ctx, OWN, sent.text)
    clock.advance(days=400)
    purge(school.ctx)
    kept = SelfTest.get_by_id(test.id)
    assert kept.message_id is None and kept.reply_id is None and kept.received_at is not None
    assert not Message.select().where(Message.kind == "self-test").exists()
