"""Due-back times: wall-clock times people type, turned into aware UTC with the school's time zone,
including the two Sundays a year when Europe/London changes its clocks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.domain.commands import DueAt, DueIn
from kiosk.domain.parser import parse_command
from kiosk.domain.text import fits_one_segment
from kiosk.domain.times import DueError, format_local, resolve_due

UTC = timezone.utc
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # 14:00 GMT, a Tuesday


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_due_in_is_now_plus_minutes():
    assert resolve_due(DueIn(45), NOW, LONDON) == utc(2026, 11, 24, 14, 45)


def test_explicit_time_today():
    assert resolve_due(DueAt(15, 30, True), NOW, LONDON) == utc(2026, 11, 24, 15, 30)


def test_back_at_4_without_pm_means_the_next_4_oclock():
    """"Back at 4" at 14:00 is 16:00, not 04:00 tomorrow."""
    assert resolve_due(parse_command("Back at 4").due, NOW, LONDON) == utc(2026, 11, 24, 16, 0)


def test_hour_without_meridiem_after_midday_picks_the_morning_when_that_comes_next():
    late_evening = utc(2026, 11, 24, 22, 30)
    assert resolve_due(DueAt(1, 0), late_evening, LONDON) == utc(2026, 11, 25, 1, 0)


def test_summer_time_is_applied():
    summer = utc(2026, 7, 1, 13, 0)  # 14:00 BST
    assert resolve_due(DueAt(15, 30, True), summer, LONDON) == utc(2026, 7, 1, 14, 30)
    assert format_local(utc(2026, 7, 1, 14, 30), LONDON) == "15:30"


@pytest.mark.parametrize("due,phrase", [
    (DueIn(241), "more than 4 hours at once is refused"),
    (DueIn(0), "above 0"),
    (DueIn(-5), "above 0"),
    (DueAt(23, 0, True), "more than 4 hours at once is refused"),
    (DueAt(13, 0, True), "has already passed"),
    (DueAt(9, 0), "21:00 is more than 4 hours away"),  # a bare 9 at 14:00 is 21:00 (issue 14 item 7)
    (DueAt(14, 0, True), "has already passed"),  # exactly now is not "after now"
    (DueAt(25, 0, True), "no such time"),
])
def test_refusals_are_replies(due, phrase):
    with pytest.raises(DueError) as caught:
        resolve_due(due, NOW, LONDON)
    assert phrase in str(caught.value)
    assert str(caught.value).endswith("Nothing changed.")
    assert fits_one_segment(str(caught.value))


def test_max_ahead_follows_the_config():
    with pytest.raises(DueError, match="more than 90 minutes"):
        resolve_due(DueIn(91), NOW, LONDON, max_ahead_minutes=90)
    assert resolve_due(DueIn(90), NOW, LONDON, max_ahead_minutes=90) == NOW + timedelta(minutes=90)


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        resolve_due(DueIn(5), datetime(2026, 11, 24, 14, 0), LONDON)


def test_result_is_aware_utc_even_for_a_non_utc_now():
    now = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("America/New_York"))  # 14:00 UTC
    result = resolve_due(DueIn(10), now, LONDON)
    assert result.utcoffset() == timedelta(0) and result == utc(2026, 11, 24, 14, 10)


# Europe/London springs forward at 01:00 UTC on the last Sunday of March (29 March 2026):
# 00:59:59 GMT is followed by 02:00:00 BST, so 01:00-01:59 local does not exist that night.
def test_spring_forward_nonexistent_time_moves_forward():
    now = utc(2026, 3, 29, 0, 30)  # 00:30 GMT
    due = resolve_due(DueAt(1, 30, True), now, LONDON)
    assert due == utc(2026, 3, 29, 1, 30)
    assert format_local(due, LONDON) == "02:30"


def test_spring_forward_time_after_the_gap():
    now = utc(2026, 3, 29, 0, 30)
    assert resolve_due(DueAt(3, 0, True), now, LONDON) == utc(2026, 3, 29, 2, 0)  # 03:00 BST


def test_spring_forward_duration_is_real_minutes():
    now = utc(2026, 3, 29, 0, 50)  # 00:50 GMT
    due = resolve_due(DueIn(20), now, LONDON)
    assert due == utc(2026, 3, 29, 1, 10)
    assert format_local(due, LONDON) == "02:10"


# ... and falls back at 01:00 UTC on the last Sunday of October (25 October 2026): 01:59:59 BST is
# followed by 01:00:00 GMT, so 01:00-01:59 local happens twice.
def test_fall_back_ambiguous_time_takes_the_first_occurrence():
    now = utc(2026, 10, 25, 0, 10)  # 01:10 BST
    assert resolve_due(DueAt(1, 30, True), now, LONDON) == utc(2026, 10, 25, 0, 30)


def test_fall_back_after_the_first_pass_takes_the_second_occurrence():
    now = utc(2026, 10, 25, 0, 45)  # 01:45 BST: 01:30 BST has passed, 01:30 GMT is 45 min away
    due = resolve_due(DueAt(1, 30, True), now, LONDON)
    assert due == utc(2026, 10, 25, 1, 30)
    assert format_local(due, LONDON) == "01:30"


def test_fall_back_duration_is_real_minutes():
    now = utc(2026, 10, 25, 0, 50)  # 01:50 BST
    due = resolve_due(DueIn(20), now, LONDON)
    assert due == utc(2026, 10, 25, 1, 10)
    assert format_local(due, LONDON) == "01:10"  # GMT now


def test_fall_back_afternoon_time_uses_winter_offset():
    now = utc(2026, 10, 25, 12, 0)  # 12:00 GMT, after the change
    assert resolve_due(DueAt(3, 0), now, LONDON) == utc(2026, 10, 25, 15, 0)


_instants = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31),
                         timezones=st.just(UTC))


@settings(max_examples=200, deadline=None)
@given(_instants, st.integers(0, 23), st.integers(0, 59), st.booleans())
def test_resolved_time_is_ahead_within_the_limit_and_shows_the_time_asked(now, hour, minute, explicit):
    try:
        due = resolve_due(DueAt(hour, minute, explicit), now, LONDON)
    except DueError as refused:
        assert fits_one_segment(str(refused))
        return
    assert now < due <= now + timedelta(minutes=240)
    allowed = {hour} if explicit or not 1 <= hour <= 12 else {hour, (hour + 12) % 24}
    shown = due.astimezone(LONDON)
    assert shown.minute == minute
    if shown.hour not in allowed:
        # Only a spring-forward gap moves a time, by exactly the gap (one hour in London).
        assert shown.hour - 1 in allowed and (shown.month, shown.weekday()) == (3, 6)


@settings(max_examples=100, deadline=None)
@given(_instants, st.integers(-10, 300))
def test_due_in_is_exact_or_refused(now, minutes):
    try:
        due = resolve_due(DueIn(minutes), now, LONDON)
    except DueError:
        assert minutes <= 0 or minutes > 240
        return
    assert due - now == timedelta(minutes=minutes)


def test_format_local_winter_and_summer():
    assert format_local(utc(2026, 11, 24, 15, 30), LONDON) == "15:30"
    assert format_local(utc(2026, 6, 24, 15, 30), LONDON) == "16:30"


# --- issue 14 item 7: a bare hour 1-12 means its next occurrence, within 12 hours ---------------
# Observed: "BACK AT 4" at 09:05 was read as 04:00 and refused as passed.

ITEM7 = [
    # (local now, text, max ahead in minutes, local due back it means)
    ("09:05", "BACK AT 4", 600, "16:00"),  # morning: 04:00 has passed, 16:00 is next
    ("09:05", "back at 11", 240, "11:00"),
    ("09:05", "back at 9.30", 240, "09:30"),
    ("12:00", "BACK AT 4.30", 600, "16:30"),  # noon
    ("12:00", "back at 12.30", 240, "12:30"),
    ("12:00", "back by 1", 240, "13:00"),
    ("19:00", "BACK AT 9", 240, "21:00"),  # evening
    ("19:00", "back at 7.30", 240, "19:30"),
    ("22:30", "back at 1", 240, "01:00"),  # after 22:00 the small hours are next
    ("23:30", "back at 12", 240, "00:00"),  # midnight, not noon
]


@pytest.mark.parametrize("local,text,ahead,means", ITEM7, ids=[f"{t} at {n}" for n, t, _, _ in ITEM7])
def test_item7_a_bare_hour_means_its_next_occurrence(local, text, ahead, means):
    hour, minute = map(int, local.split(":"))
    now = datetime(2026, 11, 24, hour, minute, tzinfo=LONDON).astimezone(UTC)
    due = resolve_due(parse_command(text).due, now, LONDON, max_ahead_minutes=ahead)
    assert format_local(due, LONDON) == means
    assert timedelta(0) < due - now <= timedelta(hours=12)


@pytest.mark.parametrize("text", ["OUT 14 Elm Rd til 5", "OUT 14 Elm Rd until 4.30"])
def test_item7_til_5_in_an_out_text_is_the_next_5_oclock(text):
    morning = datetime(2026, 11, 24, 9, 5, tzinfo=UTC)
    due = resolve_due(parse_command(text).due, morning, LONDON, max_ahead_minutes=600)
    assert format_local(due, LONDON) in ("17:00", "16:30")


def test_item7_back_at_4_at_09_05_names_16_00_when_it_is_too_far():
    """With the default 4 hours at once, 16:00 is refused as too far, naming the time it was read
    as; it is never '04:00 has already passed'."""
    with pytest.raises(DueError) as caught:
        resolve_due(parse_command("BACK AT 4").due, utc(2026, 11, 24, 9, 5), LONDON)
    assert str(caught.value) == "Not accepted: 16:00 is more than 4 hours away. Nothing changed."
    assert fits_one_segment(str(caught.value))


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
       st.integers(1, 12), st.sampled_from([0, 15, 30, 45]))
def test_item7_a_bare_hour_is_always_ahead_within_12_hours_dst_included(now, hour, minute):
    due = resolve_due(DueAt(hour, minute), now, LONDON, max_ahead_minutes=13 * 60)
    assert timedelta(0) < due - now <= timedelta(hours=13)  # 12, plus the autumn's repeated hour
    local = due.astimezone(LONDON)
    shown = {(local.hour % 12, local.minute), ((local.hour - 1) % 12, local.minute)}  # or moved past the spring gap
    assert (hour % 12, minute) in shown
