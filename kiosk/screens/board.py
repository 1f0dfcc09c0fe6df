"""The whiteboard: the home screen reception reads from two metres away.

It renders the BoardView the app loads (attributes down) and turns keys into service calls run by
the app's workers. It must never show an address without an explicit key (and an audit row), never
show a code word, and never rebuild the table on a data change.
"""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from kiosk.domain import ladder as L
from kiosk.screens._work import Failure, in_db_thread
from kiosk.services.board_view import BoardView, reveal_address, reveal_code_words
from kiosk.widgets.banner import AmberBanner, WarningsLine
from kiosk.widgets.footer import KioskFooter
from kiosk.widgets.reveal import RevealPanel
from kiosk.widgets.status import StatusStrip
from kiosk.widgets.top import BoardClock, Counts
from kiosk.widgets.visits import WIDE_FROM, VisitsTable


class AddressRevealed(Message):
    def __init__(self, visit_id: int, address: str) -> None:
        super().__init__()
        self.visit_id, self.address = visit_id, address


class CodeWordsRevealed(Message):
    def __init__(self, visit_id: int, words: list[tuple[str, str]]) -> None:
        super().__init__()
        self.visit_id, self.words = visit_id, words


class BoardScreen(Screen):
    """Keys: letters, digits, arrows, Enter and F-keys only (the console has nothing else safe)."""

    FOLLOWS_BOARD = True  # the app hands it every board it loads
    BINDINGS = [
        Binding("o", "sign_out", "Sign out"),
        Binding("b", "back", "Back"),
        Binding("e", "extend", "Extend"),
        Binding("p", "phoned_in", "Phoned in OK"),
        Binding("c", "code_word_call", "Code word on call"),
        Binding("a", "reveal", "Address"),
        Binding("r", "red_alarm", "Red alarm: record"),
        Binding("k", "reveal_code_word", "Code word (admin)", show=False),
        Binding("f1", "help", "Help", key_display="F1"),
        Binding("f6", "admin('staff')", "Staff", show=False),
        Binding("f7", "admin('register')", "Register", show=False),
        Binding("f8", "admin('messages')", "Messages", show=False),
    ]
    _red_open = False  # an open red alarm someone at the kiosk has acknowledged: the R key shows

    def compose(self) -> ComposeResult:
        app = self.app
        ascii = app.options.console
        yield Static("Make the window at least 80\u00d724: the board does not fit.", id="too-small", markup=False)
        with Horizontal(id="top"):
            yield BoardClock(app.ctx.config.school.name, ascii=ascii)
            yield Counts(ascii=ascii)
        if app.options.demo_notes:
            yield Static(app.options.demo_notes, id="demo-notes", markup=False)
        yield StatusStrip()
        yield AmberBanner()
        yield WarningsLine()
        yield RevealPanel()
        yield VisitsTable(app.glyphs, app.ctx.tz, wide=app.size.width >= WIDE_FROM)
        yield Static("No one is out on a visit.", id="empty", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one(VisitsTable).focus()
        self.tick()
        if self.app.options.live:
            self.set_interval(1, self.tick)

    # --- rendering ----------------------------------------------------------------------------
    def show(self, view: BoardView) -> None:
        app = self.app
        now = app.ctx.now()
        self.query_one(BoardClock).school(view.school)
        self.query_one(Counts).show(view.counts(now))
        self.query_one(StatusStrip).show(view.link, now, app.glyphs, app.stale(now))
        self.query_one(AmberBanner).show(view.alarms, app.ctx.tz, app.glyphs, open_reds=not app.options.viewer)
        self.query_one(WarningsLine).show(view.warnings, view.ignored, app.glyphs)
        table = self.query_one(VisitsTable)
        table.sync(view.rows, now)
        table.display = bool(view.rows)
        self.query_one("#empty").display = not view.rows
        reveal = self.query_one(RevealPanel)
        if reveal.showing and table.row_of(reveal.visit_id) is None:
            reveal.hide()  # the visit is over
        red_open = bool(self._open_reds())
        if red_open != self._red_open:
            self._red_open = red_open
            self.refresh_bindings()

    def tick(self) -> None:
        """Once a second: the clock, the countdowns, the reveal deadline. Nothing else repaints."""
        app = self.app
        now = app.ctx.now()
        self.query_one(BoardClock).show(now.astimezone(app.ctx.tz))
        self.query_one(VisitsTable).tick(now)
        self.query_one(RevealPanel).expire(app.ctx.clock.monotonic())
        if app.view is not None:
            self.query_one(StatusStrip).show(app.view.link, now, app.glyphs, app.stale(now))

    def on_resize(self) -> None:
        table = self.query_one(VisitsTable)
        if table.set_wide(self.app.size.width >= WIDE_FROM) and self.app.view is not None:
            table.sync(self.app.view.rows, self.app.ctx.now())

    # --- actions ------------------------------------------------------------------------------
    def _selected(self):
        table = self.query_one(VisitsTable)
        visit_id = table.selected_visit()
        if visit_id is None:
            self.notify("No visit selected.", markup=False)
            return None
        return table.row_of(visit_id)

    def _then_reload(self, what: str):
        def done(result) -> None:
            if result:
                self.notify(what, markup=False)
            self.app.reload()

        return done

    def action_sign_out(self) -> None:
        from kiosk.screens.signout import SignOutScreen  # on first use, not at the top: start-up time (the board's first frame does not need it)

        def done(result) -> None:
            if result is not None:
                self.notify(f"{result.label} signed out.", markup=False)
            self.app.reload()

        self.app.push_screen(SignOutScreen(self.app.ctx), done)

    def action_back(self) -> None:
        from kiosk.screens.visit_back import VisitBackScreen  # on first use, not at the top: start-up time (the board's first frame does not need it)

        row = self._selected()
        if row is not None:
            self.app.push_screen(VisitBackScreen(self.app.ctx, row.id), self._then_reload(f"{row.label} is back."))

    def action_extend(self) -> None:
        from kiosk.screens.visit_extend import VisitExtendScreen  # on first use, not at the top: start-up time (the board's first frame does not need it)

        row = self._selected()
        if row is not None:
            self.app.push_screen(VisitExtendScreen(self.app.ctx, row.id),
                                 self._then_reload(f"{row.label}: due back moved."))

    def on_data_table_row_selected(self, event) -> None:
        """Enter on a visit: its timeline."""
        from kiosk.screens.visit_details import VisitDetailsScreen  # on first use, not at the top: start-up time (the board's first frame does not need it)

        event.stop()
        row = self._selected()
        if row is not None:
            self.app.push_screen(VisitDetailsScreen(self.app.ctx, row.id))

    def action_help(self) -> None:
        from kiosk.screens.help import HelpScreen  # on first use, not at the top: start-up time (the board's first frame does not need it)

        self.app.push_screen(HelpScreen())

    def action_admin(self, which: str) -> None:
        # Imported here, not at the top: the board's first frame needs no admin screen (start-up time).
        # All three: each adds itself to AdminScreen.SCREENS, which F6/F7/F8 switch between.
        from kiosk.screens import messages, register, staff  # noqa: F401
        from kiosk.screens.admin import AdminScreen, open_admin  # on first use, not at the top: start-up time (the board's first frame does not need it)

        ctx = self.app.ctx
        make = AdminScreen.SCREENS[which]
        open_admin(self.app, ctx, lambda: make(ctx))

    def action_reveal(self) -> None:
        row = self._selected()
        if row is not None:
            self._reveal(row.id)

    @work(thread=True, group="reveal")
    def _reveal(self, visit_id: int) -> None:
        ctx = self.app.ctx
        address = in_db_thread(ctx, reveal_address, ctx, visit_id, actor="kiosk")
        if isinstance(address, Failure):
            self.app.notify(address.message, title="Address not shown", severity="error", markup=False)
            return
        self.post_message(AddressRevealed(visit_id, address))

    def on_address_revealed(self, message: AddressRevealed) -> None:
        row = self.query_one(VisitsTable).row_of(message.visit_id)
        if row is None:
            return
        seconds = self.app.ctx.config.ui.reveal_seconds
        self.query_one(RevealPanel).reveal(row.id, row.label, message.address,
                                           until=self.app.ctx.clock.monotonic() + seconds, seconds=seconds)

    def action_reveal_code_word(self) -> None:
        from kiosk.screens.pin import AdminPinScreen  # on first use, not at the top: start-up time (the board's first frame does not need it)

        row = self._selected()
        if row is None:
            return

        def entered(ok: bool | None) -> None:
            if ok:
                self._reveal_words(row.id)

        self.app.push_screen(AdminPinScreen(self.app.ctx, purpose=f"show the code word of {row.label}"), entered)

    @work(thread=True, group="reveal")
    def _reveal_words(self, visit_id: int) -> None:
        ctx = self.app.ctx
        words = in_db_thread(ctx, reveal_code_words, ctx, visit_id, actor="kiosk:admin")
        if isinstance(words, Failure):
            self.app.notify(words.message, title="Code words not shown", severity="error", markup=False)
            return
        self.post_message(CodeWordsRevealed(visit_id, words))

    def on_code_words_revealed(self, message: CodeWordsRevealed) -> None:
        row = self.query_one(VisitsTable).row_of(message.visit_id)
        if row is None:
            return
        seconds = self.app.ctx.config.ui.reveal_seconds
        self.query_one(RevealPanel).reveal_words(row.id, row.label, message.words,
                                                 until=self.app.ctx.clock.monotonic() + seconds, seconds=seconds)

    def _open_reds(self) -> list:
        """Red alarms acknowledged at the kiosk but not resolved (no answer, police called, other)."""
        view = self.app.view
        return [a for a in view.alarms if a.level == L.RED and a.acknowledged_by] if view is not None else []

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "red_alarm":
            return self._red_open
        return True

    def action_red_alarm(self) -> None:
        """Found by QA: after "No answer" or "Police called" a red alarm stays open, the visit cannot
        be marked back, and the board had no way to record what happened next (only `kiosk ack`).
        R records a further action on the selected visit's open red alarm (or the only one)."""
        from kiosk.screens.ack import AckDialog  # on first use, not at the top: start-up time (the board's first frame does not need it)
        from kiosk.services import alarms  # on first use, not at the top: start-up time (the board's first frame does not need it)

        reds = self._open_reds()
        visit_id = self.query_one(VisitsTable).selected_visit()
        alarm = next((a for a in reds if a.visit_id == visit_id), reds[0] if len(reds) == 1 else None)
        if alarm is None:
            self.notify("Select the visit with the red alarm." if reds else "No open red alarm.", markup=False)
            return
        app = self.app

        def chosen(request) -> None:
            if request is not None:
                app.perform(f"Alarm {alarm.id}: {request.action} recorded.",
                            lambda: alarms.acknowledge(app.ctx, alarm.id, by=request.by, action=request.action,
                                                       ref=request.ref, note=request.note, actor="kiosk"))

        self._who(f"record what was done on alarm {alarm.id}",
                  lambda by: app.push_screen(AckDialog(alarm.id, by, back_to="the board"), chosen))

    def _who(self, action: str, then) -> None:
        """Ask who is at the keyboard (initials + reception PIN), then `then(initials)`."""
        from kiosk.screens.pin import ReceptionPinScreen  # on first use, not at the top: start-up time (the board's first frame does not need it)

        def entered(initials: str | None) -> None:
            if initials:
                then(initials)

        self.app.push_screen(ReceptionPinScreen(self.app.ctx, action=action), entered)

    def action_phoned_in(self) -> None:
        from kiosk.services import visits  # on first use, not at the top: start-up time (the board's first frame does not need it)

        row = self._selected()
        if row is None:
            return
        app = self.app
        self._who(f"record that {row.label} phoned in OK",
                  lambda by: app.perform(f"Check-in by phone recorded for {row.label}.",
                                         lambda: visits.check_in_by_phone(app.ctx, row.id, by=by, actor="kiosk")))

    def action_code_word_call(self) -> None:
        from kiosk.screens.confirm import ConfirmDialog  # on first use, not at the top: start-up time (the board's first frame does not need it)
        from kiosk.services import visits  # on first use, not at the top: start-up time (the board's first frame does not need it)

        row = self._selected()
        if row is None:
            return
        app = self.app

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._who(f"raise DURESS for {row.label}",
                          lambda by: app.perform(f"DURESS raised for {row.label}.",
                                                 lambda: visits.duress_by_phone(app.ctx, row.id, by=by,
                                                                                actor="kiosk")))

        app.push_screen(ConfirmDialog(
            f"Code word heard on a call: {row.label}?",
            f"{', '.join(row.staff)}: this raises a RED duress alarm now and texts the alert receivers."),
            confirmed)
