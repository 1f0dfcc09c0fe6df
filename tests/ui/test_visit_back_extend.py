"""Back (with the post-visit questions) and extend, driven by keys; both record who did it by PIN.

Issue 5: "mark a visit back (with the post-visit questions from the policies: objective achieved,
follow-up needed, any safeguarding concern — optional but prompted), extend it".
"""

from __future__ import annotations

from datetime import timedelta

from kiosk.domain import ladder as L
from kiosk.screens.pin import ReceptionPinScreen
from kiosk.screens.visit_back import VisitBackScreen
from kiosk.screens.visit_extend import VisitExtendScreen
from kiosk.services import alarms, sign_out
from kiosk.store.models import Event, Visit
from tests.ui.forms_harness import RECEPTION_PIN, Host, error_text, pilot_test, school, settle, type_text  # noqa: F401


def _out(school, minutes=60):
    return sign_out(school.ctx, [school.ann], "14 Elm Rd LU4 9AB", school.clock.now() + timedelta(minutes=minutes)).visit


async def _pin(pilot, initials="ab", pin=RECEPTION_PIN):
    """Who is at the keyboard (the dialog's own keys are tested in test_pin.py)."""
    await settle(pilot)
    assert isinstance(pilot.app.screen, ReceptionPinScreen)
    pilot.app.screen.query_one("#initials").value = initials
    pilot.app.screen.query_one("#pin").value = pin
    await pilot.press("enter")
    await settle(pilot)


async def _choose(pilot, select_id, downs):
    pilot.app.screen.query_one(f"#{select_id}").focus()
    await pilot.press("enter", *(["down"] * downs), "enter")


@pilot_test
async def test_back_with_post_visit_answers(school):
    visit = _out(school)
    app = Host(lambda: VisitBackScreen(school.ctx, visit.id))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen_under_test
        assert "Visit 1 · LU4" in str(screen.query_one("#title").render())
        await pilot.press("f9")  # nothing answered: prompted once
        assert "not answered: objective achieved, follow-up needed, safeguarding concern" in \
            screen.query_one("#banner").message
        assert Visit.get_by_id(visit.id).state == "out"
        await _choose(pilot, "objective", 2)  # Partly
        await _choose(pilot, "follow_up", 1)  # Yes
        await _choose(pilot, "concern", 1)  # Yes
        assert "safeguarding system" in str(screen.query_one("#concern-hint").render())
        await pilot.press("f9")
        await _pin(pilot)
    assert app.results == [True]
    back = Visit.get_by_id(visit.id)
    assert back.state == "back" and back.ended_by == "kiosk:AB"
    assert (back.objective_achieved, back.follow_up_needed, back.safeguarding_concern) == ("partly", True, True)
    event = Event.get(Event.kind == "post-visit-answers")
    assert event.summary == "visit 1: objective partly, follow-up yes, safeguarding concern yes"


@pilot_test
async def test_back_unanswered_after_the_prompt_and_a_wrong_pin_first(school):
    visit = _out(school)
    app = Host(lambda: VisitBackScreen(school.ctx, visit.id))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f9", "f9")
        await _pin(pilot, pin="0000")
        assert isinstance(app.screen, ReceptionPinScreen) and Visit.get_by_id(visit.id).state == "out"
        app.screen.query_one("#pin").value = RECEPTION_PIN
        await pilot.press("enter")
        await settle(pilot)
    assert app.results == [True]
    back = Visit.get_by_id(visit.id)
    assert back.state == "back" and back.objective_achieved is None and back.safeguarding_concern is None


@pilot_test
async def test_back_refused_while_a_red_alarm_is_open(school):
    visit = _out(school)
    alarms.raise_alarm(school.ctx, L.DURESS, L.RED, visit=visit, actor="test", summary="duress")
    app = Host(lambda: VisitBackScreen(school.ctx, visit.id))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen_under_test
        assert "red alarm" in screen.query_one("#banner").message
        await pilot.press("f9", "f9")
        await _pin(pilot)
        assert "resolve it first (R on the board" in screen.query_one("#banner").message
        assert screen.query_one("#banner").kind == "refused"
        await pilot.press("escape")
        await settle(pilot)
    assert app.results == [False] and Visit.get_by_id(visit.id).state == "out"


@pilot_test
async def test_back_note_garbage_is_refused_beside_the_field(school):
    visit = _out(school)
    app = Host(lambda: VisitBackScreen(school.ctx, visit.id))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen_under_test
        screen.query_one("#note").value = "fine\x1b]0;pwned\x07"
        await pilot.press("f9")
        assert "control characters" in error_text(screen, "note")
        assert not isinstance(app.screen, ReceptionPinScreen)
    assert Visit.get_by_id(visit.id).state == "out"


@pilot_test
async def test_extend_by_quick_pick_and_typed_time(school):
    visit = _out(school)
    app = Host(lambda: VisitExtendScreen(school.ctx, visit.id))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen_under_test
        assert "due back now 15:00" in str(screen.query_one("#summary").render())
        await type_text(pilot, "9pm")
        await pilot.press("f9")
        assert "ahead is not accepted" in error_text(screen, "due")
        await pilot.press("f5")  # +90
        assert "15:30" in str(screen.query_one("#due-shown").render())
        school.clock.advance(minutes=2)  # the PIN takes a moment: +90 counts from saving
        await pilot.press("f9")
        await _pin(pilot)
    assert app.results == [True]
    moved = Visit.get_by_id(visit.id)
    assert moved.due_back == school.clock.now() + timedelta(minutes=90)
    assert Event.get(Event.kind == "visit-extended").actor == "kiosk:AB"


@pilot_test
async def test_extend_typed_local_time(school):
    visit = _out(school)
    app = Host(lambda: VisitExtendScreen(school.ctx, visit.id))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await type_text(pilot, "16:15")
        await pilot.press("enter")
        await _pin(pilot)
    assert app.results == [True]
    assert Visit.get_by_id(visit.id).due_back.strftime("%H:%M") == "16:15"  # UTC = London in November
