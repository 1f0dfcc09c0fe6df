"""A snapshot of each screen in the console theme (TERM=linux), 80x24 on a FakeClock at 14:00 with
every timer off: ASCII borders of one style, "(*)" for a chosen radio, ">" before the focused field.
test_console_screens.py checks every character of the same screens.

Update after a deliberate change with `--snapshot-update`, then look at the SVGs before committing.
"""

from __future__ import annotations

import pytest

from kiosk.app import build_app
from kiosk.security.pins import hash_pin
from kiosk.services.reception import set_reception_pin
from kiosk.widgets.visits import VisitsTable
from tests.ui.conftest import settle
from tests.ui.school import busy, make_context

KEYS = {
    "extend": ("e",),
    "code_word_on_a_call": ("c",),
    "who_is_at_the_keyboard": ("e", "f2", "f9"),
    "admin_pin": ("f6",),
    "sign_out": ("o",),
    "help": ("f1",),
    "demo_panel_typing": ("f9", "t", "s", "m", "s"),
}


@pytest.mark.parametrize("name", list(KEYS))
def test_console_screen(database, clock, snap_compare, name):
    from kiosk.store import open_database

    db = open_database(database)
    ctx = make_context(clock, security={"admin_pin_hash": hash_pin("2468")})
    ids = busy(ctx, clock)
    set_reception_pin(ctx, "JR", "4821", name="Jo Reed")
    app = build_app(ctx, live=False, console=True, demo=True, inject=lambda line: "sent")

    async def keys(pilot) -> None:
        await settle(pilot.app, pilot)
        table = pilot.app.screen.query_one(VisitsTable)
        table.move_cursor(row=table.get_row_index(str(ids["gus"])))
        for key in KEYS[name]:
            await pilot.press(key)
            await settle(pilot.app, pilot)

    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=keys)
    finally:
        db.close()


def test_console_red_alarm_view(database, clock, snap_compare):
    from kiosk.store import open_database

    db = open_database(database)
    ctx = make_context(clock)
    busy(ctx, clock, pending_duress=True)
    app = build_app(ctx, live=False, console=True)
    app.bell = lambda: None

    async def settled(pilot) -> None:
        await settle(pilot.app, pilot)

    try:
        assert snap_compare(app, terminal_size=(80, 24), run_before=settled)
    finally:
        db.close()
