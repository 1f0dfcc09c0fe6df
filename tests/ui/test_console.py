"""The bare Linux console: picked from TERM=linux, ASCII big type, and no stray-key quitting."""

from __future__ import annotations

from kiosk.app import build_app, wants_console
from kiosk.screens.board import BoardScreen
from kiosk.screens.confirm import ConfirmDialog
from kiosk.themes import CONSOLE_THEME, FULL_THEME
from kiosk.widgets.big import ascii_figures
from tests.ui.conftest import settle


def test_console_look_is_chosen_by_term_and_config():
    assert wants_console("auto", {"TERM": "linux"})
    assert not wants_console("auto", {"TERM": "xterm-256color"})
    assert not wants_console("auto", {})
    assert wants_console("console", {"TERM": "xterm"})
    assert not wants_console("full", {"TERM": "linux"})


def test_ascii_figures_use_only_ascii():
    figures = ascii_figures("14:05 0123456789")
    assert figures.isascii() and len(figures.splitlines()) == 3


async def test_term_linux_gets_the_console_theme_and_ctrl_c_ctrl_q_do_not_quit(ctx):
    app = build_app(ctx, live=False, env={"TERM": "linux"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.theme == CONSOLE_THEME and app.options.console
        await pilot.press("ctrl+c", "ctrl+q", "escape")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, BoardScreen)
        assert app.return_code is None
        await pilot.press("f10")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        assert app.is_running and isinstance(app.screen, BoardScreen)
        await pilot.press("f10", "y")
        await pilot.pause()
    assert app.return_code == 0


async def test_a_normal_terminal_gets_full_colour(ctx):
    app = build_app(ctx, live=False, env={"TERM": "xterm-256color"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.theme == FULL_THEME and not app.options.console
