"""Pieces every kiosk form shares: a labelled row with its error line, and a one-line banner.

A field's error is shown on the line under it, in words (never colour alone), and is current: it
clears the moment its field is changed (`LiveErrors`), and text over its limit is refused as it is
typed, with the limit named, never cut. The row with the focus is marked in both themes: "▶" (">"
on the console) before its label, and the field itself in reverse video. Screens build their forms
from these; all text given to them is shown literally (see kiosk.screens.safe).
"""

from __future__ import annotations

from pathlib import Path

from typing import Iterable

from textual import events
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from kiosk.domain.limits import too_long
from kiosk.screens.safe import plain
from kiosk.widgets.look import FULL

FORMS_CSS = Path(__file__).with_name("forms.tcss")


class Row(Horizontal):
    """A labelled row. While its field has the focus the marker column shows "▶" (">" on the
    console) and the row gets the class -focused (the field in reverse video: forms.tcss)."""

    def __init__(self, label: str, *parts: Widget) -> None:
        super().__init__(Static("", classes="marker"), Static(label, classes="label"), *parts, classes="row")
        self.label = label

    def on_descendant_focus(self, _: events.DescendantFocus) -> None:
        self._mark(True)

    def on_descendant_blur(self, _: events.DescendantBlur) -> None:
        self._mark(False)

    def _mark(self, focused: bool) -> None:
        glyphs = getattr(self.app, "glyphs", FULL)
        self.query_one(".marker", Static).update(glyphs.focus if focused else "")
        self.set_class(focused, "-focused")


def row(label: str, field: Widget, *, after: str = "") -> Row:
    """A row: the focus marker, a right-aligned label, the field, and an optional note after it."""
    parts: list[Widget] = [field]
    if after:
        parts.append(Static(plain(after), classes="after"))
    return Row(label, *parts)


def label_of(widget: Widget) -> str:
    """The label of the row a field is in ("Place"), or its id."""
    parent = widget.parent
    return parent.label if isinstance(parent, Row) else (widget.id or "").replace("_", " ")


def first_error(fields: Iterable[str], errors: dict[str, str]) -> str | None:
    return next((name for name in fields if name in errors), None)


def errors_banner(screen: Widget, fields: Iterable[str], errors: dict[str, str]) -> str:
    """What Save says when fields are wrong: the first one by its label and what is wrong with it,
    and how many more ("Place: the full address is required (and 1 more field). Nothing saved yet.")."""
    first = first_error(fields, errors)
    if first is None:
        return f"{len(errors)} to correct. Nothing saved yet." if errors else ""
    more = len(errors) - 1
    extra = f" (and {more} more field{'s' if more > 1 else ''})" if more else ""
    return f"{label_of(screen.query_one(f'#{first}'))}: {errors[first]}{extra}. Nothing saved yet."


class LiveErrors:
    """A screen mixin: a field's error line clears the moment the field is changed, and a Field with
    a `limit` says at once when its text is too long (the text is kept whole, never cut: the person
    shortens it). Textual runs these handlers besides the screen's own."""

    def on_input_changed(self, event: Input.Changed) -> None:
        self.field_changed(event.input)

    def on_select_changed(self, event: Select.Changed) -> None:
        self.field_changed(event.select)

    def field_changed(self, widget: Widget) -> None:
        if not widget.id:
            return
        message = ""
        limit = getattr(widget, "limit", None)
        if limit is not None and len(widget.value) > limit:
            message = too_long(label_of(widget).lower(), len(widget.value), limit)
        for line in self.query(f"#{widget.id}-error"):  # type: ignore[attr-defined]
            if isinstance(line, ErrorLine):
                line.show(message)
        widget.set_class(bool(message), "-invalid-field")


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
    snapshots), compact so a whole form fits 80x24. `limit`: the most characters the text may have
    (kiosk.domain.limits); longer text is kept and refused by LiveErrors, not cut as Input's
    max_length would (a pasted address silently lost its postcode)."""

    def __init__(self, value: str | None = None, *, limit: int | None = None, **kwargs) -> None:
        kwargs.setdefault("compact", True)
        super().__init__(value, **kwargs)
        self.cursor_blink = False
        self.limit = limit
