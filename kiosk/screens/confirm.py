"""A yes/no confirmation, and the check of a typed "who did it".

`ConfirmDialog(title, message)` -> True (Y) / False (N or Escape). It never writes anything itself.
Who is at the keyboard is asked by `kiosk.screens.pin.ReceptionPinScreen`.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

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
