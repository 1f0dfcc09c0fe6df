"""Alert texts' delivery in words, and when reception is told to ring the receivers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from kiosk.domain.deliveries import WARNING, Delivery, describe, summary, warning

LONDON = ZoneInfo("Europe/London")
RAISED = datetime(2026, 11, 24, 14, 10, tzinfo=timezone.utc)


def test_words():
    assert describe(Delivery("Dave", "delivered", RAISED, RAISED + timedelta(minutes=2)), LONDON) == \
        "delivered to Dave 14:12"
    assert describe(Delivery("Eve", "sent", RAISED, None), LONDON) == "sent to Eve 14:10, not confirmed"
    assert describe(Delivery("Eve", "failed"), LONDON) == "to Eve: not delivered"
    assert describe(Delivery("Eve", "queued"), LONDON) == "to Eve: waiting to be sent"


def test_one_line_per_receiver_with_the_best_news():
    texts = [Delivery("Dave", "sent", RAISED), Delivery("Eve", "sent", RAISED),
             Delivery("Dave", "delivered", RAISED + timedelta(minutes=10), RAISED + timedelta(minutes=11))]
    assert summary(texts, LONDON) == ["delivered to Dave 14:21", "sent to Eve 14:10, not confirmed"]


def test_ring_the_receivers_when_no_alert_is_confirmed_in_time():
    sent = [Delivery("Dave", "sent", RAISED), Delivery("Eve", "failed")]
    assert warning("red", False, RAISED, sent, RAISED + timedelta(minutes=4, seconds=59), 5) is None
    assert warning("red", False, RAISED, sent, RAISED + timedelta(minutes=5), 5) == WARNING
    assert WARNING == "alert texts not delivered: ring the receivers"
    one_delivered = sent + [Delivery("Eve", "delivered", RAISED, RAISED)]
    assert warning("red", False, RAISED, one_delivered, RAISED + timedelta(hours=1), 5) is None
    assert warning("red", True, RAISED, sent, RAISED + timedelta(hours=1), 5) is None  # resolved
    assert warning("amber", False, RAISED, sent, RAISED + timedelta(hours=1), 5) is None
    assert warning("red", False, RAISED, [], RAISED + timedelta(hours=1), 5) is None  # no alert texts at all
