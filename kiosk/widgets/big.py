"""Big type for the clock and the counts: Textual's Digits in full colour, ASCII on the console.

The Linux console font may lack the box-drawing glyphs Digits uses (they show as diamonds), so the
console form draws seven-segment figures from "_" and "|" only. Shows digits, ":" and spaces;
anything else is drawn as a space (never user text).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Digits, Static

_ASCII = {
    "0": (" _ ", "| |", "|_|"), "1": ("   ", "  |", "  |"), "2": (" _ ", " _|", "|_ "),
    "3": (" _ ", " _|", " _|"), "4": ("   ", "|_|", "  |"), "5": (" _ ", "|_ ", " _|"),
    "6": (" _ ", "|_ ", "|_|"), "7": (" _ ", "  |", "  |"), "8": (" _ ", "|_|", "|_|"),
    "9": (" _ ", "|_|", " _|"), ":": (" ", ".", "."), " ": (" ", " ", " "), "-": ("   ", " _ ", "   "),
}


def ascii_figures(value: str) -> str:
    """Three lines of seven-segment figures for `value`, a blank column between two figures (side
    by side, "11:48" ran together as `||_|.|_||_`)."""
    glyphs = [_ASCII.get(ch, _ASCII[" "]) for ch in value]
    return "\n".join(" ".join(g[row] for g in glyphs) for row in range(3))


class BigValue(Widget):
    """A short value (a time, a count) in big type."""

    DEFAULT_CSS = """
    BigValue { height: 3; width: auto; }
    BigValue > Digits { width: auto; }
    BigValue > Static { width: auto; }
    """

    def __init__(self, value: str = "", *, ascii: bool = False, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._value = value
        self._ascii = ascii

    def compose(self) -> ComposeResult:
        yield Static(ascii_figures(self._value), markup=False) if self._ascii else Digits(self._value)

    @property
    def value(self) -> str:
        return self._value

    def show(self, value: str) -> None:
        """Update only if the value changed (a repaint costs CPU on a Pi)."""
        if value == self._value:
            return
        self._value = value
        if self._ascii:
            self.query_one(Static).update(ascii_figures(value))
        else:
            self.query_one(Digits).update(value)
