"""Extend a visit: a new due-back time (quick picks or typed), recorded with who did it.

`VisitExtendScreen(ctx, visit_id)` -> ModalScreen[bool]: True once due-back has moved, False if
cancelled. Reception has spoken to the visit, so the service counts it as contact (clears amber,
never red). Saving asks for the reception PIN. Times are local as typed; stored UTC.

Keys: F2-F5 +30/+45/+60/+90 minutes from now, F9 save, Esc cancel.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from kiosk.domain.times import format_local
from kiosk.screens._due import TypedDueError, parse_typed_due
from kiosk.screens._idle import IdleClose
from kiosk.screens._form import FORMS_CSS, Banner, ErrorLine, Field, row
from kiosk.screens._visit import load_summary
from kiosk.screens._work import Failure, in_db_thread
from kiosk.screens.pin import ReceptionPinScreen
from kiosk.screens.safe import plain
from kiosk.screens.visit_back import SummaryLoaded, VisitSaved
from kiosk.services.errors import Invalid
from kiosk.services.visits import extend
from kiosk.widgets.footer import KioskFooter


class VisitExtendScreen(IdleClose, ModalScreen[bool]):
    IDLE_RESULT = False
    CSS_PATH = FORMS_CSS
    DEFAULT_CSS = "VisitExtendScreen { align: center middle; }"
    BINDINGS = [
        Binding("f2", "quick(30)", "+30", key_display="F2"),
        Binding("f3", "quick(45)", "+45", key_display="F3"),
        Binding("f4", "quick(60)", "+60", key_display="F4"),
        Binding("f5", "quick(90)", "+90", key_display="F5"),
        Binding("f9", "save", "Extend", key_display="F9"),
        Binding("escape", "cancel", "Cancel", key_display="Esc"),
        Binding("f1", "help", "Help", key_display="F1"),
    ]

    def __init__(self, ctx: Any, visit_id: int) -> None:
        super().__init__()
        self.ctx, self.visit_id = ctx, visit_id
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(f"Extend: visit {self.visit_id}"), id="title", classes="dialog-title")
            yield Static("", id="summary")
            yield Banner()
            yield row("New due back", Field(id="due", placeholder="16:15, 4.15pm or +30", max_length=16))
            yield Static("", id="due-shown", classes="shown -empty")
            yield ErrorLine("due")
            yield Static("F2 +30  F3 +45  F4 +60  F5 +90 minutes from now", classes="hint")
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one("#due", Input).focus()
        self.load()

    @work(thread=True, exclusive=True, group="visit-load")
    def load(self) -> None:
        self.post_message(SummaryLoaded(in_db_thread(self.ctx, load_summary, self.visit_id)))

    def on_summary_loaded(self, message: SummaryLoaded) -> None:
        summary = message.summary
        if isinstance(summary, Failure):
            self.query_one(Banner).show(summary.message, "refused")
            return
        self.query_one("#title", Static).update(plain(f"Extend: {summary.label}"))
        self.query_one("#summary", Static).update(plain(
            f"{', '.join(summary.staff)} · due back now {format_local(summary.due_back, self.ctx.tz)}"))

    def _due(self):
        return parse_typed_due(self.query_one("#due", Input).value, self.ctx.now(), self.ctx.tz,
                               max_minutes=self.ctx.max_extend_minutes)

    def on_input_changed(self, event: Input.Changed) -> None:
        shown = self.query_one("#due-shown", Static)
        try:
            due = self._due()
        except TypedDueError:
            shown.update("")
            shown.add_class("-empty")
            return
        shown.update(plain(f"= due back at {format_local(due, self.ctx.tz)}"))
        shown.remove_class("-empty")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_quick(self, minutes: int) -> None:
        self.query_one("#due", Input).value = f"+{int(minutes)}"
        self.query_one("#due-error", ErrorLine).show("")

    def action_help(self) -> None:
        from kiosk.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_save(self) -> None:
        if self.saving:
            return
        error = self.query_one("#due-error", ErrorLine)
        try:
            self._due()
        except TypedDueError as exc:
            error.show(str(exc))
            return
        error.show("")
        typed = self.query_one("#due", Input).value

        def who(initials: str | None) -> None:
            if initials:
                self.saving = True
                self.save(initials, typed)

        self.app.push_screen(ReceptionPinScreen(self.ctx, action="extend this visit"), who)

    @work(thread=True, exclusive=True, group="visit-save")
    def save(self, initials: str, typed: str) -> None:
        ctx = self.ctx

        def run():
            # Resolved again now: "+30" means 30 minutes from when it is saved, not from when typed.
            try:
                due = parse_typed_due(typed, ctx.now(), ctx.tz, max_minutes=ctx.max_extend_minutes)
            except TypedDueError as exc:
                raise Invalid(str(exc)) from None
            return extend(ctx, self.visit_id, by=initials, due=due, actor="kiosk")

        self.post_message(VisitSaved(in_db_thread(ctx, run)))

    def on_visit_saved(self, message: VisitSaved) -> None:
        self.saving = False
        if isinstance(message.outcome, Failure):
            self.query_one(Banner).show(f"{message.outcome.message}. Nothing changed.",
                                        "refused" if message.outcome.refused else "info")
            return
        self.dismiss(True)
