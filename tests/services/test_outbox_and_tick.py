"""The outbox the gateway drains, and the parts of the ladder that depend on the school's hours."""

from datetime import timedelta

import pytest

from kiosk import services as svc
from kiosk.store.models import Alarm, Event, Message
from tests.services.conftest import ANN, DEE, HANA


def test_alerts_go_first_then_oldest(school, clock):
    visit = school.out()
    svc.sms_in(school.ctx, ANN, "OK")  # a reply
    clock.advance(seconds=5)
    svc.duress_by_phone(school.ctx, visit.id, by="RC")  # two alerts, queued later
    order = []
    while (msg := svc.next_outgoing(school.ctx)) is not None:
        assert svc.mark_sending(school.ctx, msg.id)
        svc.mark_sent(school.ctx, msg.id, modem_ref=len(order))
        order.append(msg.kind)
    assert order == ["alert", "alert", "reply"]
    assert Message.get(Message.modem_ref == 2).sent_at == clock.now()


def test_claim_next_takes_alerts_first_and_each_message_once(school, clock):
    visit = school.out()
    svc.sms_in(school.ctx, ANN, "OK")
    clock.advance(seconds=5)
    svc.duress_by_phone(school.ctx, visit.id, by="RC")
    claimed = []
    while (msg := svc.claim_next(school.ctx)) is not None:
        assert msg.state == "sending" and Message.get_by_id(msg.id).state == "sending"
        assert Message.get_by_id(msg.id).attempts == msg.attempts == 1
        claimed.append((msg.id, msg.kind))
    assert [kind for _, kind in claimed] == ["alert", "alert", "reply"]
    assert len({i for i, _ in claimed}) == 3 and svc.next_outgoing(school.ctx) is None


def test_mark_sending_claims_once(school):
    svc.sms_in(school.ctx, ANN, "?")
    msg = svc.next_outgoing(school.ctx)
    assert svc.mark_sending(school.ctx, msg.id) is True
    assert svc.mark_sending(school.ctx, msg.id) is False
    assert svc.next_outgoing(school.ctx) is None


def test_retryable_failures_back_off_then_become_a_send_failed_alarm(school, clock):
    visit = school.out()
    svc.duress_by_phone(school.ctx, visit.id, by="RC")
    first = svc.next_outgoing(school.ctx)
    delays = []
    for attempt in range(1, 6):
        clock.advance(minutes=11)
        msg = svc.next_outgoing(school.ctx)
        assert msg.id == first.id  # the same alert keeps its place at the front
        svc.mark_sending(school.ctx, msg.id)
        failed = svc.mark_failed(school.ctx, msg.id, "+CMS ERROR: 38", retryable=True)
        if attempt < 5:
            assert failed.state == "queued"
            delays.append(failed.next_attempt_at - clock.now())
            assert svc.next_outgoing(school.ctx) is None or svc.next_outgoing(school.ctx).id != msg.id
    assert delays == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120), timedelta(seconds=240)]
    assert Message.get_by_id(first.id).state == "failed"
    alarm = Alarm.get(Alarm.kind == "send-failed")
    assert alarm.level == "red" and alarm.visit.id == visit.id
    assert alarm.summary.startswith(f"alert to {Message.get_by_id(first.id).staff.name} not delivered")


def test_permanent_failure_alarms_at_once(school):
    svc.sms_in(school.ctx, ANN, "?")
    msg = svc.next_outgoing(school.ctx)
    svc.mark_sending(school.ctx, msg.id)
    svc.mark_failed(school.ctx, msg.id, "number barred", retryable=False)
    assert Alarm.get().level == "amber" and Alarm.get().kind == "send-failed"


def test_delivery_reports_match_the_newest_sent_with_that_reference(school, clock):
    svc.sms_in(school.ctx, ANN, "?")
    svc.sms_in(school.ctx, ANN, "?")
    a, b = school.queued()
    for msg in (a, b):
        svc.mark_sending(school.ctx, msg.id)
        svc.mark_sent(school.ctx, msg.id, modem_ref=7)
        clock.advance(seconds=1)
    delivered = svc.mark_delivered_by_ref(school.ctx, 7)
    assert delivered.id == b.id and Message.get_by_id(b.id).state == "delivered"
    assert svc.mark_delivered_by_ref(school.ctx, 99) is None
    svc.mark_delivered_by_ref(school.ctx, 7, ok=False, error="not delivered")
    assert Message.get_by_id(a.id).state == "failed"
    assert Alarm.get().kind == "send-failed"


