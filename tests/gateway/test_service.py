"""The gateway in-process, on a FakeClock, over the real driver and a simulated modem on a pty.

The ladder is driven by moving the clock (a real process would take 15+ minutes); everything the
gateway does with the modem is real AT traffic over the pseudo-terminal.
"""

from __future__ import annotations

from datetime import timedelta

from kiosk.services import acknowledge
from kiosk.store.models import Alarm, Event, GatewayHealth, Message, Visit

ANN, BEN = "+447700900001", "+447700900002"
HEAD, LEAD = "+447700900100", "+447700900101"


def alarms(**where):
    q = Alarm.select()
    for key, value in where.items():
        q = q.where(getattr(Alarm, key) == value)
    return list(q.order_by(Alarm.id))


def test_check_in_by_sms_is_stored_processed_and_answered(start_gateway):
    g = start_gateway()
    g.sim.inject_sms(ANN, "OK")
    g.until(lambda: g.sent_to(ANN), what="reply")
    assert g.sent_to(ANN)[0].startswith("Check-in noted")
    msgs = list(Message.select().where(Message.direction == "in"))
    assert [(m.number, m.state) for m in msgs] == [(ANN, "processed")]
    assert g.sim.stored() == {}, "deleted from the SIM once stored"
    g.until(lambda: Message.get(Message.direction == "out").state == "sent", what="sent")


def test_overdue_reminder_red_alerts_ack_and_others_told(start_gateway):
    """St Nicholas: 'if the member of staff cannot be reached ... inform the Head'. Amber at due-back,
    a reminder to the member, red after the reply window, every alert receiver texted, ACK by one
    tells the other."""
    g = start_gateway()
    visit = Visit.get_by_id(g.ids["visit:Ann Lee"])
    g.clock.advance((visit.due_back - g.clock.now()).total_seconds() + 1)
    g.until(lambda: alarms(level="amber"), what="amber")
    g.until(lambda: g.sent_to(ANN), what="reminder")
    assert "due back" in g.sent_to(ANN)[0]
    assert not alarms(level="red")
    g.clock.advance(minutes=15, seconds=1)
    g.until(lambda: alarms(level="red"), what="red")
    g.until(lambda: g.sent_to(HEAD) and g.sent_to(LEAD), what="alerts to every receiver")
    assert len(g.sent_to(HEAD)) == 1 and len(g.sent_to(LEAD)) == 1
    for _ in range(5):  # more ticks: alerts are not repeated every tick
        g.step(15)
    assert len(g.sent_to(HEAD)) == 1
    g.sim.inject_sms(HEAD, "ACK")
    g.until(lambda: len(g.sent_to(LEAD)) == 2 and len(g.sent_to(HEAD)) == 2, what="ack reply and others told")
    red = alarms(level="red")[0]
    assert red.owner.name == "Head Teacher"
    assert "Head Teacher" in g.sent_to(LEAD)[1]


def test_duress_code_word_in_first_part_raises_red_before_the_second_part(start_gateway):
    """The code word arrives in part 1 of a long text; part 2 is late: red at once, one message,
    one normal reply, no code word stored."""
    g = start_gateway()
    text = "Running a bit late here, bluebird, all fine otherwise. " + "Will text again when I leave. " * 4
    pdus = g.sim.inject_sms(ANN, text, drop_parts=(1,))
    assert len(pdus) == 2
    g.until(lambda: alarms(kind="duress"), what="duress from part 1")
    assert not Message.select().where(Message.text.contains("bluebird")).exists()
    g.until(lambda: g.sent_to(ANN), what="covert reply")
    from kiosk.devices.pdu import decode_pdu
    g.sim.inject_pdu(pdus[1])
    g.until(lambda: Message.select().where((Message.direction == "in") & Message.text.contains("leave")).exists(),
            what="whole text recorded")
    for _ in range(3):
        g.step(1)
    assert len(alarms(kind="duress")) == 1
    assert Message.select().where(Message.direction == "in").count() == 1
    assert len(g.sent_to(ANN)) == 1
    assert not Message.select().where(Message.text.contains("bluebird")).exists()
    assert decode_pdu(pdus[1]).concat.seq == 2


