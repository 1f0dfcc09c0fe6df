"""Forms in a hurry (issue 15): the field with the focus is marked, errors are current, Save says
which field is wrong and goes there, over-long text is refused (never cut), and a code word typed
into the wrong field is never stored.
"""

from __future__ import annotations

import pytest

from kiosk.domain import limits
from kiosk.screens._form import Row
from kiosk.screens.signout import SignOutScreen
from kiosk.services import add_staff, sign_out
from kiosk.services.errors import Invalid
from kiosk.store.models import Event, Visit
from tests.ui.forms_harness import Host, error_text, pilot_test, school, settle, type_text  # noqa: F401


def marked(screen) -> list[str]:
    """The labels of the rows marked as having the focus."""
    return [r.label for r in screen.query(Row) if r.has_class("-focused")
            and "▶" in str(r.query_one(".marker").render())]


async def _open(app, pilot):
    await settle(pilot)
    return app.screen_under_test


async def _pick(pilot, select_id: str, typed: str) -> None:
    pilot.app.screen.query_one(f"#{select_id}").focus()
    await pilot.press("enter")
    await type_text(pilot, typed)
    await pilot.press("enter")


@pilot_test
async def test_the_focused_field_is_marked_and_the_mark_follows_tab_and_shift_tab(school):
    app = Host(lambda: SignOutScreen(school.ctx))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        assert marked(screen) == ["Staff"]
        await pilot.press("tab")
        assert marked(screen) == ["With"]
        await pilot.press("tab")
        assert marked(screen) == ["Place"]
        await pilot.press("shift+tab", "shift+tab")
        assert marked(screen) == ["Staff"]


@pilot_test
async def test_save_names_the_wrong_field_moves_there_and_the_error_clears_when_corrected(school):
    app = Host(lambda: SignOutScreen(school.ctx))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        await _pick(pilot, "staff", "bo")
        await _pick(pilot, "purpose", "at")
        screen.query_one("#due").focus()
        await type_text(pilot, "+0")
        await pilot.press("f9")
        await settle(pilot)
        banner = screen.query_one("#banner").message
        assert banner.startswith("Place: the full address is required (and 1 more field)"), banner
        assert screen.focused.id == "place" and marked(screen) == ["Place"]
        assert error_text(screen, "place") and error_text(screen, "due")
        await type_text(pilot, "14 Elm Rd LU4 9AB")
        assert error_text(screen, "place") == ""  # corrected: the error went at once
        assert not screen.query_one("#place").has_class("-invalid-field")
        screen.query_one("#due").focus()
        await pilot.press("backspace")
        await type_text(pilot, "30")
        assert error_text(screen, "due") == ""
        shown = str(screen.query_one("#due-shown").render())
        assert "due back at 14:30" in shown  # and never beside a stale "give a number of minutes"
        assert Visit.select().count() == 0


@pilot_test
async def test_an_address_over_the_limit_is_refused_as_typed_and_kept_whole(school):
    """Found in a trial: a 2,000-character place was cut to 200 without a word, the postcode at its
    end lost (the label became "Visit 5")."""
    app = Host(lambda: SignOutScreen(school.ctx))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        place = screen.query_one("#place")
        place.focus()
        long_place = "Flat 1, " + "Long Road " * 30 + "LU4 9AB"
        place.insert_text_at_cursor(long_place)  # as a paste arrives
        await pilot.pause()
        assert place.value == long_place  # nothing cut
        message = error_text(screen, "place")
        assert f"at most {limits.PLACE}" in message and str(len(long_place)) in message
        await _pick(pilot, "staff", "bo")
        await _pick(pilot, "purpose", "at")
        await pilot.press("f4")
        await pilot.press("f9")
        await settle(pilot)
        assert screen.focused.id == "place" and "too long" in error_text(screen, "place")
        assert Visit.select().count() == 0


def test_form_cli_and_service_share_one_limit_per_field(school):
    """The form allowed 200/40/60 characters where the service allowed 300/120/120."""
    from kiosk.screens import signout

    assert (signout.MAX_PLACE, signout.MAX_REF, signout.MAX_VEHICLE, signout.MAX_BY) == (
        limits.PLACE, limits.FAMILY_REF, limits.VEHICLE, limits.BY)
    due = school.clock.now().replace(hour=15)
    over = {"place": "LU4 9AB " + "x" * (limits.PLACE - 7), "vehicle": "x" * (limits.VEHICLE + 1),
            "family_ref": "x" * (limits.FAMILY_REF + 1), "approved_by": "x" * (limits.BY + 1)}
    for field, text in over.items():
        place = text if field == "place" else "1 Elm Rd LU4 9AB"
        kwargs = {} if field == "place" else {field: text}
        with pytest.raises(Invalid, match=f"at most {len(text) - 1}"):
            sign_out(school.ctx, [school.bob.id], place, due, **kwargs)
    assert Visit.select().count() == 0
    add_staff(school.ctx, "A" * limits.BY, None, approver=True)  # an approver's name as long as it may be
    at_limit = sign_out(school.ctx, [school.bob.id], "LU4 9AB " + "x" * (limits.PLACE - 8), due,
                        vehicle="v" * limits.VEHICLE)
    assert len(at_limit.visit.place) == limits.PLACE


@pytest.mark.parametrize("field", ["vehicle", "approved_by", "family_ref"])
@pilot_test
async def test_a_code_word_typed_into_another_field_is_refused_there_and_never_stored(school, field):
    """Found in a trial: Bob's code word went into Vehicle, and into Approved by (the fields either
    side of Code word), where it would be stored and shown in clear."""
    app = Host(lambda: SignOutScreen(school.ctx))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        await _pick(pilot, "staff", "bo")
        screen.query_one("#place").value = "14 Elm Rd LU4 9AB"
        await _pick(pilot, "purpose", "at")
        await pilot.press("f4")
        screen.query_one(f"#{field}").focus()
        await type_text(pilot, "Kestrel")
        await pilot.press("f9")
        await settle(pilot)
        if screen.app.screen is not screen:  # the lone-visit warning
            await pilot.press("y")
            await settle(pilot)
        assert "code word" in error_text(screen, field) and "estrel" not in error_text(screen, field)
        assert screen.focused.id == field and "estrel" not in screen.query_one("#banner").message
        assert Visit.select().count() == 0
    assert all("estrel" not in (e.summary or "") for e in Event.select())


def test_the_service_refuses_a_code_word_in_any_typed_text(school):
    due = school.clock.now().replace(hour=15)
    for kwargs in ({"vehicle": "blue Ford KESTREL"}, {"approved_by": "kestrel"}, {"travel": "bluebirds"},
                   {"vehicle": "hawfinch", "code_word": "Hawfinch"}):
        with pytest.raises(Invalid, match="code word") as refused:
            sign_out(school.ctx, [school.bob.id], "1 Elm Rd LU4 9AB", due, **kwargs)
        assert "estrel" not in str(refused.value) and "bluebird" not in str(refused.value)
    assert Visit.select().count() == 0
