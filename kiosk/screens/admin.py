"""What every admin screen shares: behind the admin PIN, and back to the board when left alone.

`open_admin(app, ctx, make_screen)` asks for the admin PIN (AdminPinScreen) and then pushes the
screen `make_screen()` builds; a wrong PIN or Escape leaves the board as it was. `AdminScreen` is the
base of the Staff, Register and Messages screens: after `ADMIN_IDLE_SECONDS` (120 s on the injected
clock) without a key, click or edit it closes itself and the dialogs it opened, and reception is on
the board again. It never closes a screen it did not open (an alarm that came up on top stays, and
the admin screen waits), and it never blocks the board or an alarm. `AdminListScreen` is what the
three share beyond that: a title, a hint, a banner and a table of rows read in a thread worker.

Keys on every admin screen: F6 Staff, F7 Register, F8 Messages, F1 help, Esc back to the board.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, ClassVar, Iterable

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from kiosk.services.context import Context
from kiosk.screens._form import FORMS_CSS, Banner
from kiosk.screens._idle import IDLE_CHECK_SECONDS, Activity
from kiosk.screens._work import Failure, in_db_thread
from kiosk.screens.pin import AdminPinScreen
from kiosk.security.idle import ADMIN_IDLE_SECONDS, IdleTimer
from kiosk.widgets.footer import KioskFooter

__all__ = ["Activity", "AdminListScreen", "AdminScreen", "open_admin"]

ADMIN_CSS = Path(__file__).with_name("admin.tcss")


def open_admin(app: App, ctx: Context, make_screen: Callable[[], Screen]) -> None:
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
    # Every admin screen by NAME, for F6/F7/F8: each subclass adds itself when its module is imported
    # (the board imports all three before opening one), so this module imports none of them.
    SCREENS: ClassVar[dict[str, type[AdminScreen]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.NAME:
            AdminScreen.SCREENS[cls.NAME] = cls

    def __init__(self, ctx: Context, *, idle_seconds: float = ADMIN_IDLE_SECONDS) -> None:
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
        from kiosk.screens.help import HelpScreen  # on first use, not at the top: start-up time (the board's first frame does not need it)

        self.open_child(HelpScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The F-key of the screen already open is not offered: "F6 Staff" on the staff screen did
        nothing (issue 15 item 8, keys do what the footer says)."""
        if action == "go" and parameters and parameters[0] == self.NAME:
            return False
        return True

    def action_go(self, name: str) -> None:
        if name == self.NAME:
            return
        target = self.SCREENS[name](self.ctx)
        target.idle = self.idle
        self.app.switch_screen(target)


class RowsLoaded(Message):
    """An admin list's rows, or the Failure that stopped them, from its thread worker."""

    def __init__(self, rows: list[Any] | Failure) -> None:
        super().__init__()
        self.rows = rows


class RowsSaved(Message):
    """A change made from an admin list: the service's outcome, and what to say when it worked."""

    def __init__(self, outcome: Any, done: str) -> None:
        super().__init__()
        self.outcome, self.done = outcome, done


class AdminListScreen(AdminScreen):
    """An admin screen that is a title, a hint line, a banner and a table of rows read in a thread
    (Staff, Register, Messages). Subclasses say what to read (`read_rows`, on the worker's own
    connection), the table's `columns()` and each row's `cells(row)`; rows have an `id`."""

    HEADING = ""
    HINT = ""
    HINT_ID: str | None = None
    TABLE_ID = ""
    EMPTY = ""  # said in the banner when there are no rows ("" says nothing)

    def __init__(self, ctx: Context, **kwargs: Any) -> None:
        super().__init__(ctx, **kwargs)
        self.rows: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Static(self.HEADING, classes="admin-title")
        yield Static(self.HINT, id=self.HINT_ID, classes="admin-hint")
        yield Banner()
        yield DataTable(id=self.TABLE_ID, cursor_type="row", zebra_stripes=True)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    def read_rows(self) -> list[Any]:
        raise NotImplementedError

    def columns(self) -> Iterable[tuple[str, int]]:
        raise NotImplementedError

    def cells(self, row: Any) -> tuple[Any, ...]:
        raise NotImplementedError

    def load(self) -> None:
        self.run_worker(lambda: self.post_message(RowsLoaded(in_db_thread(self.ctx, self.read_rows))),
                        thread=True, exclusive=True, group=f"{self.NAME}-load")

    def on_rows_loaded(self, message: RowsLoaded) -> None:
        if isinstance(message.rows, Failure):
            self.query_one(Banner).show(message.rows.message, "refused")
            return
        self.rows = message.rows
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for label, width in self.columns():
            table.add_column(label, width=width)
        for r in self.rows:
            table.add_row(*self.cells(r), key=str(r.id))
        if not self.rows and self.EMPTY:
            self.query_one(Banner).show(self.EMPTY, "info")

    def selected(self) -> Any | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row is None or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def change(self, done: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Run a service call in a thread; say `done` and reload, or say why nothing changed."""
        self.run_worker(lambda: self.post_message(RowsSaved(in_db_thread(self.ctx, fn, *args, **kwargs), done)),
                        thread=True, exclusive=True, group=f"{self.NAME}-save")

    def on_rows_saved(self, message: RowsSaved) -> None:
        if isinstance(message.outcome, Failure):
            self.query_one(Banner).show(f"{message.outcome.message}. Nothing changed.", "refused")
            return
        self.query_one(Banner).show(message.done, "info")
        self.load()
