"""The reset ladder as a rule: what counts as trouble, one rung at a time, reset when healthy."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from kiosk.domain import watchdog as W

T0 = datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc)
S = W.Settings(reregister=timedelta(minutes=5), settle=timedelta(seconds=30), grace=timedelta(seconds=90))


def test_what_is_trouble():
    ok = W.Facts(connected=True, port_present=True, registration="home")
    assert W.trouble(ok, T0, S) is None
    assert W.trouble(W.Facts(False, True), T0, S) == "modem does not answer"
    assert W.trouble(W.Facts(False, False), T0, S) is None, "unplugged: the board says so, no ladder"
    assert W.trouble(W.Facts(True, True, send_failures=3), T0, S) == "3 sends failed in a row"
    assert W.trouble(W.Facts(True, True, send_failures=2), T0, S) is None
    off = W.Facts(True, True, "not registered", off_network_since=T0)
    assert W.trouble(off, T0 + timedelta(minutes=4, seconds=59), S) is None
    assert W.trouble(off, T0 + timedelta(minutes=5), S) == "off the network for 5 min (not registered)"


def test_climbs_one_rung_at_a_time_after_settle_and_grace():
    state, climbed, now = W.State(), [], T0
    for _ in range(60):
        state, rung = W.decide(state, "modem does not answer", now, S)
        if rung:
            climbed.append((rung, int((now - T0).total_seconds())))
        now += timedelta(seconds=10)
    assert climbed == [("radio", 30), ("restart", 120), ("reopen", 210), ("usb", 300), ("exit", 390)]


def test_unavailable_rungs_are_passed_over_and_health_resets_the_ladder():
    state, rung = W.decide(W.State(), "x", T0, S, frozenset({"radio", "restart", "reopen", "exit"}))
    state, rung = W.decide(state, "x", T0 + timedelta(seconds=30), S, frozenset({"reopen", "exit"}))
    assert rung == "reopen"
    state, rung = W.decide(state, "x", T0 + timedelta(seconds=200), S, frozenset({"reopen", "exit"}))
    assert rung == "exit"
    state, rung = W.decide(state, None, T0 + timedelta(seconds=210), S)
    assert state == W.State() and rung is None
