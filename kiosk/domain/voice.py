"""Who the kiosk rings about a red alarm, and when (issue 18): a pure rule, no I/O.

A red alarm that nobody has taken charge of (no ACK, nothing recorded by reception) `after` its
alert texts rings the receivers of the tiers told so far, one call at a time, in tier order; then
again every `repeat`, each round from the top. Who has been rung in the current round is read from
the stored calls, so a restart rings nobody twice in a round. Nobody outside the tiers told is rung,
and never a person the alarm is about (the services pass only receivers not on the alarm).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.domain.ladder import RED, AlarmFacts


@dataclass(frozen=True)
class VoiceSettings:
    enabled: bool = True
    after: timedelta = timedelta(minutes=2)
    ring: timedelta = timedelta(seconds=30)
    repeat: timedelta = timedelta(minutes=10)


def round_start(alarm: AlarmFacts, settings: VoiceSettings, now: datetime) -> datetime | None:
    """When the current round of calls began (None: no calls are due for this alarm now)."""
    if (not settings.enabled or alarm.level != RED or alarm.owned or alarm.acknowledged
            or alarm.alert_count == 0):
        return None
    start = alarm.raised_at + settings.after
    if now < start:
        return None
    rounds = int((now - start) / settings.repeat)
    return start + rounds * settings.repeat


def next_callee(alarm: AlarmFacts, callees: tuple[int, ...], calls: tuple[tuple[int, datetime], ...],
                settings: VoiceSettings, now: datetime) -> int | None:
    """The receiver (staff id) to ring next about this alarm, or None. `callees`: the receivers of
    the tiers told, not on the alarm, in tier order; `calls`: (staff id, when dialled) so far."""
    start = round_start(alarm, settings, now)
    if start is None:
        return None
    rung = {staff_id for staff_id, at in calls if at >= start}
    return next((c for c in callees if c not in rung), None)
