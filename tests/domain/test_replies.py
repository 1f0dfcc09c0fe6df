"""Every reply fits one GSM-7 segment, uses local time and says what changed."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from kiosk.devices.gsm7 import can_encode_gsm7, septet_length
from kiosk.domain import replies as R

TZ = ZoneInfo("Europe/London")
SUMMER = datetime(2026, 6, 16, 14, 30, tzinfo=timezone.utc)  # 15:30 in London
LATER = SUMMER + timedelta(minutes=45)

ALL_REPLIES = [
    R.noted(), R.noted_new_due(LATER, TZ), R.checked_in(SUMMER, LATER, TZ), R.arrived(SUMMER, LATER, TZ),
    R.leaving(SUMMER, LATER, TZ), R.extended(SUMMER, LATER, TZ), R.back_closed(12345, SUMMER, TZ),
    R.back_alarm_open(SUMMER, TZ), R.status(12345, "leaving", LATER, SUMMER, TZ), R.no_visit(),
    R.sos_confirmed(SUMMER, TZ), R.out_started(12345, LATER, TZ), R.out_refused("x" * 300), R.out_disabled(),
    R.out_already_open(12345, LATER, TZ), R.reminder_overdue(LATER, TZ), R.reminder_check_in(LATER, TZ),
    R.ack_taken(12345), R.ack_told(12345, "Zoë Ångström-Ñúñez " * 5, SUMMER, TZ), R.ack_nothing_open(),
    R.ack_not_open(12345),
]


@pytest.mark.parametrize("text", ALL_REPLIES)
def test_fits_one_gsm7_segment(text):
    assert can_encode_gsm7(text) and septet_length(text) <= 160, text


def test_times_are_local():
    assert R.extended(SUMMER, LATER, TZ) == "Due back now 16:15 (was 15:30)."
    assert R.sos_confirmed(SUMMER, TZ) == "Alarm raised 15:30. The office is calling you now. If you can, call 999."


def test_alerts_carry_the_facts_and_fit_three_segments():
    text = R.alert(R.AlertFacts(alarm_id=7, kind="no-reply", level="red", raised_at=SUMMER + timedelta(minutes=15),
                                names=["Ann Lee", "Bob Cole"], visit_id=3, missed_at=SUMMER, missed_kind="overdue",
                                place="Flat 2, 14 Elm Rd, Luton LU4 9AB " * 8, phones=["07700 900123"],
                                vehicle="AB12 CDE blue Ford Fiesta"), LATER, TZ)
    assert text.startswith("KIOSK RED alarm 7: Ann Lee, Bob Cole no reply, 45 min overdue (due 15:30).")
    assert can_encode_gsm7(text) and septet_length(text) <= R.ALERT_LIMIT
    assert text.endswith("...")  # the long place was cut, not the message lost
    short = R.alert(R.AlertFacts(alarm_id=7, kind="duress", level="red", raised_at=SUMMER, names=["Ann Lee"],
                                 visit_id=3, place="14 Elm Rd", phones=["07700 900123"]), LATER, TZ)
    assert short.endswith("Reply ACK 7 to take charge.")
    assert short.startswith("KIOSK RED alarm 7: DURESS code word from Ann Lee 15:30. Call 999.")  # not 16:15


def test_item6_times_in_the_repeated_autumn_hour_say_gmt_or_bst():
    first = datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc)  # 01:30 BST
    second = first + timedelta(hours=1)  # 01:30 GMT
    assert (R.hhmm(first, TZ), R.hhmm(second, TZ)) == ("01:30 BST", "01:30 GMT")
    assert R.hhmm(first - timedelta(hours=1), TZ) == "00:30"  # an hour that happens once: no zone
    assert R.hhmm(second + timedelta(hours=1), TZ) == "02:30"
    assert R.hhmm(datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc), TZ) == "02:00"  # spring: no hour twice


def test_gsm_safe_strips_what_gsm7_cannot_carry():
    assert R.gsm_safe("Zoë — [x] {y} ~") == "Zoe - ?x? ?y? ?"
    assert can_encode_gsm7(R.gsm_safe("日本語 😀 \x00\x1b"))
