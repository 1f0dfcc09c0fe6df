"""One visit's timeline: every event, alarm and SMS about it, in the order they happened.

`VisitDetailsScreen(ctx, visit_id)` -> ModalScreen[None] (Escape closes). SMS text is shown exactly
as stored (code words already redacted by the inbound service), never as markup: a text saying
`[@click=app.quit]` is just those characters. The address is not shown here (the board's reveal key
does that, audited); neither is any code word.
"""

from __future__ import annotations


from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from kiosk.services.context import Context
from kiosk.screens._idle import IdleClose
from kiosk.screens._form import FORMS_CSS, Banner
from kiosk.screens._work import Failure, in_db_thread
from kiosk.screens.safe import cell, plain, visible
from kiosk.services.visit_view import Timeline, load_timeline
from kiosk.widgets.footer import KioskFooter


class TimelineLoaded(Message):
    def __init__(self, timeline: Timeline | Failure) -> None:
        super().__init__()
        self.timeline = timeline


class VisitDetailsScreen(IdleClose, ModalScreen[None]):
    IDLE_SECONDS = 120.0
    CSS_PATH = FORMS_CSS
    DEFAULT_CSS = "VisitDetailsScreen { align: center top; }"
    BINDINGS = [
        Binding("escape", "close", "Close", key_display="Esc"),
        Binding("r", "reload", "Reload", key_display="R"),
    ]

    def __init__(self, ctx: Context, visit_id: int) -> None:
        super().__init__()
        self.ctx, self.visit_id = ctx, visit_id
        self.timeline: Timeline | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -wide"):
            yield Static(plain(f"Visit {self.visit_id}: timeline"), id="title", classes="dialog-title")
            yield Static("", id="summary")
            yield Banner()
            yield DataTable(id="timeline", cursor_type="row", zebra_stripes=True)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="visit-timeline")
    def load(self) -> None:
        self.post_message(TimelineLoaded(in_db_thread(self.ctx, load_timeline, self.visit_id)))

    def on_timeline_loaded(self, message: TimelineLoaded) -> None:
        timeline = message.timeline
        if isinstance(timeline, Failure):
            self.query_one(Banner).show(timeline.message, "refused")
            return
        self.timeline = timeline
        summary = timeline.summary
        self.query_one("#title", Static).update(plain(f"{summary.label}: timeline"))
        self.query_one("#summary", Static).update(plain(f"{', '.join(summary.staff)} · {summary.state}"))
        table = self.query_one(DataTable)
        table.clear(columns=True)
        width = max([20] + [len(visible(e.text)) for e in timeline.entries])
        for label, size in (("Time", 8), ("What", 26), ("Who", 13), ("Detail", min(width, 400))):
            table.add_column(label, width=size)
        tz = self.ctx.tz
        for entry in timeline.entries:
            table.add_row(cell(entry.at.astimezone(tz).strftime("%H:%M:%S")), cell(entry.what), cell(entry.who),
                          cell(entry.text))

    def action_close(self) -> None:
        self.dismiss(None)
