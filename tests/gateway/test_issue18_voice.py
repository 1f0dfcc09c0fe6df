"""Issue 18, voice calls: end to end over the real driver and the simulated modem on a pty.

Head Teacher is tier 1, Safeguarding Lead tier 2. The simulator's answer and key press are
scripted per number and timed by the test clock; the test moves the clock, never waits for it.
"""

from __future__ import annotations

from kiosk.store import open_database
from kiosk.store.models import Alarm, AlarmAction, Message, Staff, Visit
from tests.gateway.test_service import ANN, BEN, HEAD, LEAD, alarms


def _lead_is_tier_2(database):
    def hook():
        db = open_database(database)
        Staff.update(alert_tier=2).where(Staff.mobile == LEAD).execute()
        db.close()
    return hook


def _to_red(g):
    visit = Visit.get_by_id(g.ids["visit:Ann Lee"])
    g.clock.advance((visit.due_back - g.clock.now()).total_seconds() + 1)
    g.until(lambda: alarms(level="amber"), what="amber")
    g.clock.advance(minutes=15, seconds=1)
    g.until(lambda: alarms(level="red"), what="red")
    g.until(lambda: g.sent_to(HEAD), what="tier 1 texted")
    return alarms(level="red")[0]


def calls(alarm_id):
    return [(a.action, a.who, a.note) for a in AlarmAction.select().where(
        (AlarmAction.alarm == alarm_id) & AlarmAction.action.startswith("call")).order_by(AlarmAction.id)]


def test_a_call_is_placed_after_after_minutes_and_hung_up_after_ring_seconds(start_gateway, database):
    g = start_gateway(before_start=_lead_is_tier_2(database))
    red = _to_red(g)
    g.step(60)
    assert g.sim.dialled == [], "no call before after_minutes (2)"
    g.step(61)
    g.until(lambda: g.sim.dialled, what="a call to tier 1")
    (call,) = g.sim.dialled
    assert call.number == HEAD and call.ended_at is None
    g.step(20)
    assert g.sim.dialled[0].ended_at is None, "still ringing at 20 s"
    g.until(lambda: g.sim.dialled[0].ended_at is not None, advance=5, what="hung up after ring_seconds")
    assert g.sim.dialled[0].ended_by == "hang-up"
    assert calls(red.id)[0][:2] == ("call-dialled", "Head Teacher")
    assert calls(red.id)[1][0] == "call-ended" and "no answer" in calls(red.id)[1][2]
    assert all(c.number == HEAD for c in g.sim.dialled), "tier 2 not told yet: never rung"


def test_ack_by_key_press_on_an_answered_call(start_gateway, database):
    g = start_gateway(before_start=_lead_is_tier_2(database))
    g.sim.script_call(HEAD, answer_after=8, key="1")
    red = _to_red(g)
    g.clock.advance(minutes=2, seconds=1)
    g.until(lambda: g.sim.dialled, what="call")
    g.until(lambda: Alarm.get_by_id(red.id).owner_id is not None, advance=2, what="key 1 took charge")
    assert Alarm.get_by_id(red.id).owner.mobile == HEAD
    assert any("key 1: took charge" in (c[2] or "") for c in calls(red.id))
    g.until(lambda: len(g.sent_to(HEAD)) == 2, what="the ACK reply by text")
    for _ in range(12):
        g.step(5 * 60)  # an hour: no more calls, no tier 2
    assert len(g.sim.dialled) == 1 and g.sent_to(LEAD) == []


def test_voicemail_answered_without_a_key_is_not_an_ack(start_gateway, database):
    g = start_gateway(before_start=_lead_is_tier_2(database))
    g.sim.script_call(HEAD, answer_after=5)
    red = _to_red(g)
    g.clock.advance(minutes=2, seconds=1)
    g.until(lambda: g.sim.dialled, what="call")
    g.until(lambda: len(calls(red.id)) == 2, advance=5, what="call over")
    assert calls(red.id)[1][2] == "answered, no key"
    assert Alarm.get_by_id(red.id).owner_id is None


def test_ack_by_text_stops_calls(start_gateway, database):
    g = start_gateway(before_start=_lead_is_tier_2(database))
    red = _to_red(g)
    g.clock.advance(minutes=2, seconds=1)
    g.until(lambda: g.sim.dialled, what="first call")
    g.until(lambda: g.sim.dialled[0].ended_at is not None, advance=5, what="first call over")
    g.sim.inject_sms(HEAD, "ACK")
    g.until(lambda: Alarm.get_by_id(red.id).owner_id is not None, what="ACK by text")
    for _ in range(12):
        g.step(5 * 60)
    assert len(g.sim.dialled) == 1, "no call after the ACK"


