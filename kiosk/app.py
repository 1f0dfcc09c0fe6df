"""The reception app: loads the board in thread workers, watches the database, opens red alarms.

Built by `build_app(ctx, ...)` so that tests build exactly what users run. The app must never write
to the database except through services (in thread workers), never block the event loop on the
database, and never be quit or left by a stray key on any terminal: Ctrl+C, Ctrl+Q and the command
palette are switched off everywhere (console, xterm, the Wayland foot route); quitting is F10 behind
the admin PIN, or `systemctl stop`.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime, timedelta
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.worker import Worker, WorkerState, get_current_worker

from kiosk.gcpolicy import FULL_EVERY_SECONDS, Quiet
from kiosk.dbwatch import watch_database as watch_for_changes
from kiosk.services.context import Context
from kiosk.screens._work import Failure, in_db_thread
from kiosk.services.board_view import AlarmDetail, BoardView, alarm_detail, load_board, release_connection
from kiosk.store.db import is_postgres
from kiosk.themes import CONSOLE_THEME, FULL_THEME, register_themes, use_scrollbars
from kiosk.widgets.look import CONSOLE, FULL, Glyphs

HERE = Path(__file__).parent
MIN_WIDTH, MIN_HEIGHT = 80, 24  # the board is laid out for this; smaller windows are told so
RELOAD_SECONDS = 10  # due-soon and "SMS link down" change with the clock alone
STALE_AFTER_SECONDS = 3 * RELOAD_SECONDS  # no board read for this long: "not updating since HH:MM"
GC_AFTER_START_SECONDS = 1  # after the first board: then freeze what start-up made


class DatabaseChanged(Message):
    """Another connection committed: reload the board. A newer one replaces an older one."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DatabaseChanged)


class BoardLoaded(Message):
    """A board read; `alarm` is the detail of the red alarm the board must open (read with it)."""

    def __init__(self, view: BoardView, alarm: AlarmDetail | None = None) -> None:
        super().__init__()
        self.view = view
        self.alarm = alarm

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, BoardLoaded)


class Done(Message):
    """A service call finished: `error` is the one-line answer when it changed nothing."""

    def __init__(self, what: str, error: str | None = None) -> None:
        super().__init__()
        self.what, self.error = what, error


@dataclass(frozen=True)
class Options:
    """What the factory switches: `live` False freezes everything (snapshot tests)."""

    console: bool = False
    live: bool = True
    demo: bool = False
    db_path: Path | str | None = None  # the SQLite file or the postgresql:// URL the watcher follows
    inject: Callable[[str], str] | None = None  # demo: a simulator console line -> its answer
    viewer: bool = False  # read-only board (kiosk ui --viewer, kiosk serve): no action, no sound
    demo_notes: str = ""  # demo: its code words and PINs, shown on the board and in help


def wants_console(theme: str = "auto", env: Mapping[str, str] | None = None) -> bool:
    """The console-safe look on the bare Linux console (TERM=linux), unless the config says otherwise."""
    if theme in ("full", "console"):
        return theme == "console"
    env = os.environ if env is None else env
    return env.get("TERM", "") == "linux"


