"""The scheduler loop survives what plain `schedule` does not: clock jumps and failing jobs.

Issue 4: "a -12 h jump stopped an every-15-s job" with plain schedule; here it must not.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from kiosk.clock import FakeClock
from kiosk.gateway.loop import JobSpec, Loop


def drive(loop: Loop, clock: FakeClock, seconds: float, step: float = 1.0) -> None:
    """Advance the fake clock in small steps, stepping the loop as run() would."""
    elapsed = 0.0
    while elapsed < seconds:
        clock.advance(step)
        elapsed += step
        loop.step()


def test_interval_job_runs_every_period(clock):
    runs: list[datetime] = []
    loop = Loop(clock, [JobSpec("tick", lambda: runs.append(clock.now()), every_seconds=15)])
    loop.step()
    assert runs == []
    drive(loop, clock, 60)
    assert len(runs) == 4
    assert [b - a for a, b in zip(runs, runs[1:])] == [timedelta(seconds=15)] * 3


def test_run_at_start_runs_on_first_step(clock):
    runs: list[datetime] = []
    loop = Loop(clock, [JobSpec("tick", lambda: runs.append(clock.now()), every_seconds=15,
                                run_at_start=True)])
    loop.step()
    assert runs == [clock.now()]


def test_clock_set_back_twelve_hours_does_not_stall_the_tick(clock):
    runs: list[datetime] = []
    jumps = []
    loop = Loop(clock, [JobSpec("tick", lambda: runs.append(clock.now()), every_seconds=15)],
                on_jump=jumps.append)
    drive(loop, clock, 30)
    assert len(runs) == 2
    clock.set(clock.now() - timedelta(hours=12))
    loop.step()
    drive(loop, clock, 60)
    assert len(runs) == 6, "the tick kept running every 15 s after the clock went back"
    assert len(jumps) == 1 and jumps[0].seconds == pytest.approx(-12 * 3600, abs=2)
    assert loop.jumps == jumps


def test_clock_jump_forward_one_hour_fires_no_storm(clock):
    runs: list[datetime] = []
    jumps = []
    loop = Loop(clock, [JobSpec("tick", lambda: runs.append(clock.now()), every_seconds=15)],
                on_jump=jumps.append)
    drive(loop, clock, 30)
    before = len(runs)
    clock.set(clock.now() + timedelta(hours=1))
    loop.step()
    loop.step()
    assert len(runs) - before <= 1, "no catch-up storm of 240 ticks"
    drive(loop, clock, 30)
    assert len(runs) - before in (2, 3)
    assert jumps and jumps[0].seconds == pytest.approx(3600, abs=2)


def test_small_drift_is_not_a_jump(clock):
    jumps = []
    loop = Loop(clock, [JobSpec("tick", lambda: None, every_seconds=15)], on_jump=jumps.append)
    loop.step()
    clock.set(clock.now() + timedelta(seconds=10))
    loop.step()
    assert jumps == []


def test_raising_job_is_logged_retried_next_period_and_loop_survives(clock, caplog):
    calls: list[datetime] = []
    errors = []
    other: list[datetime] = []

    def flaky():
        calls.append(clock.now())
        if len(calls) < 3:
            raise RuntimeError("database is locked")

    loop = Loop(clock, [JobSpec("tick", flaky, every_seconds=15),
                        JobSpec("health", lambda: other.append(clock.now()), every_seconds=15)],
                on_error=lambda name, exc: errors.append((name, str(exc))))
    drive(loop, clock, 60)
    assert len(calls) == 4, "retried each period, not in a tight loop, not abandoned"
    assert errors == [("tick", "database is locked")] * 2
    assert len(other) == 4, "other jobs are unaffected"
    assert "job tick failed" in caplog.text


def test_raising_error_callback_does_not_end_the_loop(clock):
    def bad_callback(name, exc):
        raise ValueError("callback broke")

    def boom():
        raise RuntimeError("x")

    loop = Loop(clock, [JobSpec("tick", boom, every_seconds=1)], on_error=bad_callback)
    drive(loop, clock, 5)  # no exception escapes


def test_daily_job_runs_at_local_time_across_dst(clock):
    """Nightly purge at 03:00 Europe/London: on 29 March 2026 (spring forward) and after."""
    clock.set("2026-03-28T12:00:00+00:00")
    loop = Loop(clock, [JobSpec("purge", lambda: None, daily_at="03:00")])
    assert loop.next_run("purge") == datetime.fromisoformat("2026-03-29T02:00:00+00:00")  # 03:00 BST
    clock.set("2026-03-29T02:00:01+00:00")
    loop.step()
    assert loop.next_run("purge") == datetime.fromisoformat("2026-03-30T02:00:00+00:00")
    clock.set("2026-11-24T14:00:00+00:00")
    loop.step()  # a jump: rescheduled from the new now
    assert loop.next_run("purge") == datetime.fromisoformat("2026-11-25T03:00:00+00:00")  # 03:00 GMT


def test_daily_job_runs_once_per_day(clock):
    runs = []
    loop = Loop(clock, [JobSpec("purge", lambda: runs.append(clock.now()), daily_at="03:00")])
    drive(loop, clock, 3 * 24 * 3600, step=600)
    assert len(runs) == 3
    assert all(r.hour == 3 and r.minute < 10 for r in runs)


def test_queued_calls_run_on_the_loop_and_survive_errors(clock):
    seen = []
    loop = Loop(clock, [])
    loop.call_soon(lambda: 1 / 0, "bad")
    loop.call_soon(lambda: seen.append("event"), "event")
    loop.step()
    assert seen == ["event"]


def test_run_returns_after_stop_from_another_thread(clock):
    import threading

    loop = Loop(clock, [JobSpec("tick", lambda: None, every_seconds=15)], max_wait=0.05)
    thread = threading.Thread(target=loop.run)
    thread.start()
    done = threading.Event()
    loop.call_soon(done.set, "nudge")
    assert done.wait(2)
    loop.stop()
    thread.join(2)
    assert not thread.is_alive()


def test_job_spec_validation():
    with pytest.raises(ValueError):
        JobSpec("x", lambda: None)
    with pytest.raises(ValueError):
        JobSpec("x", lambda: None, every_seconds=5, daily_at="03:00")
    with pytest.raises(ValueError):
        JobSpec("x", lambda: None, every_seconds=0)
