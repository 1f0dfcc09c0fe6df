"""What every admin screen shares: behind the admin PIN, and back to the board when left alone.

`open_admin(app, ctx, make_screen)` asks for the admin PIN (AdminPinScreen) and then pushes the
screen `make_screen()` builds; a wrong PIN or Escape leaves the board as it was. `AdminScreen` is the
base of the Staff, Register and Messages screens: after `ADMIN_IDLE_SECONDS` (120 s on the injected
clock) without a key, click or edit it closes itself and the dialogs it opened, and reception is on
the board again. It never closes a screen it did not open (an alarm that came up on top stays, and
the admin screen waits), and it never blocks the board or an alarm.

Keys on every admin screen: F6 Staff, F7 Register, F8 Messages, F1 help, Esc back to the board.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from kiosk.screens._form import FORMS_CSS
from kiosk.screens._idle import IDLE_CHECK_SECONDS, Activity
from kiosk.screens.pin import AdminPinScreen
from kiosk.security.idle import ADMIN_IDLE_SECONDS, IdleTimer

__all__ = ["Activity", "AdminScreen", "open_admin"]

ADMIN_CSS = Path(__file__).with_name("admin.tcss")


def open_admin(app: App, ctx: Any, make_screen: Callable[[], Screen]) -> None:
    """Ask for the admin PIN, then show the admin screen (nothing happens on a wrong PIN/Escape)."""

    def entered(ok: bool | None) -> None:
        if ok:
            app.push_screen(make_screen())

    app.push_screen(AdminPinScreen(ctx), entered)


class AdminScreen(Activity, Screen[None]):
    """Base of the admin screens (see the module docstring). Result: None when it closes."""

    CSS_PATH = [FORMS_CSS, ADMIN_CSS]
    BINDINGS = [
        Binding("escape", "close", "Board", key_display="Esc"),
        Binding("f6", "go('staff')", "Staff", key_display="F6"),
        Binding("f7", "go('register')", "Register", key_display="F7"),
        Binding("f8", "go('messages')", "Messages", key_display="F8"),
        Binding("f1", "help", "Help", key_display="F1"),
    ]
    NAME = ""

    def __init__(self, ctx: Any, *, idle_seconds: float = ADMIN_IDLE_SECONDS) -> None:
        super().__init__()
        self.ctx = ctx
        self.idle = IdleTimer(ctx.clock.monotonic, idle_seconds)
        self.children_opened: list[Screen] = []
        self.timed_out = False

    def on_mount(self) -> None:
        self.set_interval(IDLE_CHECK_SECONDS, self.check_idle)

    def open_child(self, screen: Screen, callback: Callable[[Any], None] | None = None) -> None:
        """Push a dialog that belongs to this admin session (closed with it on inactivity)."""
        self.children_opened.append(screen)
        if isinstance(screen, Activity):
            screen.idle = self.idle
        self.app.push_screen(screen, callback)

    def check_idle(self) -> None:
        if self.idle.expired():
            self.return_to_board()

    def return_to_board(self) -> bool:
        """Close this screen and its own dialogs; False (try again later) if anything else is above."""
        stack = self.app.screen_stack
        if self not in stack:
            return False
        above = stack[stack.index(self) + 1:]
        if any(screen not in self.children_opened for screen in above):
            return False
        self.timed_out = True
        for _ in above:
            self.app.pop_screen()
        self.dismiss(None)
        return True

    def action_close(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        from kiosk.screens.help import HelpScreen

        self.open_child(HelpScreen())

    def action_go(self, name: str) -> None:
        if name == self.NAME:
            return
        from kiosk.screens.messages import MessagesScreen
        from kiosk.screens.register import RegisterScreen
        from kiosk.screens.staff import StaffScreen

        target = {"staff": StaffScreen, "register": RegisterScreen, "messages": MessagesScreen}[name](self.ctx)
        target.idle = self.idle
        self.app.switch_screen(target)
