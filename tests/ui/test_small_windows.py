"""Small windows never hide the alarm (issue 15): below 80x24 the board says "make the window at
least 80×24"; the red alarm view shows CALL 999, the name, the phone and the place down to 40x12.

Found at 60x20: the OVERDUE heading read `OVE` and the columns were cut; at 40x12 the visits went
with no message, and the alarm view showed CALL 999 and a name cut after "07700".
"""

from __future__ import annotations

import pytest

from kiosk.app import build_app
from tests.ui.conftest import settle
from tests.ui.school import busy
from tests.ui.test_console_screens import screen_text

NOTICE = "Make the window at least 80\u00d724"


@pytest.mark.parametrize("size", [(40, 12), (60, 20), (80, 24), (160, 48)])
@pytest.mark.parametrize("console", [False, True])
async def test_the_red_alarm_view_shows_call_999_name_phone_and_place_at_any_size(ctx, clock, size, console):
    busy(ctx, clock, pending_duress=True)
    app = build_app(ctx, live=False, console=console)
    app.bell = lambda: None
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        text = "\n".join(screen_text(app))
        for shown in ("RED ALARM 4", "CALL 999", "Gus Hill", "07700 900127", "5 High St, Leagrave LU4"):
            assert shown in text, (size, shown, text)


@pytest.mark.parametrize("size, told", [((40, 12), True), ((60, 20), True), ((79, 24), True), ((80, 23), True),
                                        ((80, 24), False), ((160, 48), False)])
async def test_the_board_below_80x24_says_make_the_window_bigger(ctx, clock, size, told):
    busy(ctx, clock)
    app = build_app(ctx, live=False)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        text = "\n".join(screen_text(app))
        assert (NOTICE in text) == told, text
        await pilot.resize_terminal(100, 30)  # made bigger: the notice goes
        await pilot.pause()
        assert NOTICE not in "\n".join(screen_text(app))


@pytest.mark.parametrize("console", [False, True])
async def test_the_pin_prompt_over_a_red_alarm_keeps_the_alarm_in_sight(ctx, clock, console):
    """Found on the console: A on the alarm view opened "Who is at the keyboard?" on a black screen."""
    from kiosk.screens.pin import ReceptionPinScreen

    busy(ctx, clock, pending_duress=True)
    app = build_app(ctx, live=False, console=console)
    app.bell = lambda: None
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, ReceptionPinScreen)
        text = "\n".join(screen_text(app))
        assert "Who is at the keyboard?" in text and "RED ALARM 4" in text and "CALL 999" in text
