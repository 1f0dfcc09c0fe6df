"""Issue 14 item 15, the service: an undecodable SMS is stored as it came, once, and never acted on."""

from __future__ import annotations

from kiosk import services as svc
from kiosk.services.undecodable import store_undecodable
from kiosk.store.models import Event, Message
from tests.services.conftest import ANN


def test_item15_kept_with_sender_raw_hex_and_error_linked_to_the_member(school):
    visit = school.out()
    msg, created = store_undecodable(school.ctx, ANN, " 0004ff ff\n", "undecodable PDU: truncated",
                                     fingerprint="fp1")
    assert created and (msg.direction, msg.number, msg.text, msg.state) == ("in", ANN, "0004FFFF", "undecodable")
    assert (msg.staff_id, msg.visit_id, msg.error) == (school.ann.id, visit.id, "undecodable PDU: truncated")
    assert Event.get(Event.message_id == msg.id).kind == "sms-undecodable"


def test_item15_stored_once_per_fingerprint(school):
    first, _ = store_undecodable(school.ctx, None, "0004FFFF", "x", fingerprint="fp1")
    again, created = store_undecodable(school.ctx, None, "0004FFFF", "x", fingerprint="fp1")
    assert not created and again.id == first.id and Message.select().count() == 1


def test_item15_never_processed_never_contact_never_answered(school):
    visit = school.out()
    school.clock.advance(minutes=91)
    svc.tick(school.ctx)  # overdue: amber
    msg, _ = store_undecodable(school.ctx, ANN, "0004FFFF", "x", fingerprint="fp1")
    assert svc.pending(school.ctx) == []
    assert not svc.process_message(school.ctx, msg.id).processed
    stored = visit.__class__.get_by_id(visit.id)
    assert stored.last_contact_at is None and stored.state == "out"
    assert school.queued(ANN, kind="reply") == []


def test_item15_garbage_sender_and_garbage_raw_are_kept_readable(school):
    msg, _ = store_undecodable(school.ctx, None, "\x1b[31m\x00zz", None)
    assert msg.number == "" and msg.text.isprintable() and "\x1b" not in msg.text and msg.error is None
    empty, _ = store_undecodable(school.ctx, "", "", "no PDU followed the listing line")
    assert empty.text == "(no PDU)"
