"""The help screen: every key of the screen it was opened from, and the SMS command language.

`HelpScreen()` -> ModalScreen[None] (Escape or F1 closes). The keys are read from the screen
underneath at the moment help opens (its active bindings, the app's included), so the list is
never out of date with what the footer offers. The SMS table is data checked against the parser by
a test, so it cannot drift from what the gateway understands.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from kiosk.domain.parser import COMMANDS_HELP
from kiosk.screens._form import FORMS_CSS
from kiosk.screens.safe import cell, plain
from kiosk.widgets.footer import KioskFooter

SMS_COMMANDS: tuple[tuple[str, str], ...] = (
    ("OUT 14 Elm Rd UNTIL 15:30", "start a visit by text (shown as unapproved)"),
    ("ARRIVED", "arrived at the visit"),
    ("OK", "check in: safe (restarts the check-in interval)"),
    ("EXTEND 20  /  LATE 20  /  +20", "20 more minutes"),
    ("BACK AT 16:15  /  BACK IN 20", "a new due-back time"),
    ("LEAVING", "leaving the visit"),
    ("BACK", "back: the visit ends"),
    ("STATUS", "reply with the visit's due-back time"),
    ("HELP  /  SOS", "RED ALARM at once: reception and alert receivers"),
    ("COMMANDS  /  ?", "reply with the list of commands"),
    ("ACK  /  ACK 12", "alert receivers: take charge of an alarm"),
    ("your code word, anywhere", "silent duress: red alarm, the reply looks normal"),
)
"""(example text, what it does): every example is checked against kiosk.domain.parser by a test."""


def screen_keys(screen: Screen) -> list[tuple[str, str]]:
    """(key as shown, what it does) for every described binding active on `screen`, app's included:
    the footer's keys and the ones it leaves out for room (K, F6-F8 on the board), so no key does
    anything that neither the footer nor this help lists."""
    app = screen.app
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str]] = []
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or (not binding.show and not isinstance(active.node, (Screen, App))):
            continue  # a widget's own hidden keys (a table's cursor keys) are not the screen's
        shown = binding.key_display or app.get_key_display(binding)
        label = f"{binding.description}" + ("" if active.enabled else " (not now)")
        if (shown, label) in seen:
            continue
        seen.add((shown, label))
        out.append((shown, label))
    return out


class HelpScreen(ModalScreen[None]):
    CSS_PATH = FORMS_CSS
    DEFAULT_CSS = "HelpScreen { align: center top; } HelpScreen DataTable { height: auto; margin-bottom: 1; }"
    BINDINGS = [
        Binding("escape", "close", "Close", key_display="Esc"),
        Binding("f1", "close", "Close", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -wide"):
            yield Static("Help", classes="dialog-title")
            with VerticalScroll(id="help-body"):
                notes = getattr(getattr(self.app, "options", None), "demo_notes", "")
                if notes:  # kiosk demo: what to try it with, first
                    yield Static(notes, id="help-demo-notes", markup=False)
                yield Static("Keys on this screen", classes="hint")
                yield DataTable(id="keys", cursor_type="none", show_cursor=False)
                yield Static("Texts staff can send to the kiosk's number", classes="hint")
                yield DataTable(id="sms", cursor_type="none", show_cursor=False)
                yield Static(plain(f"The reply to ? is: {COMMANDS_HELP}"), id="commands-help", classes="hint")
                yield Static("On the console, every action has a letter, digit, F-key, arrow, Enter, Tab or "
                             "Escape. A wrong PIN only slows the next try; it never locks the kiosk.",
                             classes="hint")
        yield KioskFooter()

    def on_mount(self) -> None:
        stack = self.app.screen_stack
        beneath = stack[stack.index(self) - 1] if self in stack and stack.index(self) > 0 else None
        self.keys = screen_keys(beneath) if beneath is not None else []
        # Found by QA at 80x24: the tables were cut (the keys after the fifth scrolled out of sight,
        # each "Does" cut at the right edge). Now the tables take their full height (the whole help
        # scrolls) and "Does" fits the screen, wrapping onto more lines instead of being cut.
        room = max(24, self.app.size.width - 8)  # two columns' padding and the scroll bar
        keys = self.query_one("#keys", DataTable)
        keys.add_column("Key", width=12)
        keys.add_column("Does", width=min(50, room - 12))
        for shown, label in self.keys:
            keys.add_row(cell(shown), plain(label), height=None)
        sms = self.query_one("#sms", DataTable)
        text_width = 34 if room >= 34 + 40 else 20
        sms.add_column("Text", width=text_width)
        sms.add_column("Does", width=min(52, room - text_width))
        for text, does in SMS_COMMANDS:
            sms.add_row(plain(text), plain(does), height=None)

    def action_close(self) -> None:
        self.dismiss(None)
