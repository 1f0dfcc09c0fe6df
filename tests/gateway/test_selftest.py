"""The loop-back self-test end to end: the real gateway and driver over a pty to kiosk's simulator.

The simulator records what the modem sent; the test plays the network: it hands the text back
(loops back), swallows it (credit ran out), or hands it back late. The clock is the test's."""

from __future__ import annotations

from kiosk.devices.modem import Modem
from kiosk.domain import selftest as S
from kiosk.domain.link import link_state
from kiosk.ops import doctor
from kiosk.services import selftest
from kiosk.store.models import Event, GatewayHealth, Message, SelfTest
from tests.gateway.harness import make_config

OWN = "+447700900999"


class Chimes:
    """A stand-in for the SoundPlayer: what the gateway asked it to sound."""

    warning = None

    def __init__(self):
        self.facts = []

    def update(self, facts):
        self.facts.append(list(facts))

    def close(self):
        pass

    def ambers(self):
        return {f.id for batch in self.facts for f in batch if f.level == "amber"}


def gateway(start_gateway, **selftest_cfg):
    """A gateway that knows its own number: its start-up self-test goes out and comes back."""
    g = start_gateway(config=make_config(modem={"own_number": OWN}, selftest={"enabled": True, **selftest_cfg}))
    g.gateway.player = Chimes()
    g.until(lambda: g.sent_to(OWN), what="the start-up self-test", advance=1)
    assert SelfTest.get_by_id(1).requested_by == "start"
    g.sim.inject_sms(OWN, g.sent_to(OWN)[0])
    g.until(lambda: GatewayHealth.get_by_id(1).selftest_received_at is not None, what="start-up test back",
            advance=1)
    return g


def link(g):
    row = GatewayHealth.get_by_id(1)
    return link_state(row, g.clock.now(), 30, g.ctx.tz)


def asked_and_sent(g):
    """`kiosk selftest` (a request row), then the gateway sends it to the SIM's own number."""
    before = len(g.sent_to(OWN))
    test = selftest.request(g.ctx, by="cli")
    g.until(lambda: len(g.sent_to(OWN)) == before + 1, what="the self-test text sent to the own number", advance=1)
    text = g.sent_to(OWN)[-1]
    assert S.token_in(text) == test.token
    g.until(lambda: Message.get_by_id(SelfTest.get_by_id(test.id).message_id).sent_at is not None,
            what="sent recorded", advance=1)
    g.step(5)
    return test, text


def test_a_self_test_that_loops_back_proves_the_link(start_gateway):
    g = gateway(start_gateway)
    test, text = asked_and_sent(g)
    g.clock.advance(20)
    g.sim.inject_sms(OWN, text)  # the network hands it back
    g.until(lambda: GatewayHealth.get_by_id(1).selftest_received_at is not None, what="received recorded",
            advance=1)
    state = link(g)
    assert state.up and state.self_test == f"SMS checked {g.clock.now().astimezone(g.ctx.tz):%H:%M}"
    back = Message.get((Message.direction == "in") & (Message.id == SelfTest.get_by_id(test.id).reply_id))
    assert (back.state, back.kind, back.staff_id) == ("processed", "self-test", None)
    assert SelfTest.get_by_id(test.id).reply_id == back.id
    assert g.sim.stored() == {}, "deleted from the SIM once stored"
    g.step(5)
    assert g.sent_to(OWN)[-1] == text and len(g.sent_to(OWN)) == 2, "never answered"
    assert not Event.select().where(Event.kind.in_(("sms-ignored", "selftest-failed"))).exists()


