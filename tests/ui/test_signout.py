"""The sign-out form driven by keys: validation errors then success; register refusals and warnings.

Policies: "don't visit alone" registers (Tees Valley), two practitioners at flagged addresses (Hart
Hill); the code word is never shown; nothing is saved until every field is valid.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.config import config_from_mapping
from kiosk.screens.confirm import ConfirmDialog
from kiosk.screens.signout import SignOutResult, SignOutScreen, check_form
from kiosk.store.models import Visit, VisitMember
from tests.ui.forms_harness import Host, error_text, pilot_test, school, settle, type_text  # noqa: F401


async def _open(app, pilot):
    await settle(pilot)
    return app.screen_under_test


async def _pick(pilot, select_id: str, typed: str) -> None:
    """Focus a Select, open it with Enter, type to search, Enter to choose."""
    pilot.app.screen.query_one(f"#{select_id}").focus()
    await pilot.press("enter")
    await type_text(pilot, typed)
    await pilot.press("enter")


@pilot_test
async def test_sign_out_with_errors_then_success(school):
    app = Host(lambda: SignOutScreen(school.ctx))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert "choose who is going" in error_text(screen, "staff")
        assert "address is required" in error_text(screen, "place")
        assert "purpose" in error_text(screen, "purpose")
        assert "due back is required" in error_text(screen, "due")
        assert Visit.select().count() == 0
        await _pick(pilot, "staff", "bo")
        assert screen.query_one("#staff").value == school.bob.id
        screen.query_one("#place").value = "14 Elm Rd LU4"
        screen.query_one("#place").focus()
        await pilot.press("end")
        await type_text(pilot, " 9AB")  # typed: the public label follows the postcode
        assert "LU4" in str(screen.query_one("#label").render())
        await _pick(pilot, "purpose", "at")
        screen.query_one("#due").value = "25:99"
        screen.query_one("#code_word").focus()
        await type_text(pilot, "ok")  # a command word and too short: refused without echo
        await pilot.press("f9")
        await settle(pilot)
        assert error_text(screen, "staff") == "" and error_text(screen, "place") == ""
        assert "not a time" in error_text(screen, "due")
        assert "at least 4 letters" in error_text(screen, "code_word")
        assert Visit.select().count() == 0
        await pilot.press("f4")  # due back in 60 minutes
        screen.query_one("#code_word").value = ""  # the standing code word
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(screen.app.screen, ConfirmDialog)  # lone visit: the school's rule is "warn"
        await pilot.press("y")
        await settle(pilot)
    [result] = app.results
    assert isinstance(result, SignOutResult) and result.label == "Visit 1 · LU4"
    visit = Visit.get_by_id(result.visit_id)
    assert visit.place == "14 Elm Rd LU4 9AB" and visit.purpose == "attendance"
    assert visit.due_back == school.clock.now() + timedelta(minutes=60)
    assert visit.code_word is None and visit.started_by == "kiosk"
    assert [m.staff.id for m in VisitMember.select()] == [school.bob.id]


@pilot_test
async def test_lone_visit_to_a_flagged_place_is_refused_with_the_reason(school):
    app = Host(lambda: SignOutScreen(school.ctx))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        await _pick(pilot, "staff", "ann")
        assert screen.query_one("#vehicle").value == "AB12 CDE Ford Fiesta blue"  # from Ann's record
        screen.query_one("#place").value = "9 Oak Lane, Luton"
        screen.query_one("#purpose").value = "safeguarding"
        await pilot.press("f2")
        await pilot.press("f9")
        await settle(pilot)
        banner = screen.query_one("#banner")
        assert banner.kind == "refused" and "don't visit alone: dog; known aggression" in banner.message
        assert "don't visit alone" in error_text(screen, "second")
        assert Visit.select().count() == 0 and app.results == []
        # With a second member the same place is a warning that needs an explicit Y.
        await _pick(pilot, "second", "bob")
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert Visit.select().count() == 0 and "Not signed out" in banner.message
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
    [result] = app.results
    assert result.warnings == ("on the register: dog; known aggression",)
    assert VisitMember.select().count() == 2


@pilot_test
async def test_lone_visits_refused_by_the_school_setting(tmp_path, clock):
    from tests.ui.forms_harness import School

    s = School(tmp_path / "k.db", clock, visits={"lone_visits": "refuse"})
    app = Host(lambda: SignOutScreen(s.ctx))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        screen.query_one("#staff").value = s.bob.id
        screen.query_one("#place").value = "3 Ash Grove LU2 7XY"
        screen.query_one("#purpose").value = "other"
        screen.query_one("#due").value = "16:00"
        await pilot.press("f9")
        await settle(pilot)
        assert "lone visits are not allowed" in screen.query_one("#banner").message
    assert Visit.select().count() == 0
    s.close()


@pilot_test
async def test_only_active_staff_with_a_code_word_who_are_not_out_can_be_chosen(school):
    from kiosk.services import sign_out

    sign_out(school.ctx, [school.bob], "1 Elm Rd LU4 9AB", school.clock.now() + timedelta(hours=1))
    app = Host(lambda: SignOutScreen(school.ctx))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        offered = [value for _, value in screen.query_one("#staff")._options if isinstance(value, int)]
        assert school.ann.id in offered
        assert school.bob.id not in offered and school.cy.id not in offered  # out already; no code word
        await pilot.press("escape")
        await settle(pilot)
    assert app.results == [None]


@pilot_test
async def test_code_word_is_masked_and_a_visit_word_is_stored_normalised(school):
    app = Host(lambda: SignOutScreen(school.ctx))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        screen.query_one("#staff").value = school.ann.id
        screen.query_one("#second").value = school.bob.id
        screen.query_one("#place").value = "3 Ash Grove LU2 7XY"
        screen.query_one("#purpose").value = "send"
        screen.query_one("#due").value = "+45"
        screen.query_one("#code_word").value = "Marigol"
        screen.query_one("#code_word").focus()
        await pilot.press("end")
        await type_text(pilot, "d")
        assert screen.query_one("#code_word").password
        shown = app.export_screenshot()
        assert "Marigold" not in shown and "arigold" not in shown and "•" in shown
        await pilot.press("f9")
        await settle(pilot)
    [result] = app.results
    assert Visit.get_by_id(result.visit_id).code_word == "marigold"



@pytest.mark.parametrize("field, value, message", [
    ("place", "\x1b[2J\x1b[31m", "control characters"),
    ("place", "x" * 201, "too long"),
    ("place", "--- !!!", "letters or numbers"),
    ("family_ref", "ref\u202e", "control characters"),
    ("vehicle", "v" * 61, "too long"),
    ("approved_by", "\x07bell", "control characters"),
    ("code_word", "blue bird", "one word"),
    ("code_word", "help", "command"),
    ("due", "[bold red]x[/]", "not a time"),
    ("due", "13:00", "already passed"),
    ("due", "+300", "ahead"),
])
def test_check_form_garbage_gets_a_message_beside_the_field(clock, field, value, message):
    config = config_from_mapping({})
    values = {"staff": 1, "second": None, "place": "1 Elm Rd LU4 9AB", "family_ref": "", "purpose": "other",
              "due": "+30", "check_in": 0, "vehicle": "", "code_word": "", "approved_by": ""}
    values[field] = value
    draft = check_form(values, {1}, clock.now(), config.tz, 240)
    assert list(draft.errors) == [field]
    assert message in draft.errors[field]
    if field == "code_word":
        assert value not in draft.errors[field]


@pilot_test
async def test_a_form_left_alone_for_five_minutes_closes_and_saves_nothing(school):
    app = Host(lambda: SignOutScreen(school.ctx))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        screen.query_one("#place").value = "14 Elm Rd LU4 9AB"  # a visitor could read it: it must go
        await pilot.pause()  # the edit counts as activity at 14:00
        school.clock.advance(299)
        await pilot.pause(0.6)
        assert app.results == []
        school.clock.advance(2)
        for _ in range(100):
            if app.results:
                break
            await pilot.pause(0.05)
    assert app.results == [None] and Visit.select().count() == 0
