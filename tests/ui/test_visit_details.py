"""A visit's timeline: every event, alarm and SMS in order; SMS text shown literally, never as markup.

Issue 8: "all text from SMS ... is rendered as plain text: Rich/Textual markup, ANSI/OSC escape
sequences, bidi overrides and control characters are shown harmlessly, never interpreted".
"""

from __future__ import annotations

from datetime import timedelta

from kiosk.domain import ladder as L
from kiosk.screens.safe import visible
from kiosk.screens.visit_details import VisitDetailsScreen, load_timeline
from kiosk.services import alarms, extend, sign_out
from kiosk.store.models import Message, Visit
from tests.ui.forms_harness import HOSTILE, Host, pilot_test, rendered, school, settle  # noqa: F401


def _visit_with_texts(school):
    visit = sign_out(school.ctx, [school.ann], "14 Elm Rd LU4 9AB", school.clock.now() + timedelta(hours=1)).visit
    for n, text in enumerate(HOSTILE):
        school.clock.advance(60)
        Message.create(direction="in", number="+447700900123", text=text, state="processed",
                       created_at=school.clock.now(), visit=visit, staff=school.ann, fingerprint=f"t{n}")
    school.clock.advance(60)
    extend(school.ctx, visit.id, by="AB", minutes=30, actor="kiosk")
    school.clock.advance(60)
    alarms.raise_alarm(school.ctx, L.OVERDUE, L.AMBER, visit=visit, actor="ladder", summary="overdue")
    return visit


def test_timeline_is_in_time_order(school):
    visit = _visit_with_texts(school)
    timeline = load_timeline(visit.id)
    times = [e.at for e in timeline.entries]
    assert times == sorted(times)
    whats = [e.what for e in timeline.entries]
    assert whats[0] == "visit-out" and whats[-1] == "AMBER alarm: overdue"
    assert [e.text for e in timeline.entries if e.what.startswith("SMS in")] == list(HOSTILE)


@pilot_test
async def test_hostile_sms_text_is_shown_literally_and_changes_nothing(school):
    visit = _visit_with_texts(school)
    app = Host(lambda: VisitDetailsScreen(school.ctx, visit.id))
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        table = app.screen_under_test.query_one("#timeline")
        cells = [table.get_row_at(i)[3] for i in range(table.row_count)]
        shown = {cell.plain for cell in cells}
        for text in HOSTILE:
            assert visible(text) in shown  # every character accounted for, none interpreted
        assert all(not cell.spans and not cell.style for cell in cells)  # no markup became style
        screen_text = rendered(app)
        assert "[bold red]x[/]" in screen_text and "[@click=app.quit]quit[/]" in screen_text
        assert "\x1b" not in screen_text and "\u202e" not in screen_text
        await pilot.click("#timeline", offset=(100, 5))  # clicking a [@click=...] text does nothing
        await pilot.press("down", "down", "escape")
        await settle(pilot)
    assert app.results == [None]  # closed by Escape, not quit by an SMS
    assert Visit.get_by_id(visit.id).state == "out"
    assert "bluebird" not in screen_text


def test_visible_shows_every_control_character():
    assert visible("a\x1b[31mb") == "a\u241b[31mb"
    assert visible("\u202eabc") == "<U+202E>abc"
    assert visible("x\x00y\x7f") == "x\u2400y\u2421"
    assert visible("two\nlines") == "two lines"
    assert visible(None) == ""