def test_in_flight_messages_are_requeued_after_a_crash(school):
    svc.sms_in(school.ctx, ANN, "?")
    msg = svc.next_outgoing(school.ctx)
    svc.mark_sending(school.ctx, msg.id)
    school.reopen()
    assert svc.recover_in_flight(school.ctx) == 1
    assert svc.next_outgoing(school.ctx).id == msg.id


def test_outside_staffed_hours_amber_also_texts_the_alert_receivers(school, clock):
    clock.set("2026-11-24T17:00:00+00:00")
    school.out(minutes=45)
    clock.advance(minutes=45)  # 17:45, office closed
    svc.tick(school.ctx)
    alerts = school.queued(kind="alert")
    assert sorted(m.number for m in alerts) == sorted([HANA, DEE])
    assert "AMBER" in alerts[0].text and "Office may be closed" in alerts[0].text
    svc.tick(school.ctx)
    assert len(school.queued(kind="alert")) == 2


def test_end_of_staffed_hours_report_lists_open_visits_once(school, clock):
    clock.set("2026-11-24T17:00:00+00:00")
    visit = school.out(minutes=60)
    clock.set("2026-11-24T17:29:00+00:00")
    svc.tick(school.ctx)
    assert school.queued(kind="report") == []
    clock.set("2026-11-24T17:31:00+00:00")
    svc.tick(school.ctx)
    svc.tick(school.ctx)
    reports = school.queued(kind="report")
    assert sorted(m.number for m in reports) == sorted([HANA, DEE])
    assert reports[0].text == f"KIOSK office closing 17:30: 1 visit still open: Ann Lee due 18:00 (Visit {visit.id})."
    school.reopen()
    svc.tick(school.ctx)
    assert len(school.queued(kind="report")) == 2
    assert Event.select().where(Event.kind == "end-of-day-report").count() == 1


def test_no_alert_receiver_is_shouted_and_the_ladder_still_runs(school, clock):
    assert svc.warnings(school.ctx) == []
    for person in (school.hana, school.dee):
        person.receives_alerts = False
        person.save()
    assert svc.warnings(school.ctx)[0].startswith("NO ALERT RECEIVER")
    school.out(minutes=30)
    clock.advance(minutes=45)
    svc.tick(school.ctx)
    clock.advance(minutes=15)
    svc.tick(school.ctx)
    assert [a.kind for a in Alarm.select().order_by(Alarm.id)] == ["overdue", "no-reply"]


def test_board_most_urgent_first(school, clock):
    late = school.out(minutes=20)
    soon = school.out(school.bob, minutes=40)
    clock.advance(minutes=31)
    svc.tick(school.ctx)
    rows = svc.board(school.ctx)
    assert [(r.id, r.level) for r in rows] == [(late.id, "amber"), (soon.id, "due-soon")]
    assert rows[0].label == f"Visit {late.id} · LU4"
    assert rows[0].alarms == [Alarm.get().id]


def test_reception_checkin_and_extend(school, clock):
    visit = school.out(minutes=30, check_in_minutes=20)
    clock.advance(minutes=26)
    svc.tick(school.ctx)
    svc.check_in_by_phone(school.ctx, visit.id, by="RC")
    assert Alarm.get().resolved_at == clock.now()
    due_back = svc.board(school.ctx)[0].due_back
    svc.extend(school.ctx, visit.id, by="RC", minutes=30)
    assert svc.board(school.ctx)[0].due_back == due_back + timedelta(minutes=30)  # added, never shortened
    for bad in (dict(minutes=0), dict(minutes=241), dict()):
        with pytest.raises(svc.Invalid):
            svc.extend(school.ctx, visit.id, by="RC", **bad)
    with pytest.raises(svc.NotFound):
        svc.extend(school.ctx, 999, by="RC", minutes=5)
    svc.mark_back(school.ctx, visit.id, by="RC")
    with pytest.raises(svc.Refused):
        svc.check_in_by_phone(school.ctx, visit.id, by="RC")