def test_missed_call_from_amber_visit_clears_amber_and_is_hung_up(start_gateway):
    g = start_gateway()
    visit = Visit.get_by_id(g.ids["visit:Ann Lee"])
    g.clock.advance((visit.due_back - g.clock.now()).total_seconds() + 1)
    g.until(lambda: alarms(level="amber"), what="amber")
    call = g.sim.ring(ANN)
    g.until(lambda: call.hung_up, timeout=1.0, what="hung up within a second")
    g.until(lambda: alarms(level="amber")[0].resolved_at is not None, what="amber cleared by the call")
    assert Event.select().where(Event.kind == "call-contact").count() == 1
    assert Visit.get_by_id(visit.id).ended_at is None, "a call is never BACK"
    replies_before = len(g.sent_to(ANN))
    call2 = g.sim.ring(ANN)  # a second ring within the minute counts once
    g.until(lambda: call2.hung_up, timeout=3, what="second hang-up")
    g.step(1)
    assert Event.select().where(Event.kind == "call-contact").count() == 1
    assert len(g.sent_to(ANN)) == replies_before, "no SMS back by default (the point is cost)"


def test_missed_call_during_red_leaves_red_and_withheld_changes_nothing(start_gateway):
    g = start_gateway()
    g.sim.inject_sms(ANN, "SOS")
    g.until(lambda: alarms(kind="sos"), what="sos")
    call = g.sim.ring(ANN)
    g.until(lambda: call.hung_up, timeout=3, what="hung up")
    g.until(lambda: Event.select().where(Event.kind == "call-contact").exists(), what="call counted")
    assert alarms(kind="sos")[0].resolved_at is None
    before = Visit.get_by_id(g.ids["visit:Ben Ode"]).last_contact_at
    hidden = g.sim.ring(None)
    g.until(lambda: hidden.hung_up, timeout=3, what="withheld hung up")
    g.until(lambda: Event.select().where(Event.kind == "call-ignored").exists(), what="withheld logged")
    assert Visit.get_by_id(g.ids["visit:Ben Ode"]).last_contact_at == before


def test_permanent_send_error_fails_the_message_and_raises_send_failed(start_gateway):
    g = start_gateway()
    g.sim.fail_next_send(28)  # unidentified subscriber: not worth retrying
    g.sim.inject_sms(ANN, "OK")
    g.until(lambda: alarms(kind="send-failed"), what="send-failed alarm")
    assert Message.get(Message.direction == "out").state == "failed"


def test_delivery_report_marks_delivered(start_gateway):
    g = start_gateway()
    g.sim.inject_sms(ANN, "OK")
    g.until(lambda: g.sim.sent, what="reply")
    out = g.until(lambda: Message.get_or_none((Message.direction == "out") & (Message.state == "sent")), what="sent")
    g.sim.inject_report(out.modem_ref, status=0)
    g.until(lambda: Message.get_by_id(out.id).state == "delivered", what="delivered")


def test_health_row_heartbeat_and_modem_status(start_gateway):
    from kiosk.domain.link import link_state

    g = start_gateway()
    row = GatewayHealth.get_by_id(1)
    assert row.modem_connected and row.heartbeat_at == g.clock.now()
    assert row.operator and row.signal_bars > 0
    assert link_state(row, g.clock.now(), 90).up
    g.clock.advance(200)
    assert not link_state(GatewayHealth.get_by_id(1), g.clock.now(), 90).up
    g.step(0)
    assert link_state(GatewayHealth.get_by_id(1), g.clock.now(), 90).up


def test_clock_jump_forward_that_the_network_confirms_neither_storms_nor_misses(start_gateway):
    """NTP steps the clock 2.5 hours on and the network's time agrees: Ann (due at +2 h) goes amber
    once and gets one reminder; Ben (+3 h) and Cat (+4 h) do not; the jump is recorded."""
    g = start_gateway()
    g.clock.set(g.clock.now() + timedelta(hours=2, minutes=30))
    for _ in range(8):
        g.step(1)  # the health job re-reads the network time
    g.until(lambda: alarms(level="amber") and g.sim.sent, what="one amber and its reminder")
    for _ in range(20):
        g.step(15)
    assert [a.visit_id for a in alarms(level="amber")] == [g.ids["visit:Ann Lee"]]
    assert [s.number for s in g.sim.sent] == [ANN]
    jumps = list(Event.select().where(Event.kind == "clock-jump"))
    assert len(jumps) == 1 and "+9000 s" in jumps[0].summary


