"""The "Done when" scenarios of issue 2, by name, on a real database with a moving FakeClock."""

from datetime import timedelta

import pytest

from kiosk import services as svc
from kiosk.domain.codewords import find_code_words
from kiosk.store.models import Alarm, Event, Message, Visit
from tests.services.conftest import ANN, BOB, DEE, HANA


def board_snapshot(ctx):
    return [(r.id, r.level, r.state, r.due_back, r.last_contact, r.alarms, r.approved) for r in svc.board(ctx)]


def reply(result):
    return result.reply.text if result.reply else None


def test_ok_running_late_bluebird_raises_duress_gets_the_same_reply_and_changes_no_visit(school, clock, tmp_path,
                                                                                         new_database):
    """Code word anywhere in a text: red duress at once, the reply `OK running late` would get,
    nothing applied. (St Nicholas 6: if the code word is used, the police must be contacted.)"""
    visit = school.out()
    clock.advance(minutes=100)  # overdue: plain contact would re-arm due-back and clear amber
    svc.tick(school.ctx)
    before = Visit.get_by_id(visit.id)
    duress = svc.sms_in(school.ctx, ANN, "OK running late bluebird")
    after = Visit.get_by_id(visit.id)
    assert duress.duress
    assert [(a.kind, a.level) for a in Alarm.select().where(Alarm.kind == "duress")] == [("duress", "red")]
    assert (after.due_back, after.last_contact_at, after.state) == (before.due_back, before.last_contact_at, before.state)
    assert Alarm.get(Alarm.kind == "overdue").resolved_at is None  # amber not cleared either
    alerts = school.texts(kind="alert")
    assert len([t for t in alerts if "DURESS" in t]) == 2  # Hana and Dee, not Ann
    assert all("bluebird" not in t.lower() for t in alerts)

    # the same text without the code word, on an identical second school, gets the same reply
    from tests.services.conftest import School
    twin = School(new_database(tmp_path / "twin"), clock)
    clock.advance(minutes=-100)
    twin.out()
    clock.advance(minutes=100)
    svc.tick(twin.ctx)
    plain = svc.sms_in(twin.ctx, ANN, "OK running late")
    assert reply(plain) == reply(duress)
    assert "now due back" in reply(plain).lower() or "due back" in reply(plain).lower()
    twin.db.close()


def test_bare_code_word_gets_thanks_noted(school):
    school.out()
    result = svc.sms_in(school.ctx, ANN, "Bluebird!")
    assert reply(result) == "Thanks, noted. Text ? for commands."
    assert result.duress


def test_back_bluebird_closes_nothing(school):
    visit = school.out()
    result = svc.sms_in(school.ctx, ANN, "BACK bluebird")
    assert result.duress
    assert reply(result).startswith(f"Welcome back. Visit {visit.id} closed")
    assert Visit.get_by_id(visit.id).state == "out"
    assert [r.id for r in svc.board(school.ctx)] == [visit.id]


def test_back_in_20_extends_back_closes(school, clock):
    visit = school.out(minutes=30)
    result = svc.sms_in(school.ctx, ANN, "Back in 20")
    assert Visit.get_by_id(visit.id).due_back == clock.now() + timedelta(minutes=20)
    assert reply(result) == "Due back now 14:20 (was 14:30)."
    result = svc.sms_in(school.ctx, ANN, "Back")
    assert Visit.get_by_id(visit.id).state == "back"
    assert reply(result) == f"Welcome back. Visit {visit.id} closed 14:00."
    assert svc.board(school.ctx) == []


def test_amber_after_due_back_red_15_minutes_later_alert_receivers_texted_once_not_every_tick(school, clock):
    visit = school.out(minutes=30)
    clock.advance(minutes=29)
    svc.tick(school.ctx)
    assert svc.board(school.ctx)[0].level == "due-soon"
    clock.advance(minutes=1)
    svc.tick(school.ctx)
    svc.tick(school.ctx)
    assert [(a.kind, a.level) for a in Alarm.select()] == [("overdue", "amber")]
    assert school.texts(ANN, "reminder") == [
        "You were due back at 14:30. Reply OK if you are safe, EXTEND 15 for more time, BACK when back."]
    assert school.texts(kind="alert") == []  # staffed hours: reception rings
    for _ in range(14):
        clock.advance(minutes=1)
        svc.tick(school.ctx)
    assert Alarm.select().count() == 1
    clock.advance(minutes=1)
    svc.tick(school.ctx)
    svc.tick(school.ctx)
    red = Alarm.get(Alarm.kind == "no-reply")
    assert (red.level, red.parent.kind, red.visit.id) == ("red", "overdue", visit.id)
    alerts = school.queued(kind="alert")
    assert sorted(m.number for m in alerts) == [HANA, DEE][::-1] or sorted(m.number for m in alerts) == sorted([HANA, DEE])
    assert len(alerts) == 2
    text = alerts[0].text
    for fact in ("Ann Lee", "15 min overdue", "14 Elm Rd", "07700 900123", "AB12 CDE", f"ACK {red.id}"):
        assert fact in text
    assert svc.board(school.ctx)[0].level == "red"
    assert len(school.texts(ANN, "reminder")) == 1  # the member got one reminder, not one per tick


