"""The bare Linux console: picked from TERM=linux, ASCII big type, and no stray-key quitting."""

from __future__ import annotations

import pytest

from kiosk.app import build_app, wants_console
from kiosk.screens.board import BoardScreen
from kiosk.screens.pin import AdminPinScreen
from kiosk.security.pins import hash_pin
from kiosk.store import open_database
from kiosk.themes import CONSOLE_THEME
from kiosk.widgets.big import ascii_figures
from tests.ui.conftest import settle
from tests.ui.school import make_context


def test_console_look_is_chosen_by_term_and_config():
    assert wants_console("auto", {"TERM": "linux"})
    assert not wants_console("auto", {"TERM": "xterm-256color"})
    assert not wants_console("auto", {})
    assert wants_console("console", {"TERM": "xterm"})
    assert not wants_console("full", {"TERM": "linux"})


def test_ascii_figures_use_only_ascii():
    figures = ascii_figures("14:05 0123456789")
    assert figures.isascii() and len(figures.splitlines()) == 3


async def test_term_linux_gets_the_console_theme_and_only_the_admin_pin_quits(db_path, clock):
    open_database(db_path)
    ctx = make_context(clock, security={"admin_pin_hash": hash_pin("2468")})
    app = build_app(ctx, live=False, env={"TERM": "linux"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.theme == CONSOLE_THEME and app.options.console
        await pilot.press("ctrl+c", "ctrl+q", "escape")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, BoardScreen)
        assert app.return_code is None
        await pilot.press("f10")
        await settle(app, pilot)
        assert isinstance(app.screen, AdminPinScreen)
        await pilot.press("escape")
        assert app.is_running and isinstance(app.screen, BoardScreen)
        await pilot.press("f10")
        await settle(app, pilot)
        await pilot.press("1", "1", "1", "1", "enter")  # wrong PIN
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, AdminPinScreen)
        clock.advance(60)  # a wrong PIN only slows the next try
        await pilot.press(*"2468", "enter")
        await settle(app, pilot)
    assert app.return_code == 0


STRAY_KEYS = ("ctrl+q", "ctrl+c", "ctrl+p", "ctrl+backslash", "ctrl+z", "ctrl+d", "ctrl+w", "escape")


@pytest.mark.parametrize("term", ["linux", "xterm-256color", "foot"])  # console, xterm, the cage+foot route
@pytest.mark.parametrize("demo", [False, True])
async def test_no_stray_key_quits_or_leaves_the_board_on_any_terminal(ctx, term, demo):
    """Found by QA: Ctrl+Q (Textual's default quit) closed the board on a full-colour terminal, which
    includes the Wayland route. A visitor's stray key must never close a safety board."""
    app = build_app(ctx, live=False, demo=demo, inject=(lambda line: "") if demo else None, env={"TERM": term})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.options.console == (term == "linux")
        stack = list(app.screen_stack)
        for key in STRAY_KEYS:
            await pilot.press(key)
            await pilot.pause()
            assert app.is_running and app.return_code is None, key
            assert list(app.screen_stack) == stack and isinstance(app.screen, BoardScreen), key
        await pilot.press("o")  # and not from a form either
        await settle(app, pilot)
        form = app.screen
        assert not isinstance(form, BoardScreen)
        await pilot.press("ctrl+q", "ctrl+c", "ctrl+p")
        await pilot.pause()
        assert app.is_running and app.screen is form
        assert any("Ctrl+Q does not quit" in n.message for n in app._notifications)


async def test_the_demo_on_the_console_without_an_admin_pin_quits_with_f10(ctx):
    """Found trying `TERM=linux kiosk demo`: Ctrl+C/Ctrl+Q rightly do not quit, and F10 asked for an
    admin PIN the demo never sets ("run kiosk admin set-pin --write, then restart"): no way out."""
    app = build_app(ctx, live=False, demo=True, inject=lambda line: "", env={"TERM": "linux"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+c", "ctrl+q")
        await pilot.pause()
        assert app.is_running and app.return_code is None
        await pilot.press("f10")
        await pilot.pause()
    assert app.return_code == 0


async def test_outside_the_demo_f10_without_an_admin_pin_still_does_not_quit(ctx):
    app = build_app(ctx, live=False, env={"TERM": "linux"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f10")
        await settle(app, pilot)
        assert isinstance(app.screen, AdminPinScreen) and app.is_running
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and app.return_code is None
