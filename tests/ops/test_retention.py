"""Retention: "closed visits, messages and alarms after 13 months; audit trail after 6 years;
open visits never" (issue 6), on an injected clock."""

from __future__ import annotations

from kiosk.config import config_from_mapping
from kiosk.ops import retention
from kiosk.services.alarms import raise_alarm
from kiosk.store.models import Alarm, Event, Message, Visit, VisitMember
from tests.conftest import run_kiosk

MODELS = {"visits": Visit, "messages": Message, "alarms": Alarm, "events": Event, "members": VisitMember}


def counts():
    return {name: model.select().count() for name, model in MODELS.items()}


def fk_problems(db):
    return db.execute_sql("PRAGMA foreign_key_check").fetchall()


def test_nothing_goes_before_its_time(history):
    history.old()
    history.clock.advance(days=395)
    assert retention.plan(history.ctx).empty
    before = counts()
    retention.purge(history.ctx)
    after = counts()
    assert after["events"] == before["events"] + 1  # only the job's own audit event
    assert {k: v for k, v in after.items() if k != "events"} == {k: v for k, v in before.items() if k != "events"}


def test_old_closed_visits_texts_and_alarms_go_open_ones_and_unresolved_alarms_stay(history):
    history.old()
    history.clock.advance(days=400)
    recent = history.out(history.ann, minutes=30)
    open_texts = Message.select().where(Message.visit == history.open_visit.id).count()
    p = retention.purge(history.ctx)
    assert p.counts()["visits"] == 2 and p.counts()["alarms"] == 1 and p.counts()["events"] == 0
    assert {v.id for v in Visit.select()} == {history.open_visit.id, recent.id}
    assert [a.id for a in Alarm.select()] == [history.unresolved.id]
    assert Message.select().where(Message.visit.in_([history.quiet.id, history.duress.id])).count() == 0
    assert open_texts > 0 and Message.select().where(Message.visit == history.open_visit.id).count() == open_texts
    kept_members = {m.visit_id for m in VisitMember.select()}
    assert kept_members == {history.open_visit.id, recent.id}
    assert fk_problems(history.db) == []
    event = Event.select().where(Event.kind == "retention-purge").get()
    assert event.summary.startswith("purged 2 visits, ") and "1 alarms" in event.summary
    for private in ("Ann", "Elm", "bluebird", "LU4", "+44"):
        assert private not in event.summary


def test_messages_linked_to_an_open_visit_or_unresolved_alarm_stay_whatever_their_age(history):
    history.old()
    open_texts = Message.select().where(Message.visit == history.open_visit.id).count()
    from kiosk import services as svc
    svc.sms_in(history.ctx, "+447700900124", "OK")  # Bob, on the open visit: a check-in text
    history.clock.advance(days=800)
    retention.purge(history.ctx)
    assert Message.select().where(Message.visit == history.open_visit.id).count() >= open_texts + 1
    assert Visit.get_by_id(history.open_visit.id).state != "back"
    assert Alarm.get_by_id(history.unresolved.id).resolved_at is None
    assert fk_problems(history.db) == []


def test_audit_trail_is_kept_six_years(history):
    history.old()
    first_events = Event.select().count()
    history.clock.advance(days=2000)
    retention.purge(history.ctx)
    assert Event.select().count() == first_events + 1
    history.clock.advance(days=191)
    p = retention.purge(history.ctx)
    assert p.counts()["events"] == first_events  # the history's events; the day-2000 purge's stays
    assert [e.kind for e in Event.select()] == ["retention-purge", "retention-purge"]


def test_dry_run_changes_nothing_and_says_what_would_go(history):
    history.old()
    history.clock.advance(days=400)
    before = counts()
    p = retention.plan(history.ctx)
    assert counts() == before
    assert p.counts() == {"visits": 2, "messages": p.counts()["messages"], "alarms": 1, "events": 0}
    assert p.counts()["messages"] > 0
    lines = p.lines(history.ctx.tz)
    assert lines[0].split()[:2] == ["visits", "2"] and "oldest 2026-11-24" in lines[0]
    done = retention.purge(history.ctx)
    assert done.counts() == p.counts()


def test_second_purge_is_a_no_op(history):
    history.old()
    history.clock.advance(days=400)
    retention.purge(history.ctx)
    before = counts()
    again = retention.purge(history.ctx)
    assert again.empty
    after = counts()
    assert after["events"] == before["events"] + 1
    assert {k: v for k, v in after.items() if k != "events"} == {k: v for k, v in before.items() if k != "events"}


def test_a_kept_no_reply_child_keeps_its_parent_and_a_queued_text_keeps_its_visit(history):
    history.old()
    parent = raise_alarm(history.ctx, "overdue", "amber", visit=None, actor="test", summary="p")
    child = raise_alarm(history.ctx, "no-reply", "red", visit=None, actor="test", summary="c", parent=parent)
    Alarm.update(resolved_at=history.clock.now(), resolved_by="RC").where(Alarm.id == parent.id).execute()
    Message.create(direction="out", number="+447700900200", text="still to send", state="queued",
                   created_at=history.clock.now(), visit=history.quiet.id)
    history.clock.advance(days=400)
    p = retention.purge(history.ctx)
    assert Alarm.get_or_none(Alarm.id == parent.id) is not None and Alarm.get_or_none(Alarm.id == child.id)
    assert Visit.get_or_none(Visit.id == history.quiet.id) is not None
    assert history.quiet.id not in p.ids["visits"] and history.duress.id in p.ids["visits"]
    assert fk_problems(history.db) == []


def test_periods_come_from_the_config(history):
    history.old()
    history.ctx.config = config_from_mapping({"retention": {"closed_visits_days": 30, "messages_days": 30,
                                                            "alarms_days": 30, "audit_days": 30}})
    history.clock.advance(days=31)
    p = retention.purge(history.ctx)
    assert p.counts()["visits"] == 2 and p.counts()["events"] > 0
    assert fk_problems(history.db) == []


def test_cli_purge_dry_run_then_purge(history, tmp_path):
    history.old()
    history.db.close()
    env = {"KIOSK_NOW": "2028-01-10T12:00:00+00:00"}
    db = str(history.path)
    dry = run_kiosk("purge", "--dry-run", "--db", db, env=env)
    assert dry.returncode == 0, dry.stderr
    assert "nothing deleted" in dry.stdout and "visits" in dry.stdout and "2" in dry.stdout.split("visits")[1]
    done = run_kiosk("purge", "--db", db, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("deleted:")
    again = run_kiosk("purge", "--db", db, env=env)
    assert "nothing past its retention period" in again.stdout
    bad = run_kiosk("purge", "--dry-run", "--what", "--db", db, env=env)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_the_gateway_runs_the_purge_nightly_at_three(history, tmp_path):
    from datetime import datetime

    from kiosk.gateway.runner import build_gateway, nightly_purge
    from kiosk.gateway.service import GatewaySettings

    history.old()
    config = config_from_mapping({"sound": {"enabled": False}})
    gateway, db = build_gateway(config, history.path, str(tmp_path / "no-modem"), base_clock=history.clock, env={},
                                synchronised=lambda: None, settings=GatewaySettings.from_config(config))
    try:
        assert gateway.loop.next_run("purge") == datetime.fromisoformat("2026-11-25T03:00:00+00:00")
        history.clock.advance(days=400)
        nightly_purge(gateway.ctx)
        assert Visit.select().count() == 1 and Event.select().where(Event.actor == "gateway").count() == 1
    finally:
        db.close()
