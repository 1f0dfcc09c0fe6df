"""Every SMS in and out, newest first, with its state. For admins (behind the admin PIN).

`MessagesScreen(ctx)` -> Screen[None] (an AdminScreen). Text is shown exactly as stored (code words
were redacted before storing), never as markup; numbers in national format. A text that could not be
decoded is listed as `undecodable`, its raw PDU in hex as its text (kiosk.services.undecodable).
Keys: R reload, arrows move (the selected message's whole text shows above the table), F6/F7 other
admin screens, Esc board.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding
from textual.widgets import DataTable, Static

from kiosk.domain.phones import national_format
from kiosk.screens.admin import AdminListScreen
from kiosk.screens.safe import cell, plain, visible
from kiosk.services.admin_view import SmsRow, load_messages

class MessagesScreen(AdminListScreen):
    NAME = "messages"
    HEADING = "Messages: every SMS in and out"
    HINT_ID = "whole"
    TABLE_ID = "messages-table"
    EMPTY = "no messages yet"
    BINDINGS = [Binding("r", "reload", "Reload", key_display="R")]

    def action_reload(self) -> None:
        self.load()

    def read_rows(self) -> list[SmsRow]:
        return load_messages()

    def columns(self) -> tuple[tuple[str, int], ...]:
        width = max([20] + [len(visible(r.text)) for r in self.rows])
        return (("When", 11), ("", 3), ("Number", 13), ("State", 11), ("Kind", 10), ("Visit", 5),
                ("Text", min(width, 480)))

    def cells(self, r: SmsRow) -> tuple[Any, ...]:
        return (cell(r.at.astimezone(self.ctx.tz).strftime("%d %b %H:%M")), cell("in" if r.direction == "in" else "out"),
                cell(national_format(r.number) if r.number else "(unknown)"), cell(r.state), cell(r.kind), cell(r.visit_id or ""), cell(r.text))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        index = event.cursor_row
        if 0 <= index < len(self.rows):
            r = self.rows[index]
            extra = f"  [{r.error}]" if r.error else ""
            self.query_one("#whole", Static).update(plain(f"#{r.id}: {r.text}{extra}"))
