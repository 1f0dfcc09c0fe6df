"""Flood: a number that texts more than `security.flood_texts_per_minute` (default 10) stops getting
replies for a minute (SMS cost), while every text is still stored, processed and checked for a code
word, and nobody else waits for it. Issue 8: "A flood from anywhere never delays processing of
other senders."
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk import services as svc
from kiosk.domain import flood as F
from kiosk.store.models import Alarm, Event, Message, Visit
from tests.services.conftest import ANN, BOB

LIMIT = 10
STRANGER = "+447700900999"


def replies_to(number, state="queued"):
    return list(Message.select().where((Message.direction == "out") & (Message.number == number)
                                       & (Message.kind == "reply") & (Message.state == state)).order_by(Message.id))


def inbound_from(number):
    return Message.select().where((Message.direction == "in") & (Message.number == number))


def test_rule_sends_up_to_the_limit_then_one_notice_then_nothing():
    actions = [F.reply_decision(n, LIMIT, notice_in_window=n > LIMIT + 1).action for n in range(1, 15)]
    assert actions == [F.SEND] * LIMIT + [F.NOTICE] + [F.SUPPRESS] * 3
    assert F.reply_decision(LIMIT + 5, LIMIT, notice_in_window=False).action == F.NOTICE
    assert F.reply_decision(1, 1, notice_in_window=True).action == F.SEND
    with pytest.raises(ValueError):
        F.reply_decision(1, 0, notice_in_window=False)


def test_flood_of_200_texts_gets_ten_replies_and_one_notice_and_never_holds_up_another_sender(school, clock):
    visit = school.out(school.ann)
    bob_visit = school.out(school.bob)
    for i in range(200):
        result = svc.sms_in(school.ctx, ANN, f"OK {i}")
        assert result.processed  # stored and processed, every one
        assert result.reply_held == (i >= LIMIT)
    assert inbound_from(ANN).count() == 200
    assert inbound_from(ANN).where(Message.state == "processed").count() == 200
    sent = [m.text for m in replies_to(ANN)]
    assert len(sent) == LIMIT + 1 and sent[-1] == F.PAUSED_NOTICE
    held = replies_to(ANN, state="ignored")
    assert len(held) == 200 - LIMIT
    assert {m.error for m in held} == {f"not sent: more than {LIMIT} texts a minute from this number"}
    assert Event.select().where(Event.kind == "reply-held").count() == 200 - LIMIT
    assert Visit.get_by_id(visit.id).last_contact_at == clock.now()  # still counts as contact

    other = svc.sms_in(school.ctx, BOB, "OK")
    assert other.reply is not None and other.reply.state == "queued" and not other.reply_held
    assert other.reply.text.startswith("Check-in noted")
    assert Visit.get_by_id(bob_visit.id).last_contact_at == clock.now()


def test_replies_resume_after_a_quiet_minute(school, clock):
    school.out(school.ann)
    for _ in range(LIMIT + 3):
        svc.sms_in(school.ctx, ANN, "OK")
    clock.advance(seconds=61)
    result = svc.sms_in(school.ctx, ANN, "OK")
    assert result.reply is not None and result.reply.text.startswith("Check-in noted") and not result.reply_held


def test_window_counts_received_times_so_a_drained_backlog_is_not_a_flood(school, clock):
    """The gateway stores texts with the time the network received them: 12 texts a few minutes
    apart, drained from the SIM at once after an outage, are not a flood."""
    school.out(school.ann)
    start = clock.now() - timedelta(minutes=60)
    results = [svc.sms_in(school.ctx, ANN, "OK", received_at=start + timedelta(minutes=5 * i)) for i in range(12)]
    assert not any(r.reply_held for r in results)
    assert len(replies_to(ANN)) == 12


def test_code_word_in_the_middle_of_a_flood_still_raises_duress_and_its_reply_is_held_like_the_rest(school):
    school.out(school.ann)
    for _ in range(30):
        svc.sms_in(school.ctx, ANN, "OK")
    result = svc.sms_in(school.ctx, ANN, "OK running late bluebird")
    assert result.duress and result.message.duress
    assert [(a.kind, a.level, a.resolved_at) for a in Alarm.select()] == [("duress", "red", None)]
    assert len(school.texts(kind="alert")) == 2  # Hana and Dee, at once
    assert result.reply_held  # indistinguishable from the texts around it
    assert "bluebird" not in Message.get_by_id(result.message.id).text


def test_a_flood_of_code_words_raises_one_duress_alarm_and_alerts_once(school):
    """A flood of duress texts must not queue two alerts per text ahead of everything else: while
    the number floods, its further duress texts join the alarm still open."""
    school.out(school.ann)
    for i in range(30):
        result = svc.sms_in(school.ctx, ANN, f"bluebird {i}")
        assert result.message.duress and result.message.alarm_id is not None
    alarms = list(Alarm.select())
    assert [(a.kind, a.level) for a in alarms] == [("duress", "red")] * LIMIT
    assert len(school.texts(kind="alert")) == 2 * LIMIT
    assert inbound_from(ANN).where(Message.alarm.is_null()).count() == 0
    assert Event.select().where(Event.kind == "alarm-repeated").count() == 30 - LIMIT


def test_a_flood_after_the_alarm_is_resolved_raises_a_new_one(school):
    school.out(school.ann)
    for _ in range(LIMIT + 2):
        svc.sms_in(school.ctx, ANN, "SOS")
    first = Alarm.select().where(Alarm.kind == "sos").count()
    assert first == LIMIT
    for alarm in Alarm.select():
        svc.acknowledge(school.ctx, alarm.id, by="AB", action="false-alarm")
    svc.sms_in(school.ctx, ANN, "SOS")
    assert Alarm.select().where((Alarm.kind == "sos") & Alarm.resolved_at.is_null()).count() == 1


def test_the_outbox_is_not_starved_alerts_first_and_the_flooders_replies_capped(school):
    """40 texts from Ann (a third of them duress), one SOS from Bob: sending in outbox order, every
    alert goes first, and at most LIMIT + 1 texts to Ann go at all."""
    school.out(school.ann)
    school.out(school.bob)
    for i in range(40):
        svc.sms_in(school.ctx, ANN, "OK" if i % 3 else "bluebird")
    svc.sms_in(school.ctx, BOB, "SOS")
    order = []
    while (msg := svc.next_outgoing(school.ctx)) is not None:
        assert svc.mark_sending(school.ctx, msg.id)
        svc.mark_sent(school.ctx, msg.id, modem_ref=len(order) % 256)
        order.append((msg.kind, msg.number))
    kinds = [k for k, _ in order]
    assert kinds.index("reply") > max(i for i, k in enumerate(kinds) if k == "alert")
    to_ann = [n for k, n in order if k == "reply" and n == ANN]
    assert len(to_ann) <= LIMIT + 1
    assert ("reply", BOB) in order
    assert len(order) <= 2 * LIMIT + 2 + (LIMIT + 1) + 1


def test_unregistered_flood_raises_at_most_three_alarms_an_hour_and_changes_nothing(school, clock):
    """Issue 14 item 5: a plea or a code word from an unknown number raises red, so a flood of them
    could raise alarm after alarm. After 3 red alarms from one unknown number within the hour its
    texts are stored and shown (ignored, counted) but raise nothing new and get no reply."""
    visit = school.out(school.ann)
    before = Visit.get_by_id(visit.id)
    for i in range(100):
        clock.advance(seconds=20)  # 3 a minute: under the per-minute limit, so each could raise
        result = svc.sms_in(school.ctx, STRANGER, "BACK" if i % 2 else "SOS bluebird")
        raising = i in (0, 2, 4)
        assert result.duress == raising and (result.reply is not None) == raising
    assert Message.select().where((Message.direction == "out") & (Message.kind == "reply")).count() == 3
    assert [a.kind for a in Alarm.select()] == ["duress"] * 3
    assert svc.ignored_count(school.ctx) == 97  # 50 BACKs and 47 pleas past the three
    assert Event.select().where(Event.kind == "sms-ignored").count() == 97
    after = Visit.get_by_id(visit.id)
    assert (after.state, after.due_back, after.last_contact_at) == (before.state, before.due_back, before.last_contact_at)
    assert all("bluebird" not in m.text for m in inbound_from(STRANGER))
    clock.advance(hours=1)  # a quiet hour later the number can raise again
    assert svc.sms_in(school.ctx, STRANGER, "help").alarms[0].kind == "sos"


def test_the_limit_comes_from_the_config(tmp_path, clock):
    from kiosk.config import config_from_mapping
    from tests.services.conftest import School

    s = School(tmp_path / "k.db", clock)
    s.ctx = svc.Context(config_from_mapping({"security": {"flood_texts_per_minute": 3}}), clock)
    s.out(s.ann)
    held = [svc.sms_in(s.ctx, ANN, "OK").reply_held for _ in range(5)]
    assert held == [False, False, False, True, True]
    assert [m.text for m in replies_to(ANN)][-1] == F.PAUSED_NOTICE
    s.db.close()
