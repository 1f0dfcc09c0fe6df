"""The gateway's scheduler loop: periodic jobs on the injected clock, paced by the monotonic clock.

It must never let a job's exception end the loop, never stall after the wall clock is set back, and
never fire a storm of catch-up runs after it jumps forward. It knows nothing of visits or modems: the
gateway hands it jobs (escalation tick, modem health, stored-message sweep, outbox pump, nightly
purge) and callables to run on its thread (modem events).

Why not plain `schedule`: schedule 1.2.2 reads the naive `datetime.datetime.now()` in
`Job.should_run`, `Job.run` and `Job._schedule_next_run`, so a clock set back 12 hours leaves every
job's `next_run` 12 hours in the future, and an exception in a job escapes `run_pending()`. Here the
jobs are schedule's own `Job` objects (builder API, sorting, `CancelJob`) with those three methods
reading our clock in naive UTC (a daily "at" time is a local time in the school's zone, converted per
run, so DST never shifts it), the loop compares wall time with monotonic time on every step and
reschedules every job when they disagree by more than `jump_threshold` seconds, and a failing job is
logged and tried again one period later.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
from dataclasses import dataclass
from typing import Callable
from zoneinfo import ZoneInfo

import schedule

from kiosk.clock import UTC, Clock

log = logging.getLogger("kiosk.gateway.loop")


@dataclass(frozen=True)
class JobSpec:
    """One periodic job: every `every_seconds`, or daily at `daily_at` ("HH:MM", school local time)."""

    name: str
    func: Callable[[], object]
    every_seconds: float | None = None
    daily_at: str | None = None
    run_at_start: bool = False

    def __post_init__(self) -> None:
        if (self.every_seconds is None) == (self.daily_at is None):
            raise ValueError(f"job {self.name!r}: give exactly one of every_seconds or daily_at")
        if self.every_seconds is not None and self.every_seconds <= 0:
            raise ValueError(f"job {self.name!r}: every_seconds must be > 0")


@dataclass(frozen=True)
class ClockJump:
    """The wall clock moved `seconds` more (or less, if negative) than the monotonic clock."""

    seconds: float
    before: dt.datetime
    after: dt.datetime


class ClockJob(schedule.Job):
    """A schedule Job whose notion of "now" is its scheduler's injected clock (naive UTC)."""

    scheduler: "ClockScheduler"

    @property
    def should_run(self) -> bool:
        assert self.next_run is not None, "must run _schedule_next_run before"
        return self.scheduler.naive_now() >= self.next_run

    def run(self):
        ret = self.job_func()
        self.last_run = self.scheduler.naive_now()
        self._schedule_next_run()
        return ret

    def _schedule_next_run(self) -> None:
        now = self.scheduler.naive_now()
        if self.at_time is not None:
            if self.unit != "days" or self.interval != 1 or self.start_day is not None:
                raise schedule.ScheduleValueError("only every().day.at('HH:MM') is supported")
            self.next_run = self._next_local_time(now)
            return
        if self.unit not in ("seconds", "minutes", "hours", "days", "weeks"):
            raise schedule.ScheduleValueError(f"invalid unit {self.unit!r}")
        self.next_run = now + dt.timedelta(**{self.unit: self.interval})

    def _next_local_time(self, now_naive_utc: dt.datetime) -> dt.datetime:
        zone = self.scheduler.zone
        local_now = now_naive_utc.replace(tzinfo=UTC).astimezone(zone)
        day = local_now.date()
        for _ in range(3):
            candidate = dt.datetime.combine(day, self.at_time, tzinfo=zone)
            # round-trip through UTC: a time inside a DST gap comes out an hour later, still today
            candidate_utc = candidate.astimezone(UTC).replace(tzinfo=None)
            if candidate_utc > now_naive_utc:
                return candidate_utc
            day += dt.timedelta(days=1)
        raise AssertionError("no next local time within three days")  # pragma: no cover


class ClockScheduler(schedule.Scheduler):
    """schedule.Scheduler over an injected clock; every job is a ClockJob."""

    def __init__(self, clock: Clock, zone: str | dt.tzinfo = "Europe/London") -> None:
        super().__init__()
        self.clock = clock
        self.zone = ZoneInfo(zone) if isinstance(zone, str) else zone

    def naive_now(self) -> dt.datetime:
        return self.clock.now().astimezone(UTC).replace(tzinfo=None)

    def every(self, interval: int | float = 1) -> ClockJob:
        return ClockJob(interval, self)  # type: ignore[arg-type]

    @property
    def idle_seconds(self) -> float | None:
        if not self.jobs:
            return None
        return (min(self.jobs).next_run - self.naive_now()).total_seconds()


