"""The key footer: at 80x24 every key reception needs is on screen (it wraps instead of being cut).

Found by QA: Textual's one-line Footer was cut at 80 columns, so F1 Help, F10 Quit and F9 (demo)
were invisible on the board, and the admin screens lost their own keys the same way.
"""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from kiosk.app import build_app
from kiosk.screens.messages import MessagesScreen
from kiosk.screens.register import RegisterScreen
from kiosk.screens.staff import StaffScreen
from kiosk.widgets.footer import KioskFooter, key_width, wrap_keys
from tests.ui.conftest import settle

BOARD_KEYS = {"o", "b", "e", "p", "c", "a", "F1", "F10", "F9"}


def _visible_keys(app) -> dict[str, FooterKey]:
    """Footer keys wholly inside the screen, by what they show."""
    width, height = app.size
    footer = app.screen.query_one(KioskFooter)
    shown = {}
    for key in footer.query(FooterKey):
        r = key.region
        if r.width == key_width(key) and r.x >= 0 and r.right <= width and 0 <= r.y < height:
            shown[key.key_display] = key
    return shown


def test_wrap_keys_keeps_the_order_and_fills_lines():
    keys = [FooterKey(k, k, d, "a") for k, d in [("o", "Sign out"), ("b", "Back"), ("F1", "Help")]]
    assert [key_width(k) for k in keys] == [12, 8, 9]
    assert wrap_keys(keys, 80) == [keys]
    assert wrap_keys(keys, 20) == [keys[:2], keys[2:]]
    assert wrap_keys(keys, 5) == [[k] for k in keys]  # a key wider than the line still gets one
    assert wrap_keys([], 80) == []


@pytest.mark.parametrize("term", ["xterm-256color", "linux"])
async def test_every_board_key_is_visible_at_80x24(ctx, term):
    app = build_app(ctx, live=False, demo=True, inject=lambda line: "", env={"TERM": term})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert set(_visible_keys(app)) == BOARD_KEYS
        footer = app.screen.query_one(KioskFooter)
        assert footer.lines == 2 and footer.region.height == 2 and footer.region.bottom == 24


async def test_a_wide_board_keeps_one_footer_line_and_rewraps_when_narrowed(ctx):
    app = build_app(ctx, live=False, demo=True, inject=lambda line: "")
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        footer = app.screen.query_one(KioskFooter)
        assert footer.lines == 1 and footer.region.height == 1
        assert set(_visible_keys(app)) == BOARD_KEYS
        await pilot.resize_terminal(60, 24)
        for _ in range(20):
            await pilot.pause()
            if app.screen.query_one(KioskFooter).lines == 3:
                break
        assert app.screen.query_one(KioskFooter).lines == 3
        assert set(_visible_keys(app)) == BOARD_KEYS


@pytest.mark.parametrize("screen", [StaffScreen, RegisterScreen, MessagesScreen])
async def test_every_admin_screen_key_is_visible_at_80x24(ctx, screen):
    app = build_app(ctx, live=False, demo=True, inject=lambda line: "")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.push_screen(screen(ctx))
        await settle(app, pilot)
        wanted = {b.key_display for _, b, _, _ in app.screen.active_bindings.values() if b.show}
        own = {StaffScreen: "F6", RegisterScreen: "F7", MessagesScreen: "F8"}[screen]
        assert {"Esc", "F6", "F7", "F8", "F1", "F10"} - {own} <= wanted
        assert own not in wanted  # the key of the screen already open is not offered
        assert set(_visible_keys(app)) == wanted


async def test_the_demo_panel_names_its_keys_as_the_text_and_the_other_screens_do(ctx):
    """Found by QA: the panel's footer said "esc" and "t" where its text and every other screen say
    "Esc" and "T"."""
    app = build_app(ctx, live=False, demo=True, inject=lambda line: "")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f9")
        await settle(app, pilot)
        assert {"Esc", "T"} <= set(_visible_keys(app))
