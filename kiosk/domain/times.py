"""Due-back times: what "UNTIL 15:30", "+45" or "Back at 4" means as an aware UTC instant.

It must never read the clock (now is passed in) and never hand back a naive or local datetime:
everything returned is aware UTC; local time exists only for reading what people typed and for
writing replies. DST-safe through zoneinfo: a wall-clock time that does not exist (spring forward)
moves forward by the gap, an ambiguous one (autumn back) takes the first occurrence.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from kiosk.domain.commands import Due, DueAt, DueIn

UTC = timezone.utc
DEFAULT_MAX_AHEAD_MINUTES = 240


class DueError(ValueError):
    """A due-back that cannot be accepted; str(error) is the SMS reply (one GSM-7 segment)."""


def _span(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return f"{minutes} minutes"


def too_far_message(max_ahead_minutes: int) -> str:
    return f"Not accepted: more than {_span(max_ahead_minutes)} at once is refused. Nothing changed."


def _require_utc(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(UTC)


def wall_clock_to_utc(day: date, hour: int, minute: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time on a local date.

    A time inside a spring-forward gap is read with the offset from before the gap (fold=0), which
    lands the same distance after the gap ("01:30" on the spring-forward day in London = 02:30 BST);
    an ambiguous time in the autumn takes its first occurrence (fold=0, summer time).
    """
    local = datetime.combine(day, time(hour, minute), tzinfo=tz).replace(fold=0)
    return local.astimezone(UTC)


def _occurrences(hour: int, minute: int, now: datetime, tz: ZoneInfo) -> set[datetime]:
    """Every instant around now that the wall clock shows hour:minute: both occurrences of an
    ambiguous time (the first sorts first), the forward-moved instant of a nonexistent one."""
    today = now.astimezone(tz).date()
    found = set()
    for d in (-1, 0, 1, 2):
        day = today + timedelta(days=d)
        found.add(wall_clock_to_utc(day, hour, minute, tz))
        second = datetime.combine(day, time(hour, minute), tzinfo=tz).replace(fold=1).astimezone(UTC)
        if second.astimezone(tz).replace(tzinfo=None) == datetime.combine(day, time(hour, minute)):
            found.add(second)  # a real second occurrence (autumn), not a gap's other reading
    return found


def resolve_due(due: Due, now: datetime, tz: ZoneInfo, *,
                max_ahead_minutes: int = DEFAULT_MAX_AHEAD_MINUTES) -> datetime:
    """Turn a parsed due-back into aware UTC, or raise DueError with the reply text.

    DueIn: now + minutes (1..max_ahead_minutes). DueAt: the next occurrence of that local time
    after now (of an ambiguous autumn time, the first one still ahead). A bare hour 1-12, written
    without am/pm ("BACK AT 4", "4.30", "til 5"), means h or h+12 (12: noon or midnight), whichever
    comes next: always within 12 hours, never "passed". Further ahead than max_ahead_minutes is
    refused, naming the time it was read as; an explicit time reached within the last hours
    ("UNTIL 13:00" at 14:00) is refused as passed.
    """
    now = _require_utc(now)
    limit = now + timedelta(minutes=max_ahead_minutes)
    if isinstance(due, DueIn):
        if due.minutes <= 0:
            raise DueError("Not accepted: give a number of minutes above 0. Nothing changed.")
        if due.minutes > max_ahead_minutes:
            raise DueError(too_far_message(max_ahead_minutes))
        return now + timedelta(minutes=due.minutes)
    if not isinstance(due, DueAt):
        raise TypeError(f"not a due-back: {due!r}")
    if not (0 <= due.hour <= 23 and 0 <= due.minute <= 59):
        raise DueError("Not understood: there is no such time. Use e.g. 15:30 or 3.30pm. Nothing changed.")
    hours = {due.hour}
    bare = not due.explicit_meridiem and 1 <= due.hour <= 12
    if bare:
        hours.add((due.hour + 12) % 24)
    candidates = sorted(set().union(*(_occurrences(h, due.minute, now, tz) for h in hours)))
    future = [t for t in candidates if t > now]
    if future and future[0] <= limit:
        return future[0]
    if bare:
        # "BACK AT 4" means the next 4 o'clock, always within 12 hours (issue 14 item 7): at 09:05
        # that is 16:00, too far for one push, never "04:00 has already passed".
        raise DueError(_too_far_at(future[0], tz, max_ahead_minutes))
    nearest = min(candidates, key=lambda t: abs(t - now))
    if nearest <= now:
        shown = f"{due.hour:02d}:{due.minute:02d}" if due.explicit_meridiem else \
            f"{due.hour}:{due.minute:02d}"
        raise DueError(f"Not accepted: {shown} has already passed. Nothing changed.")
    raise DueError(too_far_message(max_ahead_minutes))


def _too_far_at(when: datetime, tz: ZoneInfo, max_ahead_minutes: int) -> str:
    """The refusal naming the time the text was read as, so the sender sees what kiosk understood."""
    return f"Not accepted: {format_local(when, tz)} is more than {_span(max_ahead_minutes)} away. Nothing changed."


def format_local(dt_utc: datetime, tz: ZoneInfo) -> str:
    """"15:30": an instant as the school's wall clock shows it, for replies and the board."""
    return _require_utc(dt_utc).astimezone(tz).strftime("%H:%M")
