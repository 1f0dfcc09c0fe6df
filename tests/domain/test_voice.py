"""Issue 18: who the kiosk rings next about a red alarm (kiosk.domain.voice), a pure rule."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from kiosk.domain import ladder as L
from kiosk.domain import voice as V

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)
S = V.VoiceSettings()
M = timedelta(minutes=1)


def red(**kw) -> L.AlarmFacts:
    base = dict(id=1, kind=L.NO_REPLY, level=L.RED, raised_at=T0, alert_count=1, last_alert_at=T0,
                tier_told=1, tier_at=T0)
    return L.AlarmFacts(**{**base, **kw})


def test_rounds_ring_each_callee_once_in_order_then_again_every_repeat():
    callees = (10, 20)
    assert V.next_callee(red(), callees, (), S, T0 + 1 * M) is None, "not before after_minutes"
    assert V.next_callee(red(), callees, (), S, T0 + 2 * M) == 10
    one = ((10, T0 + 2 * M),)
    assert V.next_callee(red(), callees, one, S, T0 + 3 * M) == 20
    both = one + ((20, T0 + 3 * M),)
    assert V.next_callee(red(), callees, both, S, T0 + 11 * M) is None, "round over: wait for the next"
    assert V.next_callee(red(), callees, both, S, T0 + 12 * M) == 10, "the next round from the top"


def test_after_zero_rings_at_once():
    assert V.next_callee(red(), (10,), (), V.VoiceSettings(after=timedelta(0)), T0) == 10


@pytest.mark.parametrize("change", [dict(owned=True), dict(acknowledged=True), dict(level=L.AMBER),
                                    dict(alert_count=0)])
def test_nobody_is_rung_once_someone_has_it_or_for_what_was_never_alerted(change):
    assert V.next_callee(red(**change), (10,), (), S, T0 + 5 * M) is None


def test_disabled_rings_nobody_and_no_callees_means_no_call():
    assert V.next_callee(red(), (10,), (), V.VoiceSettings(enabled=False), T0 + 5 * M) is None
    assert V.next_callee(red(), (), (), S, T0 + 5 * M) is None