def test_contact_clears_amber_not_red(school, clock):
    visit = school.out(minutes=30)
    clock.advance(minutes=30)
    svc.tick(school.ctx)
    clock.advance(minutes=15)
    svc.tick(school.ctx)
    result = svc.sms_in(school.ctx, ANN, "sorry, phone was in the car")
    amber, red = Alarm.get(Alarm.kind == "overdue"), Alarm.get(Alarm.kind == "no-reply")
    assert amber.resolved_at == clock.now() and red.resolved_at is None
    assert reply(result) == "Thanks, noted - now due back 15:00. Text ? for commands."
    assert Visit.get_by_id(visit.id).due_back == clock.now() + timedelta(minutes=15)
    assert svc.board(school.ctx)[0].level == "red"
    back = svc.sms_in(school.ctx, ANN, "BACK")  # BACK never resolves red
    assert "alarm is still open" in reply(back)
    assert Alarm.get_by_id(red.id).resolved_at is None
    assert Visit.get_by_id(visit.id).state != "back"
    with pytest.raises(svc.Refused):
        svc.mark_back(school.ctx, visit.id, by="RC")


def test_contact_while_overdue_rearms_and_never_realarms_at_once(school, clock):
    visit = school.out(minutes=30)
    clock.advance(minutes=31)
    svc.tick(school.ctx)
    svc.sms_in(school.ctx, ANN, "OK")
    svc.tick(school.ctx)
    assert Alarm.select().where(Alarm.resolved_at.is_null()).count() == 0
    clock.advance(minutes=15)
    svc.tick(school.ctx)  # re-armed due-back passed: amber again, a new episode
    assert Alarm.select().where(Alarm.resolved_at.is_null()).count() == 1
    assert Visit.get_by_id(visit.id).due_back == clock.now()


def test_ack_by_sms_sets_the_owner_and_stops_the_repeats(school, clock):
    school.out(minutes=30)
    clock.advance(minutes=45)
    svc.tick(school.ctx)  # after a long gap (gateway down): amber now, red a reply window later
    assert Alarm.select().count() == 1
    clock.advance(minutes=15)
    svc.tick(school.ctx)
    red = Alarm.get(Alarm.kind == "no-reply")
    clock.advance(minutes=10)
    svc.tick(school.ctx)
    assert len([t for t in school.texts(HANA, "alert") if t.startswith("REPEAT")]) == 1
    result = svc.sms_in(school.ctx, HANA, f"ack {red.id}")
    assert reply(result) == f"You have alarm {red.id}. The others are told. Record the outcome at the kiosk."
    red = Alarm.get_by_id(red.id)
    assert red.owner.name == "Hana Head" and red.acknowledged_by is None and red.resolved_at is None
    assert any("Hana Head has taken charge" in t for t in school.texts(DEE, "alert"))
    sent = len(school.queued(kind="alert"))
    for _ in range(4):
        clock.advance(minutes=10)
        svc.tick(school.ctx)
    assert len(school.queued(kind="alert")) == sent


def test_ack_without_number_takes_the_newest_unowned_red(school):
    visit = school.out()
    alarm = svc.duress_by_phone(school.ctx, visit.id, by="RC")
    result = svc.sms_in(school.ctx, DEE, "ACK")
    assert Alarm.get_by_id(alarm.id).owner.name == "Dee Lead"
    assert str(alarm.id) in reply(result)
    assert reply(svc.sms_in(school.ctx, DEE, "ACK 999")) == "Alarm 999 is not open. Nothing changed."


