"""What every service call needs besides the database: the configuration and the clock.

Services never read the system clock or the environment: "now" is `ctx.now()` from the injected
Clock, settings come from the loaded Config. The database is the one bound to
`kiosk.store.database_proxy` by `open_database`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.clock import Clock, ensure_utc
from kiosk.domain.ladder import LadderSettings
from kiosk.store.db import database_proxy

_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass
class Context:
    config: Any  # kiosk.config.Config
    clock: Clock
    db: Any = field(default=database_proxy)

    def now(self) -> datetime:
        return ensure_utc(self.clock.now())

    def atomic(self):
        """One unit of work: everything inside commits together or not at all."""
        return self.db.atomic()

    @cached_property
    def tz(self) -> ZoneInfo:
        tz = self.config.school.timezone
        return tz if isinstance(tz, ZoneInfo) else ZoneInfo(str(tz))

    @cached_property
    def ladder(self) -> LadderSettings:
        lad, hours = self.config.ladder, self.config.staffed_hours
        return LadderSettings(
            due_soon=timedelta(minutes=lad.due_soon_minutes),
            overdue_grace=timedelta(minutes=lad.overdue_grace_minutes),
            check_in_grace=timedelta(minutes=lad.check_in_grace_minutes),
            reply_window=timedelta(minutes=lad.reply_window_minutes),
            alert_repeat=timedelta(minutes=lad.alert_repeat_minutes),
            staffed_days=frozenset(_day(d) for d in hours.days),
            staffed_start=_time(hours.start),
            staffed_end=_time(hours.end),
            tz=self.tz,
        )

    @property
    def max_extend_minutes(self) -> int:
        return int(self.config.ladder.max_extend_minutes)


def _day(value: Any) -> int:
    if isinstance(value, int):
        return value
    return _DAY_NAMES.index(str(value).strip().lower()[:3])


def _time(value: Any) -> time:
    if isinstance(value, time):
        return value
    hour, minute = str(value).split(":")
    return time(int(hour), int(minute))
