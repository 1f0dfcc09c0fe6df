"""Mark a visit back, with the post-visit questions (optional, but asked every time).

`VisitBackScreen(ctx, visit_id)` -> ModalScreen[bool]: True once the visit is recorded back,
False if reception cancelled. Saving asks who is at the keyboard (ReceptionPinScreen) and records
their initials. Unanswered questions are prompted once (F9 again marks back anyway). A visit with an
unresolved red alarm is refused by the service with the reason: red ends by acknowledgement.

Keys: F9 save, Esc cancel, Tab/arrows between questions, Enter to open a question's answers.
"""

from __future__ import annotations

from typing import Any, Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Select, Static

from kiosk.domain.times import format_local
from kiosk.services.context import Context
from kiosk.screens._form import Banner, ErrorLine, Field, row
from kiosk.services.visit_view import VisitSummary
from kiosk.screens._visit_dialog import VisitDialog
from kiosk.screens.safe import plain
from kiosk.services.errors import Invalid
from kiosk.services.post_visit import MAX_NOTE, PostVisit, check_answers, mark_back_with_answers
from kiosk.widgets.footer import KioskFooter

CONCERN_HINT = ("Record the concern on the safeguarding system now and tell the DSL today. "
                "Do not type details here.")


def yes_no(prompt: str, id: str) -> Select:
    return Select([(plain("Yes"), True), (plain("No"), False)], id=id, prompt=prompt, compact=True)


class VisitBackScreen(VisitDialog):
    FIRST = "#objective"
    PIN_ACTION = "mark this visit back"
    DEFAULT_CSS = "VisitBackScreen { align: center middle; } VisitBackScreen .row > .label { width: 22; }"
    BINDINGS = [
        Binding("f9", "save", "Mark back", key_display="F9"),
        Binding("escape", "cancel", "Cancel", key_display="Esc"),
        Binding("f1", "help", "Help", key_display="F1"),
    ]

    def __init__(self, ctx: Context, visit_id: int) -> None:
        super().__init__(ctx, visit_id)
        self.prompted = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(f"Back: visit {self.visit_id}"), id="title", classes="dialog-title")
            yield Static("", id="summary")
            yield Banner()
            yield row("Objective achieved?", Select([(plain("Yes"), "yes"), (plain("Partly"), "partly"),
                                                     (plain("No"), "no")], id="objective", prompt="not answered",
                                                    compact=True))
            yield row("Follow-up needed?", yes_no("not answered", "follow_up"))
            yield row("Safeguarding concern?", yes_no("not answered", "concern"))
            yield Static("", id="concern-hint", classes="shown -empty")
            yield row("Note", Field(id="note", placeholder="optional, no names or details", limit=MAX_NOTE))
            yield ErrorLine("note")
        yield KioskFooter()

    def show_summary(self, summary: VisitSummary) -> None:
        self.query_one("#title", Static).update(plain(f"Back: {summary.label}"))
        text = f"{', '.join(summary.staff)} · left {format_local(summary.left_at, self.ctx.tz)} · due back " \
               f"{format_local(summary.due_back, self.ctx.tz)}"
        self.query_one("#summary", Static).update(plain(text))
        if summary.open_red:
            self.query_one(Banner).show("a red alarm on this visit is still open: R on the board records what was done", "refused")

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "concern":
            hint = self.query_one("#concern-hint", Static)
            concern = event.value is True
            hint.update(plain(CONCERN_HINT) if concern else "")
            hint.set_class(not concern, "-empty")

    def answers(self) -> PostVisit:
        def value(name: str) -> Any:
            select = self.query_one(f"#{name}", Select)
            return None if select.is_blank() else select.value

        return PostVisit(value("objective"), value("follow_up"), value("concern"), self.query_one("#note", Input).value)

    def ready_to_save(self) -> Callable[[str], Any] | None:
        try:
            answers = check_answers(self.answers())
        except Invalid as exc:
            self.query_one("#note-error", ErrorLine).show(str(exc))
            return None
        self.query_one("#note-error", ErrorLine).show("")
        if answers.unanswered and not self.prompted:
            self.prompted = True
            self.query_one(Banner).show(f"not answered: {', '.join(answers.unanswered)}. Answer them, or F9 "
                                        "again to mark back anyway", "warning")
            return None
        return lambda initials: mark_back_with_answers(self.ctx, self.visit_id, by=initials, answers=answers,
                                                       actor="kiosk")