def test_police_acknowledges_but_leaves_the_alarm_open(school):
    visit = school.out()
    alarm = svc.duress_by_phone(school.ctx, visit.id, by="RC")
    with pytest.raises(svc.Invalid, match="ref"):
        svc.acknowledge(school.ctx, alarm.id, by="RC", action="police")
    svc.acknowledge(school.ctx, alarm.id, by="RC", action="police", ref="CAD 1234")
    alarm = Alarm.get_by_id(alarm.id)
    assert (alarm.acknowledged_by, alarm.action, alarm.police_ref, alarm.resolved_at) == ("RC", "police", "CAD 1234", None)
    assert school.texts(kind="stand-down") == []
    svc.acknowledge(school.ctx, alarm.id, by="HH", action="stood-down")
    assert Alarm.get_by_id(alarm.id).resolved_at is not None
    assert len(school.texts(kind="stand-down")) == 2
    with pytest.raises(svc.Refused):
        svc.acknowledge(school.ctx, alarm.id, by="HH", action="false-alarm")


def test_acknowledge_rules(school):
    visit = school.out()
    alarm = svc.duress_by_phone(school.ctx, visit.id, by="RC")
    with pytest.raises(svc.Invalid, match="note"):
        svc.acknowledge(school.ctx, alarm.id, by="RC", action="other")
    with pytest.raises(svc.Invalid, match="unknown action"):
        svc.acknowledge(school.ctx, alarm.id, by="RC", action="shrug")
    with pytest.raises(svc.NotFound):
        svc.acknowledge(school.ctx, 999, by="RC", action="answered")
    with pytest.raises(svc.Invalid):
        svc.acknowledge(school.ctx, alarm.id, by="  ", action="answered")
    svc.acknowledge(school.ctx, alarm.id, by="RC", action="no-answer")
    assert Alarm.get_by_id(alarm.id).resolved_at is None
    svc.acknowledge(school.ctx, alarm.id, by="RC", action="other", note="rang again, voicemail")
    assert Alarm.get_by_id(alarm.id).resolved_at is None
    svc.acknowledge(school.ctx, alarm.id, by="RC", action="answered")
    assert Alarm.get_by_id(alarm.id).resolved_at is not None
    svc.mark_back(school.ctx, visit.id, by="RC")
    assert Visit.get_by_id(visit.id).state == "back"


def test_restart_between_any_two_steps_gives_the_same_board(school, clock):
    """Decisions come from stored facts and the clock: reopening the database changes nothing."""
    steps = [
        lambda: school.out(minutes=30, check_in_minutes=20),
        lambda: school.out(school.bob, minutes=60),
        lambda: svc.sms_in(school.ctx, ANN, "ARRIVED"),
        lambda: clock.advance(minutes=26),
        lambda: svc.tick(school.ctx),
        lambda: clock.advance(minutes=15),
        lambda: svc.tick(school.ctx),
        lambda: svc.sms_in(school.ctx, BOB, "EXTEND 30"),
        lambda: clock.advance(minutes=10),
        lambda: svc.tick(school.ctx),
        lambda: svc.sms_in(school.ctx, HANA, "ACK"),
        lambda: svc.sms_in(school.ctx, ANN, "LEAVING"),
        lambda: svc.tick(school.ctx),
    ]
    for step in steps:
        step()
        svc.tick(school.ctx)
        before = board_snapshot(school.ctx)
        alarms_before = Alarm.select().count()
        messages_before = Message.select().count()
        school.reopen()
        svc.tick(school.ctx)  # a restarted gateway ticks at once: nothing new may happen
        assert board_snapshot(school.ctx) == before
        assert (Alarm.select().count(), Message.select().count()) == (alarms_before, messages_before)
    assert [r.level for r in svc.board(school.ctx)] == ["red", "ok"]


def test_two_person_visit_either_members_text_counts(school, clock):
    visit = school.out(school.ann, school.bob, minutes=30)
    assert svc.board(school.ctx)[0].staff == ["Ann Lee", "Bob Cole"]
    clock.advance(minutes=10)
    svc.sms_in(school.ctx, BOB, "OK")
    assert Visit.get_by_id(visit.id).last_contact_at == clock.now()
    clock.advance(minutes=25)
    svc.tick(school.ctx)
    assert sorted(m.number for m in school.queued(kind="reminder")) == [ANN, BOB]
    svc.sms_in(school.ctx, ANN, "here, all fine")
    assert Alarm.get(Alarm.kind == "overdue").resolved_at == clock.now()
    svc.sms_in(school.ctx, BOB, "BACK")
    assert Visit.get_by_id(visit.id).state == "back"


def test_school_phone_carried_is_matched_to_the_visit_first(school, clock):
    svc.add_phone(school.ctx, "07700 900999", "school mobile 1")
    visit = school.out(phones={school.ann.id: "+447700900999"})
    clock.advance(minutes=5)
    result = svc.sms_in(school.ctx, "+447700900999", "ARRIVED")
    assert Visit.get_by_id(visit.id).state == "on-site"
    assert reply(result).startswith("Arrival noted 14:05")


