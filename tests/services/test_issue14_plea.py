"""Issue 14 through the services: a plea for help is never "safe" (item 1), a code word in any
spelling is duress and never stored (item 2), unknown numbers can still raise red (item 5), and a
bare hour means its next occurrence (item 7)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from kiosk import services as svc
from kiosk.domain import replies
from kiosk.domain.codewords import find_code_words
from kiosk.store.models import Alarm, Message, Visit
from tests.services.conftest import ANN, BOB, DEE, HANA


def amber_overdue(school, clock, minutes=30):
    """Ann out for `minutes`, then overdue: one amber open."""
    visit = school.out(minutes=minutes)
    clock.advance(minutes=minutes)
    svc.tick(school.ctx)
    amber = Alarm.get((Alarm.visit == visit.id) & (Alarm.level == "amber"))
    assert amber.resolved_at is None
    return Visit.get_by_id(visit.id), amber


def stored_in(number=ANN) -> list[str]:
    return [m.text for m in Message.select().where((Message.direction == "in") & (Message.number == number))
            .order_by(Message.id)]


# --- item 2: a code word in any spelling is duress, and is never stored -------------------------

def test_item2_spelt_out_code_words_raise_duress_and_are_stored_redacted(school, clock):
    visit = school.out()
    for n, text in enumerate(["B-L-U-E-B-I-R-D", "b.l.u.e.b.i.r.d", "b l u e b i r d", "K.E.S.T.R.E.L"]):
        clock.advance(minutes=1)
        result = svc.sms_in(school.ctx, ANN, text)
        assert result.duress, text
        assert result.message.text == "[code word]"
        assert Alarm.select().where(Alarm.kind == "duress").count() == n + 1
    assert Alarm.get(Alarm.kind == "duress").visit_id == visit.id
    assert stored_in() == ["[code word]"] * 4
    assert not any(find_code_words(t, ["bluebird", "kestrel"]) for t in stored_in())


def test_item2_a_word_holding_the_code_word_is_duress_and_is_not_contact(school, clock):
    """Observed: 'bluebirds' was redacted but raised nothing, and cleared the amber as contact."""
    visit, amber = amber_overdue(school, clock)
    result = svc.sms_in(school.ctx, ANN, "bluebirds")
    assert result.duress and result.message.text == "[code word]"
    duress = Alarm.get(Alarm.kind == "duress")
    assert (duress.level, duress.visit_id) == ("red", visit.id)
    assert Alarm.get_by_id(amber.id).resolved_at is None  # nothing applied under duress
    assert Visit.get_by_id(visit.id).due_back == visit.due_back
    assert sorted(m.number for m in school.queued(kind="alert")) == sorted([HANA, DEE])
    clock.advance(minutes=1)
    assert svc.sms_in(school.ctx, ANN, "xbluebirdx").duress


def test_item2_an_ordinary_text_with_single_letters_is_not_duress(school, clock):
    visit, amber = amber_overdue(school, clock)
    result = svc.sms_in(school.ctx, ANN, "At the B and B, blue bird feeder, a b c")
    assert not result.duress and Alarm.select().where(Alarm.kind == "duress").count() == 0
    assert result.message.text == "At the B and B, blue bird feeder, a b c"
    assert Alarm.get_by_id(amber.id).resolved_at is not None  # an ordinary text is contact


# --- item 1: a plea for help in any words raises red and is never a safe contact ----------------

OVERT = "Alarm raised {}. The office is calling you now. If you can, call 999."


@pytest.mark.parametrize("text", ["I need help call 999", "pls help", "call the police", "emergency", "🆘",
                                  "OK but send an ambulance", "BACK danger", "S.O.S", "ok 🚨"])
def test_item1_plea_with_an_amber_open_raises_red_and_is_not_contact(school, clock, text):
    visit, amber = amber_overdue(school, clock)
    clock.advance(minutes=2)
    result = svc.sms_in(school.ctx, ANN, text)
    assert result.reply.text == OVERT.format("14:32")
    sos = Alarm.get(Alarm.kind == "sos")
    assert (sos.level, sos.visit_id, sos.resolved_at) == ("red", visit.id, None)
    after = Visit.get_by_id(visit.id)
    assert Alarm.get_by_id(amber.id).resolved_at is None  # never clears amber
    assert after.due_back == visit.due_back and after.last_contact_at == visit.last_contact_at
    assert after.state == visit.state
    assert sorted(m.number for m in school.queued(kind="alert")) == sorted([HANA, DEE])


@pytest.mark.parametrize("text", ["helpful neighbour", "she helped me", "Running late"])
def test_item1_words_that_are_not_pleas_are_contact(school, clock, text):
    visit, amber = amber_overdue(school, clock)
    result = svc.sms_in(school.ctx, ANN, text)
    assert "Thanks, noted" in result.reply.text
    assert Alarm.select().where(Alarm.kind == "sos").count() == 0
    assert Alarm.get_by_id(amber.id).resolved_at is not None


def test_item1_police_station_car_park_raises_red(school, clock):
    """By choice (plea_words.txt): it may be where the trouble is; reception stands it down."""
    visit, _ = amber_overdue(school, clock)
    svc.sms_in(school.ctx, ANN, "back at the police station car park")
    assert Alarm.get(Alarm.kind == "sos").visit_id == visit.id
    assert Visit.get_by_id(visit.id).state != "back"


def test_item1_ack_with_a_plea_takes_charge_only_for_a_receiver_not_out(school, clock):
    """'ACK 1 calling police' from Hana (an alert receiver at school) takes charge; the same from
    Ann (out on the visit) or Bob (not a receiver) is a plea."""
    visit, _ = amber_overdue(school, clock)
    clock.advance(minutes=15)
    svc.tick(school.ctx)
    red = Alarm.get(Alarm.kind == "no-reply")
    taken = svc.sms_in(school.ctx, HANA, f"ACK {red.id} calling police")
    assert Alarm.get_by_id(red.id).owner_id == school.hana.id
    assert f"alarm {red.id}" in taken.reply.text and Alarm.select().where(Alarm.kind == "sos").count() == 0
    clock.advance(minutes=1)
    plea = svc.sms_in(school.ctx, ANN, f"ACK {red.id} police")
    assert plea.reply.text == OVERT.format(replies.hhmm(clock.now(), school.ctx.tz))
    assert Alarm.get(Alarm.kind == "sos").visit_id == visit.id
    clock.advance(minutes=1)
    svc.sms_in(school.ctx, BOB, "ACK help")
    assert Alarm.select().where(Alarm.kind == "sos").count() == 2


def test_item1_ack_with_a_plea_about_the_senders_own_alarm_is_still_a_plea(school, clock):
    """Hana (a receiver, not out) texts SOS, then 'ACK 1 help': her own alarm is not hers to take
    (item 3), and the plea in it still raises."""
    svc.sms_in(school.ctx, HANA, "SOS")
    own = Alarm.get(Alarm.kind == "sos")
    clock.advance(minutes=1)
    result = svc.sms_in(school.ctx, HANA, f"ACK {own.id} help")
    assert Alarm.get_by_id(own.id).owner_id is None
    assert result.reply.text == OVERT.format("14:01")
    assert Alarm.select().where(Alarm.kind == "sos").count() == 2


# --- item 7: a bare hour 1-12 means its next occurrence within 12 hours -------------------------

@pytest.mark.parametrize("now,text,due,reply", [
    ("2026-11-24T09:05:00+00:00", "BACK AT 4", None,
     "Not accepted: 16:00 is more than 4 hours away. Nothing changed."),  # morning: never '04:00 passed'
    ("2026-11-24T09:05:00+00:00", "back at 11.30", "2026-11-24T11:30:00+00:00", "Due back now 11:30 (was 10:35)."),
    ("2026-11-24T12:00:00+00:00", "BACK AT 4", "2026-11-24T16:00:00+00:00", "Due back now 16:00 (was 13:30)."),
    ("2026-11-24T12:00:00+00:00", "back at 12.30", "2026-11-24T12:30:00+00:00", "Due back now 12:30 (was 13:30)."),
    ("2026-11-24T19:00:00+00:00", "BACK AT 9", "2026-11-24T21:00:00+00:00", "Due back now 21:00 (was 20:30)."),
    ("2026-11-24T22:30:00+00:00", "back at 1", "2026-11-25T01:00:00+00:00", "Due back now 01:00 (was 00:00)."),
])
def test_item7_back_at_a_bare_hour_at_morning_noon_and_evening(school, clock, now, text, due, reply):
    clock.set(now)
    visit = school.out(minutes=90)
    result = svc.sms_in(school.ctx, ANN, text)
    assert result.reply.text == reply
    expected = visit.due_back if due is None else datetime.fromisoformat(due)
    assert Visit.get_by_id(visit.id).due_back == expected


def test_item7_out_til_5_starts_a_visit_due_at_the_next_5_oclock(school, clock):
    clock.set("2026-11-24T13:30:00+00:00")
    result = svc.sms_in(school.ctx, ANN, "OUT 14 Elm Rd til 5")
    assert result.reply.text.startswith("Visit 1 started, due back 17:00.")
    assert Visit.get_by_id(1).due_back == datetime(2026, 11, 24, 17, 0, tzinfo=timezone.utc)


# --- item 5: unknown numbers can still raise red -------------------------------------------------

STRANGER, SHOWN = "+447700900999", "07700 900999"


def alerts_about(alarm) -> list[str]:
    return [m.text for m in Message.select().where((Message.alarm == alarm) & (Message.kind == "alert"))]


def test_item5_a_plea_from_an_unknown_number_raises_red_sos_with_its_number(school, clock):
    """Observed: 'SOS this is Alice phone died' from an unregistered number: no alarm, only a count."""
    from kiosk.services.board_view import load_board

    result = svc.sms_in(school.ctx, STRANGER, "SOS this is Alice phone died")
    assert result.reply.number == STRANGER and result.reply.text == OVERT.format("14:00")
    sos = Alarm.get()
    assert (sos.kind, sos.level, sos.visit_id, sos.resolved_at) == ("sos", "red", None, None)
    assert SHOWN in sos.summary
    line = load_board(school.ctx).alarms[0]
    assert line.names == (f"unknown number {SHOWN}",) and line.phones == (SHOWN,)
    texts = alerts_about(sos)
    assert sorted(m.number for m in Message.select().where(Message.kind == "alert")) == sorted([HANA, DEE])
    assert texts and all(t.startswith(f"KIOSK RED alarm {sos.id}: SOS from unknown number {SHOWN} 14:00. Call 999.")
                         and f"Phone {SHOWN}." in t for t in texts)
    assert result.message.state == "processed" and svc.ignored_count(school.ctx) == 0


@pytest.mark.parametrize("word", ["bluebird", "B-L-U-E-B-I-R-D", "kestrels", "wagtail"])
def test_item5_any_members_or_open_visits_code_word_from_an_unknown_number_is_duress_unanswered(school, word):
    visit = school.out(school.bob, code_word="wagtail")
    result = svc.sms_in(school.ctx, STRANGER, f"it's Ann, {word}, borrowed phone")
    assert result.reply is None and result.duress
    assert result.message.text == "it's Ann, [code word], borrowed phone"
    duress = Alarm.get()
    assert (duress.kind, duress.level, duress.visit_id) == ("duress", "red", None)
    assert all(SHOWN in t and word.lower() not in t.lower() for t in alerts_about(duress))
    assert Message.select().where((Message.direction == "out") & (Message.number == STRANGER)).count() == 0
    assert Visit.get_by_id(visit.id).state == visit.state  # no visit moves


@pytest.mark.parametrize("text", ["BACK", "OK", "ACK 1", "EXTEND 20", "helpful", "Hi it's Alice, new number"])
def test_item5_anything_else_from_an_unknown_number_stays_ignored(school, text):
    visit = school.out()
    result = svc.sms_in(school.ctx, STRANGER, text)
    assert result.message.state == "ignored" and result.reply is None and not result.duress
    assert Alarm.select().count() == 0 and svc.ignored_count(school.ctx) == 1
    assert Visit.get_by_id(visit.id).due_back == visit.due_back


def test_item5_a_plea_with_a_code_word_is_duress_and_gets_the_overt_reply(school):
    """As from a registered phone: the reply the text would get without the code word (the plea's)."""
    result = svc.sms_in(school.ctx, STRANGER, "help bluebird")
    assert result.duress and result.reply.text == OVERT.format("14:00")
    assert [a.kind for a in Alarm.select()] == ["duress"]


def test_item5_after_three_red_alarms_in_an_hour_an_unknown_number_raises_nothing_new(school, clock):
    for n in range(3):
        clock.advance(minutes=5)
        assert svc.sms_in(school.ctx, STRANGER, "help" if n % 2 else "bluebird").message.alarm_id is not None
    clock.advance(minutes=5)
    for text in ("SOS", "bluebird", "help bluebird"):
        result = svc.sms_in(school.ctx, STRANGER, text)
        assert result.message.state == "ignored" and result.reply is None and result.message.alarm_id is None
    assert Alarm.select().count() == 3
    assert svc.ignored_count(school.ctx) == 3  # stored and shown
    assert stored_in(STRANGER)[-3:] == ["SOS", "[code word]", "help [code word]"]
    clock.advance(minutes=46)  # the first alarm was 61 minutes ago: one more may be raised
    assert svc.sms_in(school.ctx, STRANGER, "SOS").alarms
    assert svc.sms_in(school.ctx, "+447700900888", "SOS").alarms  # another number is counted apart


def test_item5_the_first_part_of_a_long_text_from_an_unknown_number_acts_early(school):
    """A long text arrives part by part: a plea or a code word in the parts so far acts at once,
    from an unknown number too; ordinary words wait for the rest."""
    from kiosk.services import multipart

    assert multipart.needs_early_action(STRANGER, "HELP it's Alice, my phone died, man at the door")
    assert multipart.needs_early_action(STRANGER, "it's Ann on Sam's phone, b l u e b i r d")
    assert not multipart.needs_early_action(STRANGER, "Hi it's Alice on a new phone, running")
    assert multipart.needs_early_action(ANN, "running late, police outside")
    assert not multipart.needs_early_action(HANA, "ACK 1 calling police now and")  # an ACK: can wait
