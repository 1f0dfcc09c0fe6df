"""One visit's timeline: every event, alarm and SMS about it, in the order they happened.

`VisitDetailsScreen(ctx, visit_id)` -> ModalScreen[None] (Escape closes). SMS text is shown exactly
as stored (code words already redacted by the inbound service), never as markup: a text saying
`[@click=app.quit]` is just those characters. The address is not shown here (the board's reveal key
does that, audited); neither is any code word.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from kiosk.domain.phones import national_format
from kiosk.screens._idle import IdleClose
from kiosk.screens._form import FORMS_CSS, Banner
from kiosk.screens._visit import VisitSummary, load_summary
from kiosk.screens._work import Failure, in_db_thread
from kiosk.screens.safe import cell, plain, visible
from kiosk.services.alarms import ACTIONS
from kiosk.store.models import Alarm, AlarmAction, Event, Message as Sms
from kiosk.widgets.footer import KioskFooter


@dataclass(frozen=True)
class Entry:
    at: datetime
    what: str
    who: str
    text: str
    order: tuple[int, int] = (0, 0)  # same instant: events, then SMS, then alarms; each by id


@dataclass(frozen=True)
class Timeline:
    summary: VisitSummary
    entries: tuple[Entry, ...]


def load_timeline(visit_id: int) -> Timeline:
    summary = load_summary(visit_id)
    entries: list[Entry] = []
    for event in Event.select().where(Event.visit_id == visit_id):
        entries.append(Entry(event.at, event.kind, event.actor, event.summary, (0, event.id)))
    for sms in Sms.select().where(Sms.visit == visit_id):
        arrow = "SMS in" if sms.direction == "in" else "SMS out"
        who = national_format(sms.number)
        state = sms.state + (f" ({sms.kind})" if sms.kind else "")
        entries.append(Entry(sms.created_at, f"{arrow} · {state}", who, sms.text, (1, sms.id)))
        if sms.direction == "out" and sms.sent_at:
            entries.append(Entry(sms.sent_at, "SMS sent", who, f"message {sms.id}", (1, sms.id)))
        if sms.delivered_at:
            entries.append(Entry(sms.delivered_at, "SMS delivered", who, f"message {sms.id}", (1, sms.id)))
    for alarm in Alarm.select().where(Alarm.visit == visit_id):
        entries.append(Entry(alarm.raised_at, f"{alarm.level.upper()} alarm: {alarm.kind}", "", alarm.summary,
                             (2, alarm.id)))
    for step in (AlarmAction.select(AlarmAction, Alarm.id).join(Alarm).where(Alarm.visit == visit_id)
                 .order_by(AlarmAction.id)):  # every step taken, not only the latest (issue 14 item 14)
        text = f"alarm {step.alarm_id}: {step.action}" + (f", police ref {step.police_ref}" if step.police_ref else "")
        entries.append(Entry(step.at, "alarm acknowledged" if step.action in ACTIONS else f"alarm {step.action}", step.who,
                             text + (f", note: {step.note}" if step.note else ""), (3, step.id)))
    entries.sort(key=lambda e: (e.at, e.order))
    return Timeline(summary, tuple(entries))


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

    def __init__(self, ctx: Any, visit_id: int) -> None:
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