def test_unregistered_number_changes_nothing(school, clock):
    visit = school.out()
    events = Event.select().count()
    result = svc.sms_in(school.ctx, "+447700900555", "BACK")
    assert result.reply is None and result.message.state == "ignored"
    assert Visit.get_by_id(visit.id).state == "out"
    assert school.queued() == []
    assert svc.ignored_count(school.ctx) == 1
    assert Event.select().count() == events + 1  # counted, nothing else
    # A plea or a code word from an unknown number raises red (issue 14 item 5), on no visit.
    svc.sms_in(school.ctx, "+447700900555", "HELP bluebird")
    assert [(a.kind, a.visit_id) for a in Alarm.select()] == [("duress", None)]
    assert Visit.get_by_id(visit.id).state == "out"
    assert all("bluebird" not in m.text for m in Message.select())


def test_lone_visit_to_flagged_place_is_refused_and_with_lone_visits_refuse_every_lone_visit_is(school, tmp_path, clock,
                                                                                                new_database):
    svc.add_register_entry(school.ctx, postcode="LU4 9AB", reason="dog; history of aggression")
    with pytest.raises(svc.Refused, match="don't visit alone: dog"):
        school.out()
    assert Visit.select().count() == 0
    pair = svc.sign_out(school.ctx, [school.ann, school.bob], "14 Elm Rd LU4 9AB", clock.now() + timedelta(hours=1))
    assert pair.warnings == ["on the register: dog; history of aggression"]
    svc.add_staff(school.ctx, "Cai Dunn", "07700 900125", code_word="heron")
    by_text = svc.sms_in(school.ctx, "+447700900125", "OUT 3 Ash Way LU4 9AB UNTIL 15:30")
    assert reply(by_text).startswith("Visit not started: don't visit alone")

    from tests.services.conftest import School
    strict = School(new_database(tmp_path / "strict"), clock, lone_visits="refuse")
    with pytest.raises(svc.Refused, match="lone visits are not allowed"):
        strict.out(place="1 Quiet Lane")
    assert strict.out(strict.ann, strict.bob, place="1 Quiet Lane").state == "out"
    strict.db.close()


def test_check_in_interval_runs_from_left_at(school, clock):
    """Thames View 2.4: call on arrival, then check in every 20 minutes."""
    visit = school.out(minutes=120, check_in_minutes=20)
    clock.advance(minutes=24)
    svc.tick(school.ctx)
    assert Alarm.select().count() == 0
    clock.advance(minutes=1)
    svc.tick(school.ctx)
    alarm = Alarm.get()
    assert alarm.kind == "missed-check-in" and alarm.level == "amber"
    assert school.texts(ANN, "reminder") == [
        "Your check-in was due at 14:20. Reply OK if you are safe, EXTEND 15 for more time, BACK when back."]
    result = svc.sms_in(school.ctx, ANN, "OK")
    assert reply(result) == "Check-in noted 14:25. Due back 16:00."
    assert Alarm.get_by_id(alarm.id).resolved_at == clock.now()
    assert svc.board(school.ctx)[0].check_in_due == clock.now() + timedelta(minutes=20)
    assert Visit.get_by_id(visit.id).due_back == visit.due_back  # not overdue: due-back unchanged


def test_no_code_word_in_any_stored_message(school, clock):
    visit = school.out(code_word="marigold")
    texts = ["OK bluebird", "kestrel?", "BLUEBIRD", "bluebirds everywhere", "Ｂｌｕｅｂｉｒｄ help",
             "blue-bird", "Marigold", "OUT 1 Elm Rd UNTIL 15:00 kestrel", "ack bluebird"]
    for number in (ANN, BOB, HANA, "+447700900555"):
        for text in texts:
            svc.sms_in(school.ctx, number, text)
    svc.check_in_by_phone(school.ctx, visit.id, by="RC")
    svc.duress_by_phone(school.ctx, visit.id, by="RC")
    clock.advance(hours=3)
    svc.tick(school.ctx)
    svc.tick(school.ctx)
    stored = [m.text.casefold() for m in Message.select()]
    stored += [a.summary.casefold() for a in Alarm.select()]
    stored += [e.summary.casefold() for e in Event.select()]
    assert len(stored) > 40
    for word in ("bluebird", "kestrel", "marigold"):  # not even inside another word ("bluebirds")
        assert not any(word in text for text in stored), word
        assert not any(find_code_words(text, [word]) for text in stored), word
    assert Message.select().where(Message.duress == True).count() >= 6  # noqa: E712
