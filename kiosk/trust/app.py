"""`kiosk trust`: the safeguarding lead's read-only screen of every site's board, on the trust's PC.

A small Textual app: it loads the view in a thread worker every `refresh_seconds` and shows one
panel per site, with a red STALE line when the trust has not heard from a site. It has no actions
at all (q quits): nothing can be signed out, acknowledged or revealed from here, and it never
connects to a site. It is never the reception screen (`kiosk ui` / `kiosk demo` do not import it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Header, Static

from kiosk.domain.display import terminal_line
from kiosk.trust.board import SiteBoard, TrustView
from kiosk.trust.render import alarm_line, site_heading, visit_line
from kiosk.clock import SystemClock
from kiosk.domain.staleness import stale_text
from kiosk.trust.pgconn import TrustError

STYLES = {"red": "bold white on dark_red", "amber": "bold black on dark_orange", "due-soon": "yellow"}


def _line(text: Text, line: str, style: str = "") -> None:
    """One line of the panel: plain text (never parsed as markup), made harmless (no escapes,
    no controls or bidi overrides: names and labels come from the sites)."""
    text.append(terminal_line(line) + "\n", style=style)


def site_text(board: SiteBoard, view: TrustView, tz: ZoneInfo) -> Text:
    """One site's panel as styled text."""
    text = Text()
    _line(text, site_heading(board, view.at, tz), "bold")
    if board.stale:
        _line(text, f"  {board.freshness}", "bold white on red")
    if board.error:
        _line(text, f"  cannot show this site: {board.error}", "red")
        return text
    if board.link:
        _line(text, f"  {board.link}", "bold red")
    for visit in board.visits:
        _line(text, visit_line(visit, view.at, tz), STYLES.get(visit.level, ""))
    if not board.visits:
        text.append("  no visits out\n", style="dim")
    for alarm in board.alarms:
        _line(text, alarm_line(alarm, tz), "red" if alarm.level == "red" else "dark_orange")
    return text


class TrustApp(App):
    """Read-only: the only key is q."""

    TITLE = "kiosk trust view (read-only)"
    CSS = """
    #status { height: auto; padding: 0 1; }
    #status.down { background: $error; color: $text; }
    .site { border: round $primary; padding: 0 1; margin: 0 0 1 0; height: auto; }
    .site.stale { border: heavy red; }
    """
    BINDINGS = [("q", "quit", "Quit")]

    class Loaded(Message):
        def __init__(self, view: TrustView) -> None:
            super().__init__()
            self.view = view

    class Failed(Message):
        def __init__(self, reason: str) -> None:
            super().__init__()
            self.reason = reason

    def __init__(self, load: Callable[[], TrustView], tz: ZoneInfo, *, refresh_seconds: float = 5,
                 clock=None) -> None:

        super().__init__()
        self.load = load
        self.tz = tz
        self.refresh_seconds = refresh_seconds
        self.clock = clock or SystemClock()
        self.view: TrustView | None = None
        self.panels: dict[str, Static] = {}
        self.loaded_at: datetime | None = None  # when a read last worked, by this app's clock ("not updating since")

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static("loading the trust view...", id="status")
        yield VerticalScroll(id="sites")
        yield Footer()

    def on_mount(self) -> None:
        self.reload()
        self.set_interval(self.refresh_seconds, self.reload)
        self.set_interval(1, self.check_stale)

    @work(thread=True, exclusive=True, group="trust-load", exit_on_error=False)
    def reload(self) -> None:

        try:
            view = self.load()
        except TrustError as exc:
            self.post_message(self.Failed(str(exc)))
        except Exception as exc:  # noqa: BLE001 - any failed read is said on screen, never a crash
            self.post_message(self.Failed(f"{type(exc).__name__}: {exc}"[:200]))
        else:
            self.post_message(self.Loaded(view))

    def stale(self) -> str | None:
        from datetime import timedelta


        return stale_text(self.loaded_at, None, self.clock.now(), self.tz,
                          limit=timedelta(seconds=3 * self.refresh_seconds + 5))

    def check_stale(self) -> None:
        """Reads that stopped (a hung server, a stuck worker) show as "NOT UPDATING SINCE 14:02"."""
        stale = self.stale()
        status = self.query_one("#status", Static)
        if stale and not status.has_class("down"):
            status.add_class("down")
            status.update(Text(stale.upper()))

    def on_trust_app_loaded(self, message: Loaded) -> None:
        view = message.view
        self.view = view
        self.loaded_at = self.clock.now()
        status = self.query_one("#status", Static)
        status.remove_class("down")
        stale = [b.name for b in view.sites if b.stale]
        at = view.at.astimezone(self.tz).strftime("%H:%M:%S")
        status.update(Text(f"{len(view.sites)} site(s) at {at}" + (f"; STALE: {', '.join(stale)}" if stale else "")
                           + ("; no sites yet: kiosk trust add-site NAME postgresql://..." if not view.sites else "")))
        box = self.query_one("#sites", VerticalScroll)
        names = [b.name for b in view.sites]
        for gone in [n for n in self.panels if n not in names]:
            self.panels.pop(gone).remove()
        for board in view.sites:
            panel = self.panels.get(board.name)
            if panel is None:
                panel = self.panels[board.name] = Static(classes="site")
                box.mount(panel)
            panel.set_class(board.stale, "stale")
            panel.update(site_text(board, view, self.tz))

    def on_trust_app_failed(self, message: Failed) -> None:
        status = self.query_one("#status", Static)
        status.add_class("down")
        last = f" (showing what was read at {self.view.at.astimezone(self.tz):%H:%M:%S})" if self.view else ""
        stale = self.stale()
        status.update(Text((f"{stale.upper()}: " if stale else "") + f"TRUST SERVER UNREACHABLE: {message.reason}{last}"))
