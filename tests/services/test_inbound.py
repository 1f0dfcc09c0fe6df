"""SMS in: stored before anything else, exactly once, with every command of the table applied."""

from datetime import datetime, timedelta, timezone

from kiosk import services as svc
from kiosk.store.models import Alarm, Message, Visit
from tests.services.conftest import ANN, BOB, DEE, HANA


def reply(result):
    return result.reply.text if result.reply else None


def test_processed_exactly_once(school):
    visit = school.out()
    msg, created = svc.receive_sms(school.ctx, ANN, "EXTEND 20", fingerprint="sim:1")
    assert created and msg.state == "received"
    again, created_again = svc.receive_sms(school.ctx, ANN, "EXTEND 20", fingerprint="sim:1")
    assert (again.id, created_again) == (msg.id, False)
    first = svc.process_message(school.ctx, msg.id)
    due = Visit.get_by_id(visit.id).due_back
    second = svc.process_message(school.ctx, msg.id)
    assert first.processed and not second.processed and second.reply is None
    assert Visit.get_by_id(visit.id).due_back == due
    assert len(school.queued(ANN, "reply")) == 1
    assert Message.get_by_id(msg.id).state == "processed"


def test_received_but_unprocessed_messages_are_pending_after_a_crash(school):
    school.out()
    msg, _ = svc.receive_sms(school.ctx, ANN, "ARRIVED")
    school.reopen()
    assert svc.pending(school.ctx) == [msg.id]
    svc.process_message(school.ctx, msg.id)
    assert svc.pending(school.ctx) == []


def test_numbers_in_any_format_match(school):
    visit = school.out()
    svc.sms_in(school.ctx, "07700 900123", "HERE")
    svc.sms_in(school.ctx, "447700900123", "OK")
    assert Visit.get_by_id(visit.id).state == "on-site"
    assert {m.number for m in Message.select().where(Message.direction == "in")} == {ANN}


def test_sos_is_red_at_once_confirmed_and_alerts_the_receivers(school, clock):
    visit = school.out()
    clock.advance(minutes=32)
    result = svc.sms_in(school.ctx, ANN, "help me pls")
    assert reply(result) == "Alarm raised 14:32. The office is calling you now. If you can, call 999."
    alarm = Alarm.get()
    assert (alarm.kind, alarm.level, alarm.visit.id) == ("sos", "red", visit.id)
    assert sorted(m.number for m in school.queued(kind="alert")) == sorted([HANA, DEE])
    assert "SOS from Ann Lee 14:32. Call 999." in school.texts(HANA, "alert")[0]


def test_sos_without_a_visit_still_raises(school):
    svc.sms_in(school.ctx, BOB, "999")
    assert Alarm.get().kind == "sos" and Alarm.get().visit is None
    assert len(school.queued(kind="alert")) == 2


def test_duress_alerts_skip_members_of_the_visit(school):
    school.out(school.ann, school.dee, code_word="marigold")
    result = svc.sms_in(school.ctx, ANN, "all fine marigold")
    assert result.duress
    assert [m.number for m in school.queued(kind="alert")] == [HANA]


def test_duress_with_no_open_visit(school):
    result = svc.sms_in(school.ctx, BOB, "kestrel")
    assert result.duress and reply(result) == "Thanks, noted. Text ? for commands."
    alarm = Alarm.get()
    assert (alarm.kind, alarm.visit) == ("duress", None)
    assert "Bob Cole" in school.texts(HANA, "alert")[0]


def test_status_arrived_leaving_and_commands(school, clock):
    visit = school.out(minutes=60)
    clock.advance(minutes=5)
    assert reply(svc.sms_in(school.ctx, ANN, "arrived")) == "Arrival noted 14:05. Due back 15:00. Text LEAVING when you leave."
    assert reply(svc.sms_in(school.ctx, ANN, "STATUS")) == f"Visit {visit.id}: on site, due back 15:00. Last contact 14:05."
    assert "HELP or SOS raises an alarm" in reply(svc.sms_in(school.ctx, ANN, "?"))
    assert reply(svc.sms_in(school.ctx, ANN, "left")) == "Leaving noted 14:05. Due back 15:00. Text BACK when back."
    assert Visit.get_by_id(visit.id).state == "leaving"


def test_commands_that_need_a_visit_say_so_without_one(school):
    for text in ("OK", "EXTEND 20", "BACK", "STATUS", "ARRIVED", "LEAVING"):
        assert reply(svc.sms_in(school.ctx, ANN, text)) == "No open visit for this phone. Nothing changed. Text ? for commands."
    assert reply(svc.sms_in(school.ctx, ANN, "hello")) == "Thanks, noted. Text ? for commands."


def test_extend_more_than_four_hours_is_refused_and_says_so(school):
    visit = school.out(minutes=30)
    result = svc.sms_in(school.ctx, ANN, "EXTEND 99999")
    assert "Nothing changed" in reply(result)
    assert Visit.get_by_id(visit.id).due_back == visit.due_back


