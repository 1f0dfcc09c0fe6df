"""The console theme covers every screen (issue 15): on the bare Linux console (TERM=linux) each
screen is drawn with ASCII, one border style, readable without colour.

Found with `TERM=linux kiosk demo`: the board, the F9 panel, the alarm view and the acknowledgement
used `+---+`, but Extend, "Code word heard on a call", "Who is at the keyboard?", the admin PIN and
the focused F9 panel drew `┏━┓`; radio buttons were `▐●▌` for every row; the clock ran together.
Each screen here is rendered as text and every character checked; a snapshot per screen is in
test_console_snapshots.py.
"""

from __future__ import annotations

import pytest

from kiosk.app import build_app
from kiosk.security.pins import hash_pin
from kiosk.services.reception import set_reception_pin
from kiosk.widgets.big import ascii_figures
from kiosk.widgets.visits import VisitsTable
from tests.ui.conftest import settle
from tests.ui.school import busy, make_context

# The Linux console's own fonts have ASCII and Latin-1 ("·" in a board label, "£"); not the
# box-drawing, block and geometric characters Textual draws by default.
CONSOLE_CHARACTERS = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xA0, 0x100)}


def screen_text(app) -> list[str]:
    """What the terminal shows, line by line."""
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]


def foreign(lines: list[str]) -> set[str]:
    return {ch for line in lines for ch in line} - CONSOLE_CHARACTERS


async def _select(app, pilot, visit_id: int) -> None:
    table = app.screen.query_one(VisitsTable)
    table.move_cursor(row=table.get_row_index(str(visit_id)))
    await pilot.pause()


SCREENS = {  # name: keys pressed on the board (after selecting Gus's visit)
    "board": (),
    "extend": ("e",),
    "code word heard on a call": ("c",),
    "who is at the keyboard": ("e", "f2", "f9"),
    "admin pin": ("f6",),
    "sign out": ("o",),
    "help": ("f1",),
    "demo panel, typing": ("f9", "t", "s", "m", "s"),
}


@pytest.mark.parametrize("name", list(SCREENS))
async def test_every_screen_on_the_console_is_ascii_and_latin1_only(database, clock, name):
    from kiosk.store import open_database

    db = open_database(database)
    try:
        ctx = make_context(clock, security={"admin_pin_hash": hash_pin("2468")})
        ids = busy(ctx, clock)
        set_reception_pin(ctx, "JR", "4821", name="Jo Reed")
        app = build_app(ctx, live=False, console=True, demo=True, inject=lambda line: "sent")
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            await _select(app, pilot, ids["gus"])
            for key in SCREENS[name]:
                await pilot.press(key)
                await settle(app, pilot)
            lines = screen_text(app)
            assert not foreign(lines), (name, sorted(foreign(lines)), "\n".join(lines))
    finally:
        db.close()


async def test_the_red_alarm_view_and_its_acknowledgement_on_the_console(database, clock):
    from kiosk.store import open_database

    db = open_database(database)
    try:
        ctx = make_context(clock)
        busy(ctx, clock, pending_duress=True)
        set_reception_pin(ctx, "JR", "4821", name="Jo Reed")
        app = build_app(ctx, live=False, console=True)
        app.bell = lambda: None
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            assert not foreign(screen_text(app)), "\n".join(screen_text(app))
            await pilot.press("a")
            await settle(app, pilot)
            await pilot.press(*"JR", "tab", *"4821", "enter")
            await settle(app, pilot)
            await pilot.press("3")
            await settle(app, pilot)
            lines = screen_text(app)
            assert not foreign(lines), (sorted(foreign(lines)), "\n".join(lines))
            text = "\n".join(lines)
            assert "(*) 3 Police called" in text and "( ) 4 Stood down" in text  # chosen without colour
    finally:
        db.close()


def test_the_ascii_clock_keeps_a_space_between_figures():
    """`||_|.|_||_` ran together: every figure now has a column of its own."""
    lines = ascii_figures("11:48").splitlines()
    assert len({len(line) for line in lines}) == 1
    width = len(lines[0])
    columns = ["".join(line[x] for line in lines) for x in range(width)]
    blanks = [x for x, column in enumerate(columns) if not column.strip()]
    # 1, 1, :, 4, 8: a blank column between each pair of neighbours
    figures = [x for x in range(width) if columns[x].strip()]
    groups = 1 + sum(1 for a, b in zip(figures, figures[1:]) if b - a > 1)
    assert groups == 5 and blanks

