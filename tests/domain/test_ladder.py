"""The escalation ladder as a pure function (issue 2, "Escalation ladder and alarms")."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from hypothesis import given, settings as hsettings, strategies as st

from kiosk.domain import ladder as L

UTC = timezone.utc
T0 = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)  # Tuesday 14:00 London: staffed
S = L.LadderSettings()


def visit(**kw):
    base = dict(id=1, state="out", left_at=T0, due_back=T0 + timedelta(minutes=90))
    base.update(kw)
    return L.VisitFacts(**base)


def apply(v: L.VisitFacts, decision: L.Assessment, now) -> L.VisitFacts:
    """What the services do with a decision, reduced to the facts the ladder reads back."""
    alarms = list(v.alarms)
    next_id = max([a.id for a in alarms], default=0) + 1
    for r in decision.raise_:
        if r.parent_id:
            alarms = [replace(a, escalated=True) if a.id == r.parent_id else a for a in alarms]
        alarms.append(L.AlarmFacts(next_id, r.kind, r.level, now, last_alert_at=now if r.alert_receivers else None,
                                   alert_count=int(r.alert_receivers)))
        next_id += 1
    return replace(v, alarms=tuple(alarms))


def test_levels_ok_then_due_soon():
    v = visit()
    assert L.assess(v, S, T0).level == "ok"
    assert L.assess(v, S, T0 + timedelta(minutes=79)).level == "ok"
    assert L.assess(v, S, T0 + timedelta(minutes=80)).level == "due-soon"
    assert L.assess(v, S, T0 + timedelta(minutes=80)).raise_ == ()


def test_amber_after_due_back_then_red_after_reply_window_once():
    """Amber at due-back (grace 0), red no-reply 15 minutes later, each raised once."""
    v = visit()
    at = v.due_back
    first = L.assess(v, S, at)
    assert first.level == "amber"
    assert [(r.kind, r.level, r.remind_members, r.alert_receivers) for r in first.raise_] == [
        ("overdue", "amber", True, False)]
    v = apply(v, first, at)
    assert L.assess(v, S, at + timedelta(minutes=14)).raise_ == ()
    red = L.assess(v, S, at + timedelta(minutes=15))
    assert red.level == "red"
    assert [(r.kind, r.level, r.parent_id, r.alert_receivers) for r in red.raise_] == [("no-reply", "red", 1, True)]
    v = apply(v, red, at + timedelta(minutes=15))
    assert L.assess(v, S, at + timedelta(minutes=16)).raise_ == ()
    assert L.assess(v, S, at + timedelta(hours=5)).raise_ == ()


def test_grace_delays_amber():
    s = replace(S, overdue_grace=timedelta(minutes=5))
    v = visit()
    assert L.assess(v, s, v.due_back + timedelta(minutes=4)).raise_ == ()
    assert L.assess(v, s, v.due_back + timedelta(minutes=5)).raise_[0].kind == "overdue"


def test_check_in_interval_runs_from_left_at_and_restarts_on_contact():
    """Thames View 2.4: check in every 20 minutes; the first is due one interval after leaving."""
    v = visit(check_in_minutes=20)
    assert L.check_in_due(v) == T0 + timedelta(minutes=20)
    assert L.assess(v, S, T0 + timedelta(minutes=24)).raise_ == ()  # within 5 min grace
    missed = L.assess(v, S, T0 + timedelta(minutes=25)).raise_
    assert [(r.kind, r.missed) for r in missed] == [("missed-check-in", T0 + timedelta(minutes=20))]
    touched = replace(v, last_contact_at=T0 + timedelta(minutes=18))
    assert L.assess(touched, S, T0 + timedelta(minutes=25)).raise_ == ()
    assert L.assess(touched, S, T0 + timedelta(minutes=43)).raise_[0].kind == "missed-check-in"


def test_no_check_in_interval_once_leaving():
    v = visit(check_in_minutes=20, state="leaving")
    assert L.assess(v, S, T0 + timedelta(minutes=60)).raise_ == ()


def test_overdue_wins_over_missed_check_in():
    v = visit(check_in_minutes=20, due_back=T0 + timedelta(minutes=10))
    assert [r.kind for r in L.assess(v, S, T0 + timedelta(minutes=30)).raise_] == ["overdue"]


def test_outside_staffed_hours_amber_also_alerts_receivers():
    evening = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)  # 18:00 London, after 17:30
    v = visit(left_at=evening - timedelta(hours=1), due_back=evening)
    assert L.assess(v, S, evening).raise_[0].alert_receivers is True
    saturday = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
    v = visit(left_at=saturday - timedelta(hours=1), due_back=saturday)
    assert L.assess(v, S, saturday).raise_[0].alert_receivers is True


def test_staffed_hours_are_local_time_across_dst():
    """In June London is UTC+1: 16:45 UTC is 17:45 local, outside 08:00-17:30."""
    june = datetime(2026, 6, 16, 16, 45, tzinfo=UTC)
    assert not L.in_staffed_hours(june, S)
    assert L.in_staffed_hours(june - timedelta(minutes=30), S)
    assert not L.in_staffed_hours(datetime(2026, 6, 16, 6, 59, tzinfo=UTC), S)
    assert L.in_staffed_hours(datetime(2026, 6, 16, 7, 0, tzinfo=UTC), S)


def test_red_repeats_until_owned():
    red = L.AlarmFacts(5, "no-reply", "red", T0, last_alert_at=T0, alert_count=1)
    assert not L.repeat_due(red, S, T0 + timedelta(minutes=9))
    assert L.repeat_due(red, S, T0 + timedelta(minutes=10))
    assert not L.repeat_due(replace(red, owned=True), S, T0 + timedelta(minutes=30))
    assert not L.repeat_due(replace(red, alert_count=0, last_alert_at=None), S, T0 + timedelta(minutes=30))
    amber = L.AlarmFacts(6, "overdue", "amber", T0, last_alert_at=T0, alert_count=1)
    assert not L.repeat_due(amber, S, T0 + timedelta(minutes=30))


def test_end_of_staffed_hours_report_once_a_staffed_day():
    before = datetime(2026, 11, 24, 17, 29, tzinfo=UTC)
    assert L.report_due(before, S, None) is None
    at_close = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)
    day = L.report_due(at_close, S, None)
    assert day.isoformat() == "2026-11-24"
    assert L.report_due(at_close + timedelta(hours=3), S, day) is None
    assert L.report_due(datetime(2026, 11, 28, 18, 0, tzinfo=UTC), S, day) is None  # Saturday


def test_open_red_keeps_level_red_with_nothing_to_raise():
    v = visit(alarms=(L.AlarmFacts(3, "duress", "red", T0),))
    result = L.assess(v, S, T0)
    assert (result.level, result.raise_) == ("red", ())


@hsettings(max_examples=150, deadline=None)
@given(due=st.integers(0, 300), every=st.one_of(st.none(), st.integers(5, 60)),
       contact=st.one_of(st.none(), st.integers(0, 300)), steps=st.lists(st.integers(0, 40), min_size=1, max_size=12),
       state=st.sampled_from(["out", "on-site", "leaving"]))
def test_running_twice_at_the_same_instant_decides_nothing_new(due, every, contact, steps, state):
    v = visit(due_back=T0 + timedelta(minutes=due), check_in_minutes=every, state=state,
              last_contact_at=None if contact is None else T0 + timedelta(minutes=contact))
    now = T0
    raised = []
    for step in steps:
        now += timedelta(minutes=step)
        decision = L.assess(v, S, now)
        raised += [r.kind for r in decision.raise_]
        v = apply(v, decision, now)
        assert L.assess(v, S, now).raise_ == ()
    assert raised.count("overdue") + raised.count("missed-check-in") <= 1
    assert raised.count("no-reply") <= 1
