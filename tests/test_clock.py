from datetime import timedelta

import pytest

from kiosk.clock import FrozenClock, StartedClock, SystemClock, clock_from_env, format_instant, parse_instant


def test_fake_clock_moves_only_when_told(clock):
    start = clock.now()
    m0 = clock.monotonic()
    assert clock.now() == start
    clock.advance(minutes=15)
    assert clock.now() - start == timedelta(minutes=15)
    assert clock.monotonic() - m0 == pytest.approx(900)


def test_set_jumps_wall_clock_not_monotonic(clock):
    m0 = clock.monotonic()
    clock.set("1970-01-01T00:00:00+00:00")
    assert clock.now().year == 1970
    assert clock.monotonic() == m0


def test_kiosk_now_requires_offset():
    with pytest.raises(ValueError, match="offset"):
        parse_instant("2026-11-24T15:45:00")
    with pytest.raises(ValueError):
        parse_instant("tomorrow")


def test_clock_from_env():
    assert isinstance(clock_from_env({}), SystemClock)
    frozen = clock_from_env({"KIOSK_NOW": "2026-11-24T15:45:00+00:00"})
    assert isinstance(frozen, FrozenClock)
    assert format_instant(frozen.now()) == "2026-11-24T15:45:00+00:00"
    started = clock_from_env({"KIOSK_NOW": "2026-11-24T15:45:00Z"}, long_running=True)
    assert isinstance(started, StartedClock)
    assert started.now() >= frozen.now()


def test_format_instant_is_utc_seconds():
    assert format_instant(parse_instant("2026-06-01T10:00:00.123+01:00")) == "2026-06-01T09:00:00+00:00"
    assert format_instant(None) is None
