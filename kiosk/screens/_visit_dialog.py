"""What the Back and Extend dialogs share: the visit's summary at the top, then reception's PIN, then
one service call in a thread, and True once it is saved.

`VisitDialog(ctx, visit_id)` -> ModalScreen[bool]. Subclasses show the summary (`show_summary`) and
say what saving does (`ready_to_save`: None after showing what is wrong, else a function of the
initials that runs on the worker's own connection). A failed save says why and "Nothing changed.";
a second F9 while one is saving does nothing. It never saves without the reception PIN's initials.
"""

from __future__ import annotations

from typing import Any, Callable

from textual import work
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input

from kiosk.services.context import Context
from kiosk.screens._form import FORMS_CSS, Banner, LiveErrors
from kiosk.screens._idle import IdleClose
from kiosk.services.visit_view import VisitSummary, load_summary
from kiosk.screens._work import Failure, in_db_thread
from kiosk.screens.pin import ReceptionPinScreen


class SummaryLoaded(Message):
    def __init__(self, summary: VisitSummary | Failure) -> None:
        super().__init__()
        self.summary = summary


class VisitSaved(Message):
    def __init__(self, outcome: Any) -> None:
        super().__init__()
        self.outcome = outcome


class VisitDialog(LiveErrors, IdleClose, ModalScreen[bool]):
    IDLE_RESULT = False
    CSS_PATH = FORMS_CSS
    FIRST = ""  # the selector focused when the dialog opens
    PIN_ACTION = ""  # "… this visit", as the PIN dialog asks it

    def __init__(self, ctx: Context, visit_id: int) -> None:
        super().__init__()
        self.ctx, self.visit_id = ctx, visit_id
        self.saving = False

    def on_mount(self) -> None:
        self.query_one(self.FIRST).focus()
        self.load()

    @work(thread=True, exclusive=True, group="visit-load")
    def load(self) -> None:
        self.post_message(SummaryLoaded(in_db_thread(self.ctx, load_summary, self.visit_id)))

    def on_summary_loaded(self, message: SummaryLoaded) -> None:
        if isinstance(message.summary, Failure):
            self.query_one(Banner).show(message.summary.message, "refused")
            return
        self.show_summary(message.summary)

    def show_summary(self, summary: VisitSummary) -> None:
        raise NotImplementedError

    def ready_to_save(self) -> Callable[[str], Any] | None:
        raise NotImplementedError

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_help(self) -> None:
        from kiosk.screens.help import HelpScreen  # on first use, not at the top: start-up time (the board's first frame does not need it)

        self.app.push_screen(HelpScreen())

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_save(self) -> None:
        if self.saving:
            return
        run = self.ready_to_save()
        if run is None:
            return

        def who(initials: str | None) -> None:
            if initials:
                self.saving = True
                self.save(initials, run)

        self.app.push_screen(ReceptionPinScreen(self.ctx, action=self.PIN_ACTION), who)

    @work(thread=True, exclusive=True, group="visit-save")
    def save(self, initials: str, run: Callable[[str], Any]) -> None:
        self.post_message(VisitSaved(in_db_thread(self.ctx, run, initials)))

    def on_visit_saved(self, message: VisitSaved) -> None:
        self.saving = False
        if isinstance(message.outcome, Failure):
            self.query_one(Banner).show(f"{message.outcome.message}. Nothing changed.",
                                        "refused" if message.outcome.refused else "info")
            return
        self.dismiss(True)