def test_system_clock_off_the_network_time_is_not_followed_and_the_board_says_so(start_gateway):
    """The network says 14:00; the system clock jumps an hour on: the ladder keeps the network's
    time (no early alarm) and the health row carries the warning the board shows."""
    g = start_gateway()
    g.sim.inject_network_time(g.clock.now())
    g.until(lambda: g.gateway.modem.network_time() is not None, what="NITZ seen")
    g.clock.set(g.clock.now() + timedelta(hours=2, minutes=30))
    for _ in range(8):
        g.step(1)
    assert alarms() == []
    assert g.ctx.now() < g.clock.now() - timedelta(hours=2)
    row = GatewayHealth.get_by_id(1)
    assert row.clock_source == "network" and "off network time" in row.clock_warning


def test_clock_set_back_an_hour_keeps_time_and_ticks(start_gateway):
    g = start_gateway()
    before = g.ctx.now()
    g.clock.set(before - timedelta(hours=1))
    g.step(1)
    assert g.ctx.now() >= before, "now is never earlier than what is already stored"
    visit = Visit.get_by_id(g.ids["visit:Ann Lee"])
    g.clock.advance(hours=2, seconds=1)  # the system clock is still an hour behind: due-back passed by ours
    g.until(lambda: alarms(level="amber"), what="amber on the guarded clock")
    assert g.ctx.now() > visit.due_back
    row = GatewayHealth.get_by_id(1)
    assert row.clock_source == "floor" and "behind stored times" in row.clock_warning


def test_boot_at_1970_neither_storms_nor_misses(start_gateway, clock):
    """A Pi without a clock battery boots at 1970. Until the network gives the time, 'now' runs on
    from the newest stored time (nothing fires); with the network's 16:30, Ann (due 16:00) goes
    amber once, Ben (17:00) and Cat (18:00) stay quiet; red follows 15 minutes later, once."""
    from kiosk.clock import FakeClock

    pi = FakeClock("1970-01-01T00:00:05+00:00")
    g = start_gateway(base_clock=pi, before_start=lambda: clock.advance(hours=2, minutes=30))
    assert g.ctx.now().year == 2026
    g.until(lambda: alarms(level="amber"), what="amber once the network time is known")
    assert g.ctx.now() >= clock.now() - timedelta(seconds=5)
    for _ in range(10):
        clock.advance(15)  # the network's time and the Pi's monotonic clock move together
        g.step(15)
    assert [(a.visit_id, a.level) for a in alarms()] == [(g.ids["visit:Ann Lee"], "amber")]
    assert [s.number for s in g.sim.sent] == [ANN]
    row = GatewayHealth.get_by_id(1)
    assert row.clock_source == "network" and "not synchronised" in row.clock_warning
    for _ in range(13):
        clock.advance(60)
        g.step(60)
    g.until(lambda: alarms(level="red"), what="red after the reply window")
    assert len(alarms(level="red")) == 1 and len(alarms(level="amber")) == 1


def test_sos_in_the_first_part_acts_before_the_rest_arrives(start_gateway):
    g = start_gateway()
    text = "HELP man at the door shouting, I am in the kitchen. " + "Please send someone now. " * 5
    g.sim.inject_sms(CAT := "+447700900003", text, drop_parts=(1,))
    g.until(lambda: alarms(kind="sos"), what="SOS from part 1")
    g.until(lambda: g.sent_to(CAT), what="SOS confirmation")
    assert "Alarm raised" in g.sent_to(CAT)[0]