def test_a_text_to_send_during_a_call_goes_first(start_gateway, database):
    g = start_gateway(before_start=_lead_is_tier_2(database))
    red = _to_red(g)
    g.clock.advance(minutes=2, seconds=1)
    g.until(lambda: g.sim.dialled, what="call")
    before = len(g.sent_to(BEN))
    g.sim.inject_sms(BEN, "OK")  # a check-in: its reply is a text to send
    g.until(lambda: len(g.sent_to(BEN)) > before, what="reply sent")
    assert g.sim.dialled[0].ended_at is not None, "the call was cut short for the text"
    assert any("a text to send first" in (c[2] or "") for c in calls(red.id))
    assert Message.select().where((Message.number == BEN) & (Message.direction == "out")
                                  & (Message.state == "queued")).count() == 0


def test_tier_2_is_rung_once_told_and_a_member_of_the_visit_never(start_gateway, database):
    def hook():
        _lead_is_tier_2(database)()
        db = open_database(database)  # Ann is an alert receiver too, and out on the visit in alarm
        Staff.update(receives_alerts=True).where(Staff.mobile == ANN).execute()
        db.close()
    g = start_gateway(before_start=hook)
    red = _to_red(g)
    g.clock.advance(minutes=5)
    g.until(lambda: g.sent_to(LEAD), what="tier 2 told")
    g.until(lambda: any(c.number == LEAD for c in g.sim.dialled), advance=5, what="tier 2 rung")
    for _ in range(6):
        g.step(5 * 60)
    assert {c.number for c in g.sim.dialled} == {HEAD, LEAD}
    assert ANN not in {c.number for c in g.sim.dialled}
    assert len({c.number for c in g.sim.dialled}) == 2 and red.id


def test_a_missed_call_check_in_during_a_call_is_not_lost(start_gateway, database):
    from kiosk.store.models import Event

    g = start_gateway(before_start=_lead_is_tier_2(database))
    _to_red(g)
    g.clock.advance(minutes=2, seconds=1)
    g.until(lambda: g.sim.dialled, what="call")
    before = Visit.get_by_id(g.ids["visit:Ben Ode"]).last_contact_at
    g.sim.ring(BEN)
    g.until(lambda: Event.select().where(Event.kind == "call-contact").exists(), what="check-in counted")
    assert Visit.get_by_id(g.ids["visit:Ben Ode"]).last_contact_at != before
    assert g.sim.dialled[0].ended_at is None, "our call was not hung up by the check-in"


def test_calls_are_in_alerted_on_the_alarm_view_and_in_the_export(start_gateway, database):
    from kiosk.ops.export import to_json, visit_record
    from kiosk.screens.alarm import alarm_text
    from kiosk.services.board_view import alarm_detail

    g = start_gateway(before_start=_lead_is_tier_2(database))
    red = _to_red(g)
    g.clock.advance(minutes=2, seconds=1)
    g.until(lambda: len(calls(red.id)) == 2, advance=5, what="one call over")
    detail = alarm_detail(g.ctx, red.id)
    assert [(a.who, a.how) for a in detail.alerted] == [("Head Teacher", "sms"), ("Head Teacher", "call")]
    assert "Head Teacher (call " in alarm_text(detail, g.clock.now(), g.ctx.tz, full=True).plain
    exported = to_json([visit_record(g.ctx, g.ids["visit:Ann Lee"])])
    assert "call-dialled" in exported and "call-ended" in exported and "no answer" in exported


def test_busy_is_recorded_and_an_action_at_reception_stops_the_calls(start_gateway, database):
    from kiosk.services import acknowledge

    g = start_gateway(before_start=_lead_is_tier_2(database))
    g.sim.script_call(HEAD, ending="BUSY")
    red = _to_red(g)
    g.clock.advance(minutes=2, seconds=1)
    g.until(lambda: len(calls(red.id)) == 2, advance=1, what="busy call over")
    assert calls(red.id)[1][2].startswith("not answered: ended by the network")
    acknowledge(g.ctx, red.id, by="RC", action="no-answer")  # reception acts: it stops the calls too
    for _ in range(6):
        g.step(5 * 60)
    assert len(g.sim.dialled) == 1
    assert g.sent_to(LEAD) == [], "nor does the alarm climb to tier 2"
