"""What every service call needs besides the database: the configuration and the clock.

Services never read the system clock or the environment: "now" is `ctx.now()` from the injected
Clock, settings come from the loaded Config. The database is the one bound to
`kiosk.store.database_proxy` by `open_database`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.clock import Clock, ensure_utc
from kiosk.config import Config
from kiosk.domain.ladder import LadderSettings
from kiosk.store.db import database_proxy


@dataclass
class Context:
    config: Config
    clock: Clock
    db: Any = field(default=database_proxy)

    def now(self) -> datetime:
        return ensure_utc(self.clock.now())

    def atomic(self):
        """One unit of work: everything inside commits together or not at all. Takes the write
        lock at the start (BEGIN IMMEDIATE; on PostgreSQL kiosk's advisory write lock, see
        kiosk.store.db), so decisions are made on facts nobody else is changing."""
        return self.db.atomic()

    def snapshot(self):
        """A consistent read of several queries without the write lock (BEGIN DEFERRED; on
        PostgreSQL REPEATABLE READ, READ ONLY): for the board and other screens, which must not
        hold up the gateway."""
        return self.db.atomic(lock_type="DEFERRED")

    @cached_property
    def tz(self) -> ZoneInfo:
        return self.config.tz

    @cached_property
    def ladder(self) -> LadderSettings:
        return self.config.ladder_settings()

    @property
    def max_extend_minutes(self) -> int:
        return int(self.config.ladder.max_extend_minutes)

