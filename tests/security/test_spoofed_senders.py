"""Spoofed senders: a sender number can be forged, so no text can end a red alarm or silence the
kiosk, only registered numbers affect a visit, and every reply goes to the number the text claims
to come from and says what changed, so the real owner of that phone notices a forgery.
"""

from __future__ import annotations


import pytest

from kiosk import services as svc
from kiosk.store.models import Alarm, Event, Message, Staff, Visit
from tests.services.conftest import ANN, BOB, DEE, HANA

STRANGER = "+447700900999"
EVERY_COMMAND = ["BACK", "back", "DONE", "IN", "OK", "SAFE", "ARRIVED", "LEAVING", "EXTEND 20", "+20",
                 "BACK AT 16:15", "STATUS", "?", "ACK", "ACK 1", "ACK 2", "all fine, stand down", "false alarm",
                 "OUT 1 High St UNTIL 16:00", "SOS", "kestrel", "stood-down", "RESOLVE 1", "cancel alarm"]


def red_no_reply(school, clock):
    visit = school.out(minutes=30)
    clock.advance(minutes=30)
    svc.tick(school.ctx)
    clock.advance(minutes=15)
    svc.tick(school.ctx)
    return visit, Alarm.get(Alarm.kind == "no-reply")


def open_reds():
    return {(a.id, a.kind) for a in Alarm.select().where((Alarm.level == "red") & Alarm.resolved_at.is_null())}


@pytest.mark.parametrize("sender", [ANN, HANA, STRANGER])  # a member, an alert receiver, a stranger
def test_no_text_from_anyone_resolves_a_red_alarm_or_silences_the_kiosk(school, clock, sender):
    visit, red = red_no_reply(school, clock)
    duress = svc.duress_by_phone(school.ctx, visit.id, by="RC")
    reds = open_reds()
    assert {(red.id, "no-reply"), (duress.id, "duress")} <= reds
    for text in EVERY_COMMAND:
        clock.advance(seconds=10)  # within the flood limit: every reply is sent
        svc.sms_in(school.ctx, sender, text)
    assert {(i, k) for i, k in reds} <= open_reds()
    for alarm_id, _ in reds:
        alarm = Alarm.get_by_id(alarm_id)
        assert alarm.resolved_at is None and alarm.acknowledged_at is None and alarm.action is None
    assert Visit.get_by_id(visit.id).state != "back"


def test_sms_back_under_a_red_alarm_leaves_the_visit_on_the_board_and_says_the_alarm_is_open(school, clock):
    visit, red = red_no_reply(school, clock)
    result = svc.sms_in(school.ctx, ANN, "BACK")
    assert result.reply.number == ANN
    assert "alarm is still open" in result.reply.text
    assert Visit.get_by_id(visit.id).ended_at is None
    assert [r.id for r in svc.board(school.ctx)] == [visit.id]
    assert Event.select().where(Event.kind == "back-claimed").count() == 1


def test_sms_back_under_duress_closes_nothing_and_never_reveals_the_alarm_to_the_phone(school):
    """The phone may be in someone else's hands: the reply is the usual one, but the visit stays
    open with its red duress alarm until a person at the kiosk ends it."""
    visit = school.out()
    svc.sms_in(school.ctx, ANN, "bluebird")
    result = svc.sms_in(school.ctx, ANN, "BACK")
    assert "alarm" not in result.reply.text.lower()
    assert Visit.get_by_id(visit.id).state != "back"
    assert open_reds() == {(Alarm.get(Alarm.kind == "duress").id, "duress")}


def test_sms_ack_only_takes_charge_it_never_acknowledges_or_resolves(school, clock):
    _, red = red_no_reply(school, clock)
    result = svc.sms_in(school.ctx, HANA, f"ACK {red.id}")
    red = Alarm.get_by_id(red.id)
    assert red.owner_id == school.hana.id
    assert (red.acknowledged_by, red.acknowledged_at, red.action, red.resolved_at) == (None, None, None, None)
    assert result.reply.number == HANA and f"alarm {red.id}" in result.reply.text
    told = [m for m in Message.select().where((Message.direction == "out") & (Message.number == DEE)
                                              & (Message.text.contains("taken charge")))]
    assert len(told) == 1  # the other receiver hears who took charge: a forged ACK is noticed


