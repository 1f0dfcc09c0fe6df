"""Issue 18: the tier climb as a pure rule (kiosk.domain.ladder.first_tier/next_tier/nobody_in_charge)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kiosk.domain import ladder as L

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)
S = L.LadderSettings()


def red(**kw) -> L.AlarmFacts:
    base = dict(id=1, kind=L.NO_REPLY, level=L.RED, raised_at=T0, alert_count=1, last_alert_at=T0,
                tier_told=1, tier_at=T0)
    return L.AlarmFacts(**{**base, **kw})


@pytest.mark.parametrize("kind, tiers, first", [
    (L.NO_REPLY, (1, 2, 3), 1), (L.DURESS, (1, 2, 3), 3), (L.SOS, (1, 3), 3), (L.NO_REPLY, (2, 3), 2),
    (L.OVERDUE, (1, 2), 1), (L.NO_REPLY, (), None),
])
def test_first_tier(kind, tiers, first):
    assert L.first_tier(kind, tiers) == first


def test_next_tier_climbs_one_step_per_tier_minutes_and_skips_missing_tiers():
    assert L.next_tier(red(), (1, 3), S, T0 + timedelta(minutes=4, seconds=59)) is None
    assert L.next_tier(red(), (1, 3), S, T0 + timedelta(minutes=5)) == 3
    later = red(tier_told=3, tier_at=T0 + timedelta(minutes=5))
    assert L.next_tier(later, (1, 3), S, T0 + timedelta(hours=1)) is None


@pytest.mark.parametrize("change", [dict(owned=True), dict(acknowledged=True), dict(level=L.AMBER),
                                    dict(alert_count=0), dict(tier_told=None)])
def test_no_climb_and_no_999_once_someone_has_it_or_never_alerted(change):
    late = T0 + timedelta(hours=2)
    assert L.next_tier(red(**change), (1, 2), S, late) is None
    assert not L.nobody_in_charge(red(**{"tier_told": 2, **change}), (1, 2), S, late)


def test_nobody_in_charge_only_after_the_last_tier_had_its_tier_minutes():
    last = red(tier_told=2, tier_at=T0 + timedelta(minutes=5))
    assert not L.nobody_in_charge(red(), (1, 2), S, T0 + timedelta(hours=1)), "tier 2 still to be told"
    assert not L.nobody_in_charge(last, (1, 2), S, T0 + timedelta(minutes=9))
    assert L.nobody_in_charge(last, (1, 2), S, T0 + timedelta(minutes=10))
    assert L.nobody_in_charge(red(), (1,), S, T0 + timedelta(minutes=5)), "one tier: 999 after tier_minutes"