def test_a_self_test_that_never_comes_back_is_link_down_chimes_and_fails_the_doctor(start_gateway):
    g = gateway(start_gateway, timeout_minutes=10)
    asked_and_sent(g)  # the network swallows it
    g.clock.advance(minutes=9)
    g.step()
    assert link(g).up
    g.clock.advance(minutes=1, seconds=5)
    g.until(lambda: Event.select().where(Event.kind == "selftest-failed").exists(), what="failure noticed", advance=1)
    state = link(g)
    assert not state.up and state.reason.startswith("self-test text not received since ")
    assert state.reason.endswith("check the SIM's credit and signal")
    g.step(1)
    assert any(key < 0 for key in g.gateway.player.ambers()), "a chime at reception"
    checks = {c.name: c for c in doctor.check_heartbeat(doctor.read_health_row(g.db_path), g.clock.now(), 30,
                                                        g.ctx.tz)
              + doctor.check_sms_path(doctor.read_health_row(g.db_path), g.clock.now(), g.config)}
    assert checks["SMS link"].status == doctor.FAIL and checks["SMS link"].detail == state.reason
    assert checks["SMS self-test"].status == doctor.FAIL


def test_a_self_test_that_recovers(start_gateway):
    g = gateway(start_gateway, timeout_minutes=10)
    _, lost = asked_and_sent(g)
    g.clock.advance(minutes=11)
    g.until(lambda: not link(g).up, what="link down", advance=1)
    _, second = asked_and_sent(g)
    assert not link(g).up, "still down while the next self-test is on its way"
    g.sim.inject_sms(OWN, second)  # credit topped up: the next one comes back
    g.until(lambda: link(g).up, what="link up again", advance=1)
    assert link(g).self_test.startswith("SMS checked ")
    g.sim.inject_sms(OWN, lost)  # the first one, very late: recognised, stored, changes nothing
    g.until(lambda: Message.select().where(Message.direction == "in").count() == 3, what="late copy stored", advance=1)
    assert link(g).up and {m.kind for m in Message.select().where(Message.direction == "in")} == {"self-test"}


def test_a_text_from_staff_proves_the_path_after_a_failed_self_test(start_gateway):
    g = gateway(start_gateway, timeout_minutes=10)
    asked_and_sent(g)
    g.clock.advance(minutes=11)
    g.until(lambda: not link(g).up, what="link down", advance=1)
    g.sim.inject_sms("+447700900001", "OK")  # Ann checks in
    g.until(lambda: link(g).up, what="link up on a text from staff", advance=1)


def test_without_an_own_number_the_board_says_not_self_tested(start_gateway, monkeypatch):
    monkeypatch.setattr(Modem, "own_number", lambda self: None)  # a SIM that does not know its number
    g = start_gateway(config=make_config(selftest={"enabled": True}))
    selftest.request(g.ctx, by="cli")
    g.until(lambda: SelfTest.get_by_id(1).note is not None, what="request closed", advance=1)
    g.step(1)
    state = link(g)
    assert state.up and state.self_test.startswith("SMS path not self-tested: no own number")
    assert Message.select().where(Message.direction == "out").count() == 0


def test_the_daily_self_test_is_at_the_configured_local_time(start_gateway):
    g = gateway(start_gateway, at="06:30")
    when = g.gateway.loop.next_run("selftest-daily").astimezone(g.ctx.tz)
    assert (when.hour, when.minute) == (6, 30)
    assert SelfTest.select().where(SelfTest.requested_by == "start").count() == 1  # and one at start



def test_credit_by_ussd_is_shown_and_a_modem_that_cannot_is_a_note_not_a_failure(start_gateway, simulator):
    simulator.ussd_answer = "Your balance is £1.35. Top up now"
    g = start_gateway(config=make_config(modem={"balance_ussd": "*#10#", "balance_warning": 2.0}))
    row = GatewayHealth.get_by_id(1)
    assert (row.credit, row.credit_amount, row.credit_note) == ("£1.35", 1.35, None)
    assert 'AT+CUSD=1,"*#10#",15' in g.sim.commands
    from kiosk.services.sms_health import board_warnings
    assert board_warnings(row, g.config) == ["SIM credit low: £1.35 (top up; texts stop when it runs out)"]
    simulator.ussd_answer = None  # as many 4G modems: AT+CUSD refused
    g.gateway.check_credit()
    row = GatewayHealth.get_by_id(1)
    assert "cannot do USSD" in row.credit_note and row.credit == "£1.35" and link(g).up
