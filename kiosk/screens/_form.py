"""Pieces every kiosk form shares: a labelled row with its error line, and a one-line banner.

A field's error is shown on the line under it, in words (never colour alone). Screens build their
forms from these; all text given to them is shown literally (see kiosk.screens.safe).
"""

from __future__ import annotations

from pathlib import Path

from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Static

from kiosk.screens.safe import plain

FORMS_CSS = Path(__file__).with_name("forms.tcss")


def row(label: str, field: Widget, *, after: str = "") -> Horizontal:
    """A row: right-aligned label, the field, and an optional note after it."""
    parts: list[Widget] = [Static(label, classes="label"), field]
    if after:
        parts.append(Static(plain(after), classes="after"))
    return Horizontal(*parts, classes="row")


class ErrorLine(Static):
    """The message beside (under) one field; hidden while empty."""

    def __init__(self, field_id: str) -> None:
        super().__init__("", id=f"{field_id}-error", classes="error -empty")
        self.field_id = field_id
        self.message = ""

    def show(self, message: str) -> None:
        self.message = message
        self.update(plain(f"! {message}") if message else "")
        self.set_class(not message, "-empty")


class Banner(Static):
    """A one-line message at the top of a form: refused (red), warning (amber) or info."""

    def __init__(self, id: str = "banner") -> None:
        super().__init__("", id=id, classes="banner -empty")
        self.kind = ""
        self.message = ""

    def show(self, message: str, kind: str = "info") -> None:
        self.kind, self.message = kind, message
        prefix = {"refused": "REFUSED: ", "warning": "WARNING: "}.get(kind, "")
        self.update(plain(prefix + message) if message else "")
        for name in ("refused", "warning", "info"):
            self.set_class(name == kind and bool(message), f"-{name}")
        self.set_class(not message, "-empty")

    def clear(self) -> None:
        self.show("")


class Field(Input):
    """A one-line input without a blinking cursor (a steady screen: no needless repaints, stable
    snapshots), compact so a whole form fits 80x24."""

    def __init__(self, value: str | None = None, **kwargs) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(value, **kwargs)
        self.cursor_blink = False