class Loop:
    """Runs jobs and queued calls on one thread; `step()` is one pass, `run()` repeats it.

    `on_jump(ClockJump)` is called after the jobs were rescheduled; `on_error(name, exc)` after a
    job or a queued call raised (it was logged and will be tried again). Both are optional and
    their own exceptions are logged, not raised.
    """

    def __init__(self, clock: Clock, jobs: list[JobSpec], *, zone: str | dt.tzinfo = "Europe/London",
                 jump_threshold: float = 30.0, max_wait: float = 1.0,
                 on_jump: Callable[[ClockJump], object] | None = None,
                 on_error: Callable[[str, BaseException], object] | None = None) -> None:
        self.clock = clock
        self.scheduler = ClockScheduler(clock, zone)
        self.jump_threshold = jump_threshold
        self.max_wait = max_wait
        self.on_jump = on_jump
        self.on_error = on_error
        self.jumps: list[ClockJump] = []
        self._calls: queue.Queue[tuple[str, Callable[[], object]]] = queue.Queue()
        self._stop = threading.Event()
        self._names: dict[ClockJob, str] = {}
        self._last: tuple[dt.datetime, float] | None = None
        for spec in jobs:
            self.add(spec)

    def add(self, spec: JobSpec) -> ClockJob:
        if spec.every_seconds is not None:
            job = self.scheduler.every(spec.every_seconds).seconds
        else:
            job = self.scheduler.every().day.at(spec.daily_at)
        job.do(spec.func)
        job.tag(spec.name)
        if spec.run_at_start:
            job.next_run = self.scheduler.naive_now()
        self._names[job] = spec.name
        return job

    def next_run(self, name: str) -> dt.datetime:
        """When the named job runs next (aware UTC)."""
        (job,) = self.scheduler.get_jobs(name)
        return job.next_run.replace(tzinfo=UTC)

    # --- called from other threads -------------------------------------------------------------
    def call_soon(self, func: Callable[[], object], name: str = "call") -> None:
        """Run `func` on the loop's thread at its next step (modem events, nudges)."""
        self._calls.put((name, func))

    def stop(self) -> None:
        self._stop.set()
        self._calls.put(("stop", lambda: None))

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    # --- the loop itself -----------------------------------------------------------------------
    def step(self) -> float:
        """Detect a clock jump, run queued calls and due jobs; return seconds until the next job."""
        self._check_jump()
        while True:
            try:
                name, func = self._calls.get_nowait()
            except queue.Empty:
                break
            self._guard(name, func)
        for job in sorted(j for j in self.scheduler.jobs if j.should_run):
            if self._stop.is_set():
                break
            self._run_job(job)
        idle = self.scheduler.idle_seconds
        return self.max_wait if idle is None else max(0.0, min(idle, self.max_wait))

    def run(self) -> None:
        """Step until stop(): waits on the queue (monotonic timeout), so calls run promptly."""
        while not self._stop.is_set():
            wait = self.step()
            if self._stop.is_set():
                break
            try:
                name, func = self._calls.get(timeout=wait)
            except queue.Empty:
                continue
            self._guard(name, func)

    def _run_job(self, job: ClockJob) -> None:
        name = self._names.get(job, "job")
        try:
            ret = job.run()
        except Exception as exc:  # noqa: BLE001 - a job must never end the loop
            log.error("job %s failed: %s: %s (retrying next period)", name, type(exc).__name__, exc)
            log.debug("job %s traceback", name, exc_info=True)
            job._schedule_next_run()
            self._report_error(name, exc)
            return
        if ret is schedule.CancelJob or isinstance(ret, schedule.CancelJob):
            self.scheduler.cancel_job(job)

    def _guard(self, name: str, func: Callable[[], object]) -> None:
        try:
            func()
        except Exception as exc:  # noqa: BLE001
            log.error("%s failed: %s: %s", name, type(exc).__name__, exc)
            log.debug("%s traceback", name, exc_info=True)
            self._report_error(name, exc)

    def _report_error(self, name: str, exc: BaseException) -> None:
        if self.on_error is None:
            return
        try:
            self.on_error(name, exc)
        except Exception:  # noqa: BLE001
            log.exception("error callback failed")

    def _check_jump(self) -> None:
        wall, mono = self.clock.now(), self.clock.monotonic()
        last, self._last = self._last, (wall, mono)
        if last is None:
            return
        drift = (wall - last[0]).total_seconds() - (mono - last[1])
        if abs(drift) <= self.jump_threshold:
            return
        jump = ClockJump(seconds=drift, before=last[0], after=wall)
        self.jumps.append(jump)
        for job in self.scheduler.jobs:
            job._schedule_next_run()
        log.warning("wall clock jumped %+.0f s (from %s to %s); jobs rescheduled",
                    drift, last[0].isoformat(timespec="seconds"), wall.isoformat(timespec="seconds"))
        if self.on_jump is not None:
            try:
                self.on_jump(jump)
            except Exception:  # noqa: BLE001
                log.exception("clock-jump callback failed")
