"""Every SMS in and out, newest first, with its state. For admins (behind the admin PIN).

`MessagesScreen(ctx)` -> Screen[None] (an AdminScreen). Text is shown exactly as stored (code words
were redacted before storing), never as markup; numbers in national format. Keys: R reload,
arrows move (the selected message's whole text shows above the table), F6/F7 other admin screens, Esc board.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static

from kiosk.domain.phones import national_format
from kiosk.screens._form import Banner
from kiosk.screens._work import Failure, in_db_thread
from kiosk.screens.admin import AdminScreen
from kiosk.screens.safe import cell, plain, visible
from kiosk.store.models import Message as Sms
from kiosk.widgets.footer import KioskFooter

LIMIT = 300


@dataclass(frozen=True)
class SmsRow:
    id: int
    at: datetime
    direction: str
    number: str
    state: str
    kind: str
    visit_id: int | None
    text: str
    error: str


def load_messages(limit: int = LIMIT) -> list[SmsRow]:
    return [SmsRow(m.id, m.created_at, m.direction, m.number, m.state, m.kind or "", m.visit_id, m.text,
                   m.error or "")
            for m in Sms.select().order_by(Sms.id.desc()).limit(limit)]


class MessagesLoaded(Message):
    def __init__(self, rows: list[SmsRow] | Failure) -> None:
        super().__init__()
        self.rows = rows


class MessagesScreen(AdminScreen):
    NAME = "messages"
    BINDINGS = [Binding("r", "reload", "Reload", key_display="R")]

    def __init__(self, ctx: Any, **kwargs: Any) -> None:
        super().__init__(ctx, **kwargs)
        self.rows: list[SmsRow] = []

    def compose(self) -> ComposeResult:
        yield Static("Messages: every SMS in and out", classes="admin-title")
        yield Static("", id="whole", classes="admin-hint")
        yield Banner()
        yield DataTable(id="messages-table", cursor_type="row", zebra_stripes=True)
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="messages-load")
    def load(self) -> None:
        self.post_message(MessagesLoaded(in_db_thread(self.ctx, load_messages)))

    def on_messages_loaded(self, message: MessagesLoaded) -> None:
        if isinstance(message.rows, Failure):
            self.query_one(Banner).show(message.rows.message, "refused")
            return
        self.rows = message.rows
        table = self.query_one(DataTable)
        table.clear(columns=True)
        width = max([20] + [len(visible(r.text)) for r in self.rows])
        for label, size in (("When", 11), ("", 3), ("Number", 13), ("State", 10), ("Kind", 10), ("Visit", 5),
                            ("Text", min(width, 480))):
            table.add_column(label, width=size)
        tz = self.ctx.tz
        for r in self.rows:
            table.add_row(cell(r.at.astimezone(tz).strftime("%d %b %H:%M")), cell("in" if r.direction == "in" else "out"),
                          cell(national_format(r.number)), cell(r.state), cell(r.kind),
                          cell(r.visit_id or ""), cell(r.text), key=str(r.id))
        if not self.rows:
            self.query_one(Banner).show("no messages yet", "info")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        index = event.cursor_row
        if 0 <= index < len(self.rows):
            r = self.rows[index]
            extra = f"  [{r.error}]" if r.error else ""
            self.query_one("#whole", Static).update(plain(f"#{r.id}: {r.text}{extra}"))
