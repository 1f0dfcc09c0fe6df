"""The guarded clock: never before stored facts, never frozen, network time when the system's is wrong."""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.clock import FakeClock
from kiosk.gateway.timeguard import GuardedClock

T = datetime.fromisoformat


def test_follows_a_good_system_clock(clock):
    g = GuardedClock(clock, floor=T("2026-11-24T13:00:00+00:00"))
    assert g.now() == clock.now()
    clock.advance(60)
    assert g.now() == clock.now()
    assert g.state().source == "system" and g.state().warning is None


def test_boot_at_1970_runs_on_from_the_newest_stored_time():
    base = FakeClock("1970-01-01T00:00:10+00:00")
    stored = T("2026-11-24T14:00:00+00:00")
    g = GuardedClock(base, floor=stored)
    assert g.now() == stored
    base.advance(90)
    assert g.now() == stored + timedelta(seconds=90), "time keeps running, at monotonic speed"
    state = g.state()
    assert state.source == "floor" and "behind stored times" in state.warning


def test_network_time_replaces_an_unset_system_clock():
    base = FakeClock("1970-01-01T00:00:10+00:00")
    g = GuardedClock(base, floor=T("2026-11-24T14:00:00+00:00"))
    g.now()
    g.set_network_time(T("2026-11-24T16:00:00+00:00"))
    assert g.now() == T("2026-11-24T16:00:00+00:00")
    base.advance(30)
    assert g.now() == T("2026-11-24T16:00:30+00:00")
    state = g.state()
    assert state.source == "network" and "using network time" in state.warning


def test_clock_set_back_never_moves_now_back(clock):
    g = GuardedClock(clock)
    first = g.now()
    clock.set(first - timedelta(hours=12))
    clock.advance(10)
    assert g.now() == first + timedelta(seconds=10)
    clock.set(first + timedelta(hours=1))
    assert g.now() == first + timedelta(hours=1), "forward jumps are followed"
    assert g.state().source == "system"


def test_raise_floor_moves_now_up_to_a_newer_stored_time(clock):
    g = GuardedClock(clock)
    g.raise_floor(clock.now() + timedelta(minutes=5))
    assert g.now() == clock.now() + timedelta(minutes=5)
    g.raise_floor(clock.now() - timedelta(days=1))  # older floors change nothing
    assert g.now() == clock.now() + timedelta(minutes=5)


def test_skewed_unsynchronised_system_uses_network(clock):
    g = GuardedClock(clock, synchronised=lambda: None)
    g.set_network_time(clock.now() + timedelta(minutes=20))
    assert g.now() == clock.now() + timedelta(minutes=20)
    assert g.state().source == "network"


def test_small_skew_keeps_system_time(clock):
    g = GuardedClock(clock)
    g.set_network_time(clock.now() + timedelta(minutes=2))
    assert g.now() == clock.now()
    assert g.state().warning is None


def test_ntp_synchronised_system_wins_but_the_board_is_warned(clock):
    g = GuardedClock(clock, synchronised=lambda: True)
    g.set_network_time(clock.now() - timedelta(hours=1))
    assert g.now() == clock.now()
    assert "differs" in g.state().warning


def test_unsynchronised_without_network_time_warns(clock):
    g = GuardedClock(clock, synchronised=lambda: False)
    assert g.now() == clock.now()
    assert "not synchronised" in g.state().warning


def test_broken_sync_probe_means_cannot_tell(clock):
    def probe():
        raise OSError("dbus gone")

    g = GuardedClock(clock, synchronised=probe)
    assert g.now() == clock.now() and g.state().warning is None



def test_a_drill_clock_ignores_network_time(clock):
    """KIOSK_NOW sets the time on purpose: the network's time must not override it."""
    g = GuardedClock(clock, use_network=False)
    g.set_network_time(clock.now() + timedelta(hours=3))
    assert g.now() == clock.now() and g.state().source == "system"
