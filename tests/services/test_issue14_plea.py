"""Issue 14 through the services: a plea for help is never "safe" (item 1), a code word in any
spelling is duress and never stored (item 2), unknown numbers can still raise red (item 5), and a
bare hour means its next occurrence (item 7)."""

from __future__ import annotations

from kiosk import services as svc
from kiosk.domain.codewords import find_code_words
from kiosk.store.models import Alarm, Message, Visit
from tests.services.conftest import ANN, DEE, HANA


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
