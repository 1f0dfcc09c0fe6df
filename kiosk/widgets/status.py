"""The SMS link strip: signal, network, queue, last contact with the gateway; red when it is down.

Renders a `kiosk.services.board_view.Link` (from the gateway's health row, judged by
`kiosk.domain.link.link_state`). Never shows message text or numbers.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from kiosk.domain.display import ago
from kiosk.services.board_view import Link
from kiosk.widgets.look import Glyphs, plain


def link_text(link: Link, now: datetime, glyphs: Glyphs, stale: str | None = None) -> Text:
    state = link.state
    if stale:  # this screen's own reads failed or stopped: nothing below it is current
        out = Text(f" {glyphs.link_down} {stale.upper()} ", style="bold black on yellow")
        out.append(" last known: ")
        out.append("SMS link up" if state.up else "SMS link down")
        return out
    if not state.up:
        out = Text(f" {glyphs.link_down} SMS LINK DOWN ", style="bold white on red")
        out.append(" ")
        out.append_text(plain(state.reason or "", 120))
    else:
        out = Text(f" {glyphs.link_up} SMS link up ", style="bold black on green")
        bars = "?" if link.signal_bars is None else f"{link.signal_bars}/5"
        out.append(f" signal {bars} {glyphs.dot} ")
        out.append_text(plain(link.operator or "network ?", 30))
        out.append(f" {glyphs.dot} queue {link.queue}")
    if state.self_test and state.up:
        out.append(f" {glyphs.dot} ")
        out.append_text(plain(state.self_test, 60))
    if link.heartbeat_at is not None:
        out.append(f" {glyphs.dot} gateway {ago((now - link.heartbeat_at).total_seconds())}")
    return out


class StatusStrip(Static):
    """One line; `down` class when the link is down (the CSS makes the whole strip red)."""

    def __init__(self) -> None:
        super().__init__("", id="status", markup=False)
        self._last: str | None = None

    def show(self, link: Link, now: datetime, glyphs: Glyphs, stale: str | None = None) -> None:
        text = link_text(link, now, glyphs, stale)
        self.set_class(not link.state.up or bool(stale), "down")
        key = text.plain
        if key != self._last:
            self._last = key
            self.update(text)
