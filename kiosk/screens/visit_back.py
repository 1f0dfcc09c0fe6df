"""Mark a visit back, with the post-visit questions (optional, but asked every time).

`VisitBackScreen(ctx, visit_id)` -> ModalScreen[bool]: True once the visit is recorded back,
False if reception cancelled. Saving asks who is at the keyboard (ReceptionPinScreen) and records
their initials. Unanswered questions are prompted once (F9 again marks back anyway). A visit with an
unresolved red alarm is refused by the service with the reason: red ends by acknowledgement.

Keys: F9 save, Esc cancel, Tab/arrows between questions, Enter to open a question's answers.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static

from kiosk.domain.times import format_local
from kiosk.screens._idle import IdleClose
from kiosk.screens._form import FORMS_CSS, Banner, ErrorLine, Field, row
from kiosk.screens._visit import VisitSummary, load_summary
from kiosk.screens._work import Failure, in_db_thread
from kiosk.screens.pin import ReceptionPinScreen
from kiosk.screens.safe import plain
from kiosk.services.errors import Invalid
from kiosk.services.post_visit import MAX_NOTE, PostVisit, check_answers, mark_back_with_answers
from kiosk.widgets.footer import KioskFooter

CONCERN_HINT = ("Record the concern on the safeguarding system now and tell the DSL today. "
                "Do not type details here.")


class SummaryLoaded(Message):
    def __init__(self, summary: VisitSummary | Failure) -> None:
        super().__init__()
        self.summary = summary


class VisitSaved(Message):
    def __init__(self, outcome: Any) -> None:
        super().__init__()
        self.outcome = outcome


def yes_no(prompt: str, id: str) -> Select:
    return Select([(plain("Yes"), True), (plain("No"), False)], id=id, prompt=prompt, compact=True)


class VisitBackScreen(IdleClose, ModalScreen[bool]):
    IDLE_RESULT = False
    CSS_PATH = FORMS_CSS
    DEFAULT_CSS = "VisitBackScreen { align: center middle; } VisitBackScreen .row > .label { width: 22; }"
    BINDINGS = [
        Binding("f9", "save", "Mark back", key_display="F9"),
        Binding("escape", "cancel", "Cancel", key_display="Esc"),
        Binding("f1", "help", "Help", key_display="F1"),
    ]

    def __init__(self, ctx: Any, visit_id: int) -> None:
        super().__init__()
        self.ctx, self.visit_id = ctx, visit_id
        self.prompted = False
        self.saving = False

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
            yield row("Note", Field(id="note", placeholder="optional, no names or details", max_length=MAX_NOTE))
            yield ErrorLine("note")
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one("#objective", Select).focus()
        self.load()

    @work(thread=True, exclusive=True, group="visit-load")
    def load(self) -> None:
        self.post_message(SummaryLoaded(in_db_thread(self.ctx, load_summary, self.visit_id)))

    def on_summary_loaded(self, message: SummaryLoaded) -> None:
        summary = message.summary
        if isinstance(summary, Failure):
            self.query_one(Banner).show(summary.message, "refused")
            return
        self.query_one("#title", Static).update(plain(f"Back: {summary.label}"))
        text = f"{', '.join(summary.staff)} · left {format_local(summary.left_at, self.ctx.tz)} · due back " \
               f"{format_local(summary.due_back, self.ctx.tz)}"
        self.query_one("#summary", Static).update(plain(text))
        if summary.open_red:
            self.query_one(Banner).show("a red alarm on this visit is still open: acknowledge it first", "refused")

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "concern":
            hint = self.query_one("#concern-hint", Static)
            concern = event.value is True
            hint.update(plain(CONCERN_HINT) if concern else "")
            hint.set_class(not concern, "-empty")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def answers(self) -> PostVisit:
        def value(name: str) -> Any:
            select = self.query_one(f"#{name}", Select)
            return None if select.is_blank() else select.value

        return PostVisit(value("objective"), value("follow_up"), value("concern"), self.query_one("#note", Input).value)

    def action_help(self) -> None:
        from kiosk.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_save(self) -> None:
        if self.saving:
            return
        try:
            answers = check_answers(self.answers())
        except Invalid as exc:
            self.query_one("#note-error", ErrorLine).show(str(exc))
            return
        self.query_one("#note-error", ErrorLine).show("")
        if answers.unanswered and not self.prompted:
            self.prompted = True
            self.query_one(Banner).show(f"not answered: {', '.join(answers.unanswered)}. Answer them, or F9 "
                                        "again to mark back anyway", "warning")
            return

        def who(initials: str | None) -> None:
            if initials:
                self.saving = True
                self.save(initials, answers)

        self.app.push_screen(ReceptionPinScreen(self.ctx, action="mark this visit back"), who)

    @work(thread=True, exclusive=True, group="visit-save")
    def save(self, initials: str, answers: PostVisit) -> None:
        result = in_db_thread(self.ctx, mark_back_with_answers, self.ctx, self.visit_id, by=initials,
                              answers=answers, actor="kiosk")
        self.post_message(VisitSaved(result))

    def on_visit_saved(self, message: VisitSaved) -> None:
        self.saving = False
        if isinstance(message.outcome, Failure):
            self.query_one(Banner).show(f"{message.outcome.message}. Nothing changed.",
                                        "refused" if message.outcome.refused else "info")
            return
        self.dismiss(True)
