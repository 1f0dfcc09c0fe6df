"""Small dialogs the board uses: a yes/no confirmation, and "who is doing this" (initials).

Results: `ConfirmDialog` -> True / False; `InitialsDialog` -> the initials typed (str) or None when
cancelled. They never write anything themselves. Keys: Enter confirms, Escape cancels, arrows move.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from kiosk.widgets.look import plain


def initials_error(value: str) -> str | None:
    cleaned = " ".join(value.split())
    if not cleaned:
        return "Type your initials."
    if len(cleaned) > 40 or not cleaned.isprintable():
        return "Initials: up to 40 ordinary characters."
    return None


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("n", "cancel", "No"),
                Binding("y", "confirm", "Yes")]

    def __init__(self, title: str, message: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self._title, self._message = title, message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(plain(self._title, 200, style="bold"), classes="dialog-title", markup=False)
            if self._message:
                yield Static(Text(self._message), classes="dialog-message", markup=False)
            yield Static(Text("Y = yes, N = no"), classes="dialog-hint", markup=False)

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class InitialsDialog(ModalScreen["str | None"]):
    """Ask who is acting before a service call that records it."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, message: str = "", *, danger: bool = False) -> None:
        super().__init__(classes="dialog-screen")
        self._title, self._message, self._danger = title, message, danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog danger" if self._danger else "dialog"):
            yield Static(plain(self._title, 200, style="bold"), classes="dialog-title", markup=False)
            if self._message:
                yield Static(plain(self._message, 400), classes="dialog-message", markup=False)
            yield Input(placeholder="your initials", id="initials", max_length=40, compact=True)
            yield Static("", id="initials-error", classes="error", markup=False)
            yield Static(Text("Enter = record, Esc = cancel"), classes="dialog-hint", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        error = initials_error(event.value)
        if error:
            self.query_one("#initials-error", Static).update(error)
            return
        self.dismiss(" ".join(event.value.split()))

    def action_cancel(self) -> None:
        self.dismiss(None)
