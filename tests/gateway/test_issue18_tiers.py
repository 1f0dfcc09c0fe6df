"""Issue 18, tiers of alert receivers: end to end over the real driver and the simulated modem (pty).

The Head Teacher is tier 1, the Safeguarding Lead tier 2. A red no-reply texts tier 1 at once,
tier 2 when nobody has taken charge [ladder] tier_minutes (5) later; duress tells every tier at
once; an ACK stops the climb; a restart tells nobody twice. The clock is moved, never waited on.
"""

from __future__ import annotations

from kiosk.services import alarms as alarm_service
from kiosk.store import open_database
from kiosk.store.models import Alarm, Staff, Visit
from tests.gateway.test_service import ANN, HEAD, LEAD, alarms


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


def test_tier_1_at_once_then_tier_2_by_the_clock_and_ack_stops_the_climb(start_gateway, database):
    g = start_gateway(before_start=_lead_is_tier_2(database))
    _to_red(g)
    for _ in range(3):
        g.step(60)  # 3 minutes: still inside tier_minutes
    assert g.sent_to(LEAD) == [], "tier 2 is not told before tier_minutes"
    g.clock.advance(minutes=2)
    g.until(lambda: g.sent_to(LEAD), what="tier 2 texted after tier_minutes")
    red = alarms(level="red")[0]
    assert red.alert_tier == 2
    assert "no reply" in g.sent_to(LEAD)[0].lower() or "ann lee" in g.sent_to(LEAD)[0].lower()
    for _ in range(5):
        g.step(1)
    assert len(g.sent_to(LEAD)) == 1 and len(g.sent_to(HEAD)) == 1, "nobody told twice"
    g.sim.inject_sms(LEAD, "ACK")
    g.until(lambda: len(g.sent_to(HEAD)) == 2, what="tier 1 told who has it")
    assert "Safeguarding" in g.sent_to(HEAD)[1] or "Lead" in g.sent_to(HEAD)[1]
    assert Alarm.get_by_id(red.id).owner.mobile == LEAD


def test_ack_by_tier_1_stops_the_climb(start_gateway, database):
    g = start_gateway(before_start=_lead_is_tier_2(database))
    _to_red(g)
    g.sim.inject_sms(HEAD, "ACK")
    g.until(lambda: len(g.sent_to(HEAD)) == 2, what="ACK answered")
    for _ in range(4):
        g.step(5 * 60)  # 20 minutes: tier 2 would have been told 4 times over
    assert g.sent_to(LEAD) == [], "tier 2 never told once tier 1 took charge"
    assert not alarm_service.nobody_in_charge(g.ctx, alarms(level="red")[0])


def test_duress_tells_every_tier_at_once(start_gateway, database):
    g = start_gateway(before_start=_lead_is_tier_2(database))
    g.sim.inject_sms(ANN, "Running late, bluebird")
    g.until(lambda: g.sent_to(HEAD) and g.sent_to(LEAD), what="every tier texted")
    assert alarms(kind="duress")[0].alert_tier == 2


def test_every_tier_told_and_nobody_in_charge_says_call_999(start_gateway, database):
    g = start_gateway(before_start=_lead_is_tier_2(database))
    _to_red(g)
    g.clock.advance(minutes=5)
    g.until(lambda: g.sent_to(LEAD), what="tier 2")
    red = alarms(level="red")[0]
    assert not alarm_service.nobody_in_charge(g.ctx, red)
    g.clock.advance(minutes=5)
    assert alarm_service.nobody_in_charge(g.ctx, Alarm.get_by_id(red.id))


def test_the_alarm_view_and_alarms_json_say_who_was_told_and_when_nobody_has_it(start_gateway, database):
    from kiosk.screens.alarm import alarm_text
    from kiosk.services.board_view import alarm_detail

    g = start_gateway(before_start=_lead_is_tier_2(database))
    _to_red(g)
    g.clock.advance(minutes=5)
    g.until(lambda: g.sent_to(LEAD), what="tier 2")
    red = alarms(level="red")[0]
    detail = alarm_detail(g.ctx, red.id)
    assert [(a.who, a.tier, a.how) for a in detail.alerted if a.how == "sms"] == [
        ("Head Teacher", 1, "sms"), ("Safeguarding Lead", 2, "sms")]
    view = alarm_text(detail, g.clock.now(), g.ctx.tz, full=True).plain
    assert "tier 1 Head Teacher (text" in view and "tier 2 Safeguarding Lead (text" in view
    assert "CALL 999" not in view
    g.clock.advance(minutes=5)
    view = alarm_text(alarm_detail(g.ctx, red.id), g.clock.now(), g.ctx.tz, full=True).plain
    assert "NOBODY HAS TAKEN CHARGE: CALL 999 NOW" in view