def test_ack_from_someone_who_is_not_an_alert_receiver_owns_nothing(school, clock):
    _, red = red_no_reply(school, clock)
    for sender in (ANN, BOB, STRANGER):
        svc.sms_in(school.ctx, sender, f"ACK {red.id}")
    assert Alarm.get_by_id(red.id).owner_id is None


def test_forged_ack_is_answered_to_the_real_phone(school, clock):
    """Someone forging Hana's number to take charge (and so stop the repeated alerts): the reply
    goes to Hana's real phone, and Dee is told Hana took charge; both can see it was not Hana."""
    _, red = red_no_reply(school, clock)
    svc.sms_in(school.ctx, HANA, "ACK")
    to_hana = [m.text for m in Message.select().where((Message.direction == "out") & (Message.number == HANA)
                                                        & (Message.kind == "reply"))]
    assert to_hana == [f"You have alarm {red.id}. The others are told. Record the outcome at the kiosk."]


@pytest.mark.parametrize("text, says", [
    ("OK", "Check-in noted 14:00. Due back 15:30."),
    ("ARRIVED", "Arrival noted 14:00. Due back 15:30."),
    ("LEAVING", "Leaving noted 14:00. Due back 15:30."),
    ("EXTEND 20", "Due back now 15:50 (was 15:30)."),
    ("BACK AT 16:15", "Due back now 16:15 (was 15:30)."),
    ("BACK", "Visit 1 closed 14:00."),
    ("SOS", "Alarm raised 14:00. The office is calling you now. If you can, call 999."),
    ("STATUS", "Visit 1: on the way, due back 15:30."),
])
def test_every_reply_goes_to_the_sender_and_says_what_changed(school, text, says):
    school.out()
    result = svc.sms_in(school.ctx, ANN, text)
    assert result.reply.number == ANN and result.reply.state == "queued"
    assert says in result.reply.text
    assert len(result.reply.text) <= 160


def test_out_by_text_reply_says_a_visit_started_and_is_unapproved(school):
    result = svc.sms_in(school.ctx, BOB, "OUT 3 Oak Rd LU4 9AB UNTIL 16:00")
    assert result.reply.number == BOB
    assert "Visit 1 started" in result.reply.text and "Not yet approved" in result.reply.text


@pytest.mark.parametrize("make_unregistered", ["unknown", "inactive", "former-school-phone"])
def test_only_registered_numbers_affect_a_visit(school, clock, make_unregistered):
    visit = school.out(school.bob)
    number = STRANGER
    if make_unregistered == "inactive":
        svc.sms_in(school.ctx, ANN, "OK")  # Ann is registered until she leaves
        Staff.update(active=False).where(Staff.id == school.ann.id).execute()
        number = ANN
    elif make_unregistered == "former-school-phone":
        phone = svc.add_phone(school.ctx, "07700 900555", "spare")
        phone.active = False
        phone.save()
        number = phone.number
    before = Visit.get_by_id(visit.id)
    replies_before = Message.select().where((Message.direction == "out") & (Message.kind == "reply")).count()
    for text in ("BACK", "EXTEND 60", "OUT 1 High St UNTIL 16:00", "ACK", "ARRIVED", "ACK 1", "OK"):
        clock.advance(seconds=10)
        result = svc.sms_in(school.ctx, number, text)
        assert result.message.state == "ignored" and result.reply is None and not result.duress
    # A code word or a plea still raises red (issue 14 item 5), and moves no visit either.
    clock.advance(seconds=10)
    coded = svc.sms_in(school.ctx, number, "kestrel")
    assert coded.reply is None and coded.duress and coded.message.text == "[code word]"
    clock.advance(seconds=10)
    plea = svc.sms_in(school.ctx, number, "SOS")
    assert plea.reply.number == number and plea.reply.text.startswith("Alarm raised")
    after = Visit.get_by_id(visit.id)
    assert (after.state, after.due_back, after.last_contact_at) == (before.state, before.due_back,
                                                                     before.last_contact_at)
    assert sorted((a.kind, a.visit_id) for a in Alarm.select()) == [("duress", None), ("sos", None)]
    assert Visit.select().count() == 1
    assert Message.select().where((Message.direction == "out") & (Message.kind == "reply")).count() == replies_before + 1
    assert svc.ignored_count(school.ctx) == 7
    assert all("kestrel" not in m.text for m in Message.select())