class KioskApp(App):
    """The whiteboard and what it opens."""

    TITLE = "kiosk"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("ctrl+q", "ctrl_quit", show=False, priority=True),
        Binding("ctrl+c", "ctrl_c", show=False, priority=True),
        # Tab moves focus at once, before the next key is handed on: as a screen binding it ran only
        # after the focused field had already been given the keys typed after it ("Ann<Tab>07700"
        # typed quickly put "07700" into the name). Found by QA typing fast into the staff form.
        Binding("tab", "focus_next", show=False, priority=True),
        Binding("shift+tab", "focus_previous", show=False, priority=True),
        Binding("f10", "admin_quit", "Quit", key_display="F10"),
        Binding("f9", "demo_panel", "Demo: send a text", key_display="F9"),
    ]

    # Below the minimum size (80x24) every screen gets -narrow or -short: the board then says so,
    # and the red alarm view drops its frames so CALL 999, the name, the phone and the place fit
    # down to 40x12 (app.tcss).
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (MIN_WIDTH, "-roomy")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (MIN_HEIGHT, "-tall")]

    def __init__(self, ctx: Context, options: Options) -> None:
        css = [HERE / "app.tcss"] + ([HERE / "console.tcss"] if options.console else [])
        super().__init__(css_path=css, ansi_color=True if options.console else None)
        self.ctx = ctx
        self.options = options
        self.glyphs: Glyphs = CONSOLE if options.console else FULL
        self.view: BoardView | None = None
        self.loads = 0  # boards loaded so far (tests wait on this)
        self._loading = False  # a board read is running
        self._load_again = False  # and another was asked for meanwhile
        self._gc = Quiet()  # no full garbage collection at a random moment (an alarm's)
        self._stop = threading.Event()
        self.loaded_at: datetime | None = None  # the last board read that worked (for "not updating since")
        self.read_failed_at: datetime | None = None
        register_themes(self)
        use_scrollbars(options.console)
        self.theme = CONSOLE_THEME if options.console else FULL_THEME
        self.title = ctx.config.school.name

    # --- lifecycle ----------------------------------------------------------------------------
    def on_mount(self) -> None:
        if self.options.viewer:
            from kiosk.screens.viewer import ViewerBoardScreen as BoardScreen  # on first use, not at the top: start-up time (the board's first frame does not need it)
        else:
            from kiosk.screens.board import BoardScreen  # on first use, not at the top: start-up time (the board's first frame does not need it)

        self.push_screen(BoardScreen())
        self.reload()
        if self.options.live:
            if self.options.db_path is not None:
                self.watch_database()
            self.set_interval(RELOAD_SECONDS, self.reload)
            self.set_interval(FULL_EVERY_SECONDS, self._gc.collect)

    def on_unmount(self) -> None:
        self._stop.set()
        self._gc.stop()

    # --- loading ------------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the whole board again. One read at a time: a reload asked for while one runs starts
        when it ends (a stream of commits never starves the board, no reads pile up)."""
        if self._loading:
            self._load_again = True
            return
        self._loading = True
        self._load_again = False
        self._load_board()

    @work(thread=True, group="board", exit_on_error=False)  # a failed read: "not updating since", not a crash
    def _load_board(self) -> None:
        """Read the whole board in a thread and hand it to the UI."""
        try:
            view = load_board(self.ctx)
            waiting = view.waiting_reds()
            # the red alarm view's facts in the same worker: its first frame needs no second read
            alarm = alarm_detail(self.ctx, waiting[0].id) if waiting else None
        finally:
            release_connection(self.ctx)
        self.post_message(BoardLoaded(view, alarm))

    def _board_read_ended(self) -> None:
        self._loading = False
        if self._load_again:
            self.reload()

    @work(thread=True, exclusive=True, group="watcher", exit_on_error=False)
    def watch_database(self) -> None:
        worker = get_current_worker()
        watch_for_changes(self.options.db_path, self._stop, lambda: self.post_message(DatabaseChanged()),
                           stopped=lambda: worker.is_cancelled)

    def on_database_changed(self, _: DatabaseChanged) -> None:
        self.reload()

    def stale(self, now: datetime) -> str | None:
        """"not updating since 14:02" when the board's reads fail or have stopped (issue 17)."""
        from kiosk.domain.staleness import stale_text  # on first use, not at the top: start-up time (read only when the board stops updating)

        return stale_text(self.loaded_at, self.read_failed_at, now, self.ctx.tz,
                          limit=timedelta(seconds=STALE_AFTER_SECONDS))

    def on_board_loaded(self, message: BoardLoaded) -> None:
        self._board_read_ended()
        self.loaded_at, self.read_failed_at = self.ctx.now(), None
        self.view = message.view
        self.loads += 1
        if self.loads == 1 and self.options.live:  # the first board is up: start-up is over
            self.set_timer(GC_AFTER_START_SECONDS, self._gc.start)
        for screen in self.screen_stack:
            if getattr(screen, "FOLLOWS_BOARD", False):  # the board and the alarm view
                screen.show(message.view)
        self._open_red_alarm(message.view, message.alarm)

    def _open_red_alarm(self, view: BoardView, detail: AlarmDetail | None = None) -> None:
        """A red alarm nobody has acknowledged at the kiosk takes over the screen, the most urgent
        first. There is one alarm view: once it is up, it lists the others, rings for a new one and
        lets a more urgent one take over (AlarmScreen.show)."""
        waiting = view.waiting_reds()
        if not waiting or self.options.viewer:  # the viewer shows red alarms as a list, read-only
            return
        from kiosk.screens.alarm import AlarmScreen  # imported when first needed: start-up is faster

        if not any(isinstance(s, AlarmScreen) for s in self.screen_stack):
            self.push_screen(AlarmScreen(waiting[0].id, detail, view=view))

    def pop_screen(self):
        """A closed screen (the alarm view, a dialog) leaves its widgets as garbage: collect it once
        the screen underneath is painted, not at whatever moment Python would pick."""
        done = super().pop_screen()
        if self._gc.active:
            self.call_after_refresh(self._gc.collect)
        return done

    # --- doing things -------------------------------------------------------------------------
    @work(thread=True, group="write")
    def perform(self, what: str, action: Callable[[], object]) -> None:
        """Run one service call in a thread; answer with a Done message, then reload the board."""
        if self.options.viewer:
            self.post_message(Done(what, "this is a read-only view: actions are done at reception"))
            return
        done = in_db_thread(self.ctx, action)
        self.post_message(Done(what, done.message if isinstance(done, Failure) else None))

    def on_done(self, message: Done) -> None:
        if message.error:
            self.notify(message.error, title="Not done", severity="error", markup=False)
        else:
            self.notify(message.what, markup=False)
        self.reload()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place for worker failures: say so on screen, keep the board running."""
        if event.worker.group == "board" and event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._board_read_ended()  # no BoardLoaded is coming: let the next reload start
            if event.state == WorkerState.ERROR:
                self.read_failed_at = self.ctx.now()
                self._show_stale()
        if event.worker.group == "watcher" and event.state == WorkerState.ERROR and not self._stop.is_set():
            self.set_timer(RELOAD_SECONDS, self.watch_database)  # the change signal stopped: start it again
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            self.notify(f"{type(error).__name__}: {error}", title="Error", severity="error", markup=False)

    def _show_stale(self) -> None:
        for screen in self.screen_stack:
            if getattr(screen, "FOLLOWS_BOARD", False) and hasattr(screen, "tick"):
                screen.tick()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.options.viewer:  # read-only: moving focus is all a viewer may do
            return action in ("focus_next", "focus_previous", "ctrl_quit")
        if action == "demo_panel":
            return self.options.demo and self.options.inject is not None
        return True

    def action_demo_panel(self) -> None:
        from kiosk.screens.demo import DemoPanel  # on first use, not at the top: start-up time (the board's first frame does not need it)

        if self.options.inject is not None and not isinstance(self.screen, DemoPanel):
            self.push_screen(DemoPanel(self.options.inject))

    def bell(self) -> None:
        if not self.options.viewer:  # the viewer makes no sound: the alarm is for reception
            super().bell()

    # --- quitting -----------------------------------------------------------------------------
    def action_ctrl_c(self) -> None:
        """Ctrl+C never quits the board (a reflex at a public keyboard); F10 does, with the admin PIN."""
        self.notify("Ctrl+C does not quit the board. Quitting is an admin action (F10).", markup=False)

    def action_ctrl_quit(self) -> None:
        """Ctrl+Q (Textual's default quit) never quits the reception board, on any terminal: it is a
        safety board that a visitor or a stray key must not close (F10 does, with the admin PIN).
        A read-only viewer is no safety board: it quits."""
        if self.options.viewer:
            self.exit()
        else:
            self.notify("Ctrl+Q does not quit the board. Quitting is an admin action (F10).", markup=False)

    def action_admin_quit(self) -> None:
        """F10: quitting is an admin action (the gateway keeps running and texting alarms). The demo
        with no admin PIN set quits at once: its data is thrown away, and on the console F10 is its
        only way out."""
        from kiosk.screens.pin import AdminPinScreen  # on first use, not at the top: start-up time (the board's first frame does not need it)
        from kiosk.services.reception import admin_pin_set  # on first use, not at the top: start-up time (the board's first frame does not need it)

        if self.options.demo and not admin_pin_set(self.ctx):
            self.exit()
            return
        def entered(ok: bool | None) -> None:
            if ok:
                self.exit()

        self.push_screen(AdminPinScreen(self.ctx, purpose="quit the reception board"), entered)


def build_app(ctx: Context, *, demo: bool = False, db_path: str | Path | None = None, live: bool = True,
              console: bool | None = None, env: Mapping[str, str] | None = None,
              inject: Callable[[str], str] | None = None, viewer: bool = False, demo_notes: str = "") -> KioskApp:
    """The reception app as users run it. `live=False` (snapshot tests) switches off the database
    watcher and every timer; `console` None picks the console look from config and TERM.
    `demo=True` adds the demo panel (F9): `inject(line)` hands a simulator console line to the
    simulator; without it the panel writes to the `inject` FIFO `kiosk demo` makes beside the database.
    `viewer=True` is the read-only board (kiosk.screens.viewer): open the database with
    `kiosk.store.readonly.open_readonly` for it."""
    if console is None:
        console = wants_console(ctx.config.ui.theme, env)
    if db_path is None:
        db = getattr(ctx.db, "obj", ctx.db)
        name = getattr(db, "database", None)
        if name and name.startswith("file:"):  # a URI (the read-only viewer's): its file
            from urllib.parse import unquote

            name = unquote(name[5:].split("?", 1)[0])
        db_path = None if not name or name == ":memory:" else name
    path = db_path if is_postgres(db_path) else Path(db_path) if db_path else None
    if demo and inject is None and isinstance(path, Path):
        from kiosk.screens.demo import fifo_injector  # on first use, not at the top: start-up time (the board's first frame does not need it)

        inject = fifo_injector(path.parent / "inject")
    return KioskApp(ctx, Options(console=console, live=live, demo=demo and not viewer, db_path=path,
                                 inject=None if viewer else inject, viewer=viewer,
                                 demo_notes=demo_notes if demo and not viewer else ""))