def test_incomplete_multi_part_message_is_stored_and_processed_after_the_timeout(start_gateway):
    """The last part never comes (gammu #19): after 10 minutes the parts that came are one message."""
    g = start_gateway()
    g.sim.inject_sms(ANN, "Arrived fine, parents calm, staying a bit longer. " + "More detail follows. " * 6,
                     drop_parts=(1,))
    g.step(1)
    g.until(lambda: g.sim.stored() == {}, what="part 1 stored and deleted from the SIM")
    assert Message.select().where(Message.direction == "in").count() == 0, "waiting for the rest"
    for _ in range(11):
        g.step(60)
    msg = g.until(lambda: Message.get_or_none(Message.direction == "in"), what="incomplete message stored")
    assert msg.text.startswith("Arrived fine") and msg.text.endswith("…")
    g.until(lambda: Message.get_by_id(msg.id).state == "processed" and g.sent_to(ANN), what="processed, answered")


def test_a_message_left_sending_by_a_crash_is_sent_again_at_start(database, simulator, clock):
    from kiosk.services import outbox as ob
    from kiosk.services.context import Context
    from kiosk.store import open_database
    from tests.gateway.conftest import InProcess
    from tests.gateway.harness import make_config

    def leave_one_sending():
        db = open_database(database)
        ctx = Context(make_config(), clock)
        msg = ob.queue(ctx, HEAD, "Alert that was being sent when the power went", "alert")
        assert ob.mark_sending(ctx, msg.id)
        db.close()

    g = InProcess(database, simulator, clock, before_start=leave_one_sending)
    try:
        g.until(lambda: g.sent_to(HEAD), what="re-sent")
        assert g.sent_to(HEAD) == ["Alert that was being sent when the power went"]
        assert Message.get(Message.direction == "out").state == "sent"
    finally:
        g.close()


def test_siren_plays_while_red_is_unacknowledged_and_stops_on_ack(tmp_path, start_gateway):
    """The alarm you can hear: a stand-in player logs each play; kiosk acknowledgement silences it."""
    import sys

    from tests.gateway.harness import make_config

    plays = tmp_path / "plays.log"
    player = tmp_path / "player.py"
    player.write_text("import sys, time\nopen(sys.argv[1], 'a').write(sys.argv[-1].rsplit('/', 1)[-1] + '\\n')\n"
                      "time.sleep(0.2)\n")
    config = make_config(sound={"enabled": True, "command": f"{sys.executable} {player} {plays}"})
    g = start_gateway(config=config)
    assert g.gateway.player is not None
    g.sim.inject_sms(ANN, "SOS")
    g.until(lambda: plays.exists() and plays.read_text().count("siren.wav") >= 2, advance=0.1,
            what="siren, played again when it ends")
    red = alarms(kind="sos")[0]
    acknowledge(g.ctx, red.id, by="AB", action="no-answer", actor="kiosk")
    g.step(1)
    assert not g.gateway.player.siren_playing
    count = plays.read_text().count("siren.wav")
    for _ in range(5):
        g.step(1)
    import time
    time.sleep(0.3)
    g.step(1)
    assert plays.read_text().count("siren.wav") == count, "silent once acknowledged at the kiosk"


def test_missed_call_confirms_by_sms_when_the_config_says_so(start_gateway):
    from tests.gateway.harness import make_config

    g = start_gateway(config=make_config(gateway={"call_confirm_sms": True}))
    call = g.sim.ring(ANN)
    g.until(lambda: call.hung_up, timeout=1.0, what="hung up")
    g.until(lambda: g.sent_to(ANN), what="confirmation text")
    assert g.sent_to(ANN)[0].startswith("Call received, checked in.")


def test_garbage_on_the_line_and_an_undecodable_sms_change_nothing_and_the_gateway_goes_on(start_gateway):
    """Line noise and a stored SMS that cannot be decoded: kept as an undecodable message (issue 14
    item 15), removed from the SIM, and the next real text is handled as usual."""
    g = start_gateway()
    g.sim.inject_garbage()
    g.sim.inject_pdu("0791447758100650040C9144779000000100")  # cut off in the middle of its header
    g.step(1)
    g.until(lambda: Event.select().where(Event.kind == "sms-undecodable").exists(), advance=5,
            what="undecodable SMS recorded")
    assert [(m.state, m.text) for m in Message.select()] == [("undecodable", "0791447758100650040C9144779000000100")]
    g.sim.inject_sms(ANN, "OK")
    g.until(lambda: g.sent_to(ANN), what="the next text is answered")
    assert g.sim.stored() == {}
