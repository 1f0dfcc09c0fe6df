"""The full address (or, after the admin PIN, the code words) of one visit, shown after an explicit
key and hidden again after `ui.reveal_seconds`.

The reveal itself is audited by `kiosk.services.board_view.reveal_address` before the text gets
here; this widget only shows it and hides it. It must never show anything without a deadline.
"""

from __future__ import annotations

import math

from rich.text import Text
from textual.widgets import Static

from kiosk.widgets.look import plain


class RevealPanel(Static):
    """Hidden unless revealing. `expire(monotonic_now)` hides it once the deadline has passed."""

    def __init__(self) -> None:
        super().__init__("", id="reveal", markup=False)
        self.display = False
        self.visit_id: int | None = None
        self.deadline: float | None = None
        self._body = Text()
        self._left: int | None = None  # the seconds shown in "(hides in N s)"

    def reveal(self, visit_id: int, label: str, address: str, *, until: float, seconds: int) -> None:
        self.visit_id, self.deadline = visit_id, until
        text = Text(" ADDRESS ", style="bold reverse")
        text.append(" ")
        text.append_text(plain(label, 60))
        text.append(": ")
        text.append_text(plain(address, 300, style="bold"))
        self._show(text, seconds)

    def reveal_words(self, visit_id: int, label: str, words: list[tuple[str, str]], *, until: float,
                     seconds: int) -> None:
        self.visit_id, self.deadline = visit_id, until
        text = Text(" CODE WORD ", style="bold reverse")
        text.append(" ")
        text.append_text(plain(label, 60))
        text.append(": ")
        for n, (name, word) in enumerate(words):
            if n:
                text.append("; ")
            text.append_text(plain(name, 60))
            text.append(" ")
            text.append_text(plain(word, 60, style="bold"))
        self._show(text, seconds)

    def _show(self, body: Text, seconds: int) -> None:
        self._body = body
        self._count(seconds)
        self.display = True

    def _count(self, left: int) -> None:
        """Repaint only when the whole seconds left change (the board ticks once a second)."""
        if left == self._left:
            return
        self._left = left
        text = self._body.copy()
        text.append(f"  (hides in {left} s)", style="dim")
        self.update(text)

    def expire(self, monotonic_now: float) -> bool:
        """Hide if due, else count the seconds left down; returns True when it hid."""
        if self.deadline is None:
            return False
        if monotonic_now >= self.deadline:
            self.hide()
            return True
        self._count(math.ceil(self.deadline - monotonic_now))
        return False

    def hide(self) -> None:
        self.visit_id, self.deadline, self._left = None, None, None
        self.update("")
        self.display = False

    @property
    def showing(self) -> bool:
        return self.deadline is not None
