"""Extend a visit: a new due-back time (quick picks or typed), recorded with who did it.

`VisitExtendScreen(ctx, visit_id)` -> ModalScreen[bool]: True once due-back has moved, False if
cancelled. Moving due-back is not contact from the member (P, phoned in, records that): an
overdue amber is resolved, a missed check-in is not. Saving asks for the reception PIN. Times are
local as typed; stored UTC.

Keys: F2-F5 +30/+45/+60/+90 minutes from now, F9 save, Esc cancel.
"""

from __future__ import annotations

from typing import Any, Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from kiosk.domain.times import format_local
from kiosk.screens._due import TypedDueError, parse_typed_due
from kiosk.screens._form import Banner, ErrorLine, Field, row
from kiosk.services.visit_view import VisitSummary
from kiosk.screens._visit_dialog import VisitDialog
from kiosk.screens.safe import plain
from kiosk.services.errors import Invalid
from kiosk.services.visits import extend
from kiosk.widgets.footer import KioskFooter


class VisitExtendScreen(VisitDialog):
    FIRST = "#due"
    PIN_ACTION = "extend this visit"
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

    def show_summary(self, summary: VisitSummary) -> None:
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

    def action_quick(self, minutes: int) -> None:
        self.query_one("#due", Input).value = f"+{int(minutes)}"
        self.query_one("#due-error", ErrorLine).show("")

    def ready_to_save(self) -> Callable[[str], Any] | None:
        error = self.query_one("#due-error", ErrorLine)
        try:
            self._due()
        except TypedDueError as exc:
            error.show(str(exc))
            return None
        error.show("")
        typed = self.query_one("#due", Input).value
        ctx = self.ctx

        def run(initials: str) -> Any:
            # Resolved again now: "+30" means 30 minutes from when it is saved, not from when typed.
            try:
                due = parse_typed_due(typed, ctx.now(), ctx.tz, max_minutes=ctx.max_extend_minutes)
            except TypedDueError as exc:
                raise Invalid(str(exc)) from None
            return extend(ctx, self.visit_id, by=initials, due=due, actor="kiosk")

        return run
