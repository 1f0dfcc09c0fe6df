"""The read-only board (`kiosk ui --viewer`, and each browser of `kiosk serve`): look, never touch.

It shows what the reception board shows (addresses and code words stay hidden, as there), and red
alarms as a red list instead of the alarm screen. It must never offer or run an action: no sign-out,
back, extend, check-in, acknowledgement, reveal, admin screen or sound. Every action is refused by
`check_action` whatever asks for it (key, click, code), and the database under it is read-only.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer, Static

from kiosk.domain import ladder as L
from kiosk.domain.alarm_words import kind_word
from kiosk.services.board_view import AlarmLine, BoardView
from kiosk.screens.board import BoardScreen
from kiosk.widgets.look import Glyphs, local_hhmm, plain
from kiosk.widgets.status import StatusStrip

READ_ONLY = "Read-only view: sign-outs, check-ins, acknowledgements and reveals are done at reception."
# Keys that do something on the reception board: here they only get the sentence above.
RECEPTION_KEYS = frozenset("obepcak") | {"enter", "f6", "f7", "f8", "f9", "f10", "d"}


def red_text(alarms: list[AlarmLine], tz, glyphs: Glyphs) -> Text:
    """One line per red alarm: what, who, since when, and that it is acknowledged at reception only."""
    out = Text()
    for alarm in (a for a in alarms if a.level == L.RED):
        if out.plain:
            out.append("\n")
        out.append(f" {glyphs.red} RED ALARM {alarm.id}: {kind_word(alarm.kind)} ",
                   style="bold")
        out.append_text(plain(", ".join(alarm.names) or "?", 80, style="bold"))
        out.append(f" {glyphs.dot} since {local_hhmm(alarm.raised_at, tz)} {glyphs.dot} ")
        if alarm.acknowledged_by:
            out.append("acknowledged at reception by ")
            out.append_text(plain(alarm.acknowledged_by, 40))
        else:
            out.append("NOT ACKNOWLEDGED: acknowledged at reception only", style="bold")
    return out


class RedAlarms(Static):
    """Hidden when no red alarm is open."""

    def __init__(self) -> None:
        super().__init__("", id="viewer-red", markup=False)
        self._last: str | None = None

    def show(self, alarms: list[AlarmLine], tz, glyphs: Glyphs) -> None:
        text = red_text(alarms, tz, glyphs)
        self.display = bool(text.plain)
        if text.plain != self._last:
            self._last = text.plain
            self.update(text)


class ViewerBoardScreen(BoardScreen, inherit_bindings=False):
    """The board with no bindings and every action refused."""

    BINDINGS = []
    DEFAULT_CSS = """
    #viewer-red { height: auto; max-height: 6; background: $error; color: white; text-style: bold; }
    #viewer-note { dock: bottom; height: 1; background: $surface; color: $foreground; }
    """

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, Footer):
                yield Static(Text(f" {READ_ONLY}", style="italic"), id="viewer-note", markup=False)
                continue
            yield widget
            if isinstance(widget, StatusStrip):
                yield RedAlarms()

    def show(self, view: BoardView) -> None:
        super().show(view)
        self.query_one(RedAlarms).show(view.alarms, self.app.ctx.tz, self.app.glyphs)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return False

    def on_key(self, event: events.Key) -> None:
        if event.key in RECEPTION_KEYS:
            event.stop()
            self.notify(READ_ONLY, markup=False)

    def on_data_table_row_selected(self, event) -> None:
        """Enter on a visit opens nothing here (its timeline is for reception)."""
        event.stop()
        self.notify(READ_ONLY, markup=False)
