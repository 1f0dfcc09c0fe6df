"""Issue 18: outgoing voice calls, the real driver against kiosk's simulator over a pty.

ATD<number>; then AT+CLCC for its state (ringing, answered, ended), ATH (or the quirk's command) to
end it, +DTMF key presses where the modem reports them (SIM800 AT+DDET=1), BUSY/NO ANSWER ending it.
The simulator's answer is timed by the test clock: the test moves it, never waits for it.
"""

from __future__ import annotations

import pytest

from kiosk.devices.at_commands import outgoing_call_state
from kiosk.devices.errors import CommandError
from kiosk.devices.events import CallEnded, KeyPressed

pytestmark = pytest.mark.pty
HEAD = "+447700900100"


def test_a_call_rings_is_answered_by_the_clock_and_reports_key_1(sim, modem, events, wait, clock):
    assert "AT+DDET=1" in sim.commands, "the SIM800 quirk turns key-press reports on"
    assert modem.reports_keys
    sim.script_call(HEAD, answer_after=12, key="1")
    modem.dial(HEAD)
    assert modem.call_state() == "ringing"
    clock.advance(11)
    assert modem.call_state() == "ringing"
    clock.advance(1)
    assert modem.call_state() == "answered"
    assert wait(lambda: events.of(KeyPressed), what="+DTMF")[0].key == "1"
    modem.hang_up()
    assert modem.call_state() is None
    (call,) = sim.dialled
    assert (call.number, call.ended_by) == (HEAD, "hang-up")


def test_unanswered_call_is_hung_up_and_busy_ends_by_itself(sim, modem, events, wait, clock):
    modem.dial(HEAD)
    clock.advance(30)
    assert modem.call_state() == "ringing"
    modem.hang_up()
    assert modem.call_state() is None and sim.dialled[0].ended_by == "hang-up"
    sim.script_call(HEAD, ending="BUSY")
    modem.dial(HEAD)
    wait(lambda: events.of(CallEnded), what="BUSY as the call's end")
    assert modem.call_state() is None and sim.dialled[1].ended_by == "BUSY"


def test_answered_without_a_key_reports_none(sim, modem, events, wait, clock):
    sim.script_call(HEAD, answer_after=5)  # a voicemail: answers, presses nothing
    modem.dial(HEAD)
    clock.advance(5)
    assert modem.call_state() == "answered"
    modem.hang_up()
    assert not events.of(KeyPressed)


def test_garbage_numbers_are_never_dialled(sim, modem):
    for bad in ("", "123;ATH", "+44 7700", "12a"):
        with pytest.raises(ValueError):
            modem.dial(bad)
    assert not sim.dialled


def test_a_modem_without_voice_refuses_to_dial(sim, modem_factory):
    modem = modem_factory(sim.port, quirks={"can_dial": False})
    with pytest.raises(CommandError):
        modem.dial(HEAD)
    assert not sim.dialled


@pytest.mark.parametrize("lines, state", [
    ([], None), (['+CLCC: 1,0,2,0,0,"+447700900100",145'], "dialling"),
    (['+CLCC: 1,0,3,0,0,"+447700900100",145'], "ringing"), (['+CLCC: 1,0,0,0,0,"+447700900100",145'], "answered"),
    (['+CLCC: 1,1,4,0,0,"+447700900001",145'], None),  # an incoming call is not ours
    (['+CLCC: 1,0,3,1,0,"x",129'], None), (["+CLCC: garbage"], None), (["+CLCC: 1,0,x,0"], None),
])
def test_clcc_states(lines, state):
    assert outgoing_call_state(lines) == state


def test_the_simulator_console_scripts_calls_and_refuses_garbage(sim):
    from kiosk.simulator.console import SimConsole

    console = SimConsole(sim)
    assert console.execute("answer +447700900100 8 1") == "calls to +447700900100 answered, key 1"
    assert console.execute("answer +447700900101") == "calls to +447700900101 answered, no key"
    assert console.execute("busy +447700900102") == "calls to +447700900102 end BUSY"
    for bad in ("answer", "answer +447700900100 x", "answer +447700900100 5 12", "busy", "busy a b"):
        assert console.execute(bad).startswith("usage:"), bad
    assert console.execute("dialled") == "no calls placed"
    assert sim.dialler.scripts["+447700900100"].key == "1"
    assert sim.dialler.scripts["+447700900101"].answer_after == 5.0