def test_out_by_text_starts_an_unapproved_visit(school, clock):
    result = svc.sms_in(school.ctx, ANN, "OUT 14 Elm Rd LU4 9AB UNTIL 15:30")
    visit = Visit.get()
    assert reply(result) == (f"Visit {visit.id} started, due back 15:30. Not yet approved: the office will check. "
                             "Text OK to check in, BACK when back.")
    assert (visit.started_by, visit.approved_by, visit.label) == ("sms", None, f"Visit {visit.id} · LU4")
    assert svc.board(school.ctx)[0].approved is False
    svc.approve(school.ctx, visit.id, by="HH")
    assert svc.board(school.ctx)[0].approved is True
    again = svc.sms_in(school.ctx, ANN, "OUT 2 Oak St UNTIL 16:00")
    assert reply(again).startswith(f"You already have Visit {visit.id} open")
    assert Visit.select().count() == 1


def test_out_by_text_when_the_config_says_no(database, clock):
    from tests.services.conftest import School
    school = School(database, clock, allow_start_by_text=False)
    result = svc.sms_in(school.ctx, ANN, "OUT 14 Elm Rd UNTIL 15:30")
    assert reply(result).startswith("Visits cannot be started by text")
    assert Visit.select().count() == 0
    school.db.close()


def test_out_by_text_with_a_time_in_the_past(school):
    result = svc.sms_in(school.ctx, ANN, "OUT 14 Elm Rd UNTIL 13:00")
    assert "already passed" in reply(result)
    assert Visit.select().count() == 0


def test_garbage_texts_store_safely_and_change_nothing(school, clock):
    visit = school.out()
    garbage = ["", " ", "x" * 5000, "😀😀😀", "\x00\x1b[31mred\x07", "[bold]x[/]", "'; DROP TABLE visit; --",
               "\u202eKCAB", "ＢＡＣＫ ｌａｔｅｒ", "back soon", "EXTEND", "+", "ACK ACK ACK"]
    for text in garbage:
        clock.advance(seconds=10)  # slower than the flood limit (10 a minute): every reply is sent
        result = svc.sms_in(school.ctx, ANN, text)
        assert result.processed
        assert result.reply is not None and len(result.reply.text) <= 160
    assert Visit.get_by_id(visit.id).state == "out"
    assert Visit.get_by_id(visit.id).due_back == visit.due_back
    assert Alarm.select().count() == 0
    assert Message.select().where(Message.direction == "in").count() == len(garbage)


def test_received_at_is_kept(school):
    at = datetime(2026, 11, 24, 13, 59, 30, tzinfo=timezone.utc)
    msg, _ = svc.receive_sms(school.ctx, ANN, "hi", received_at=at)
    assert Message.get_by_id(msg.id).created_at == at


def test_late_contact_while_in_grace_still_rearms(school, clock):
    visit = school.out(minutes=30)
    clock.advance(minutes=30, seconds=20)
    result = svc.sms_in(school.ctx, ANN, "on my way")
    assert Visit.get_by_id(visit.id).due_back == clock.now() + timedelta(minutes=15)
    assert "now due back 14:45" in reply(result)


def test_mark_back_records_the_post_visit_answers(school):
    visit = school.out()
    import pytest
    with pytest.raises(svc.Invalid):
        svc.mark_back(school.ctx, visit.id, by="RC", objective_achieved="maybe")
    svc.mark_back(school.ctx, visit.id, by="RC", objective_achieved="partly", follow_up_needed=True,
                  safeguarding_concern=False, outcome="parent present")
    back = Visit.get_by_id(visit.id)
    assert (back.state, back.objective_achieved, back.follow_up_needed, back.safeguarding_concern, back.outcome) == (
        "back", "partly", True, False, "parent present")


def test_an_alarm_without_a_visit_names_who_raised_it_on_the_board_and_alarm_view(school):
    """Found by QA in the demo: an SOS from Cat (not out on a visit) showed "RED ALARM 2: SOS" and
    "Staff ?", though the text came from a known member of staff: the police ask who."""
    from kiosk.services.board_view import alarm_detail, load_board

    svc.sms_in(school.ctx, BOB, "SOS")
    svc.sms_in(school.ctx, ANN, "bluebird")  # a code word, Ann not out either
    sos, duress = Alarm.select().order_by(Alarm.id)
    for alarm, name, phone in ((sos, "Bob Cole", "07700 900124"), (duress, "Ann Lee", "07700 900123")):
        assert alarm.visit is None
        detail = alarm_detail(school.ctx, alarm.id)
        assert (detail.names, detail.phones) == ((name,), (phone,))
        line = next(a for a in load_board(school.ctx).alarms if a.id == alarm.id)
        assert (line.names, line.phones) == ((name,), (phone,))
