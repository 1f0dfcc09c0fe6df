"""Screens that close themselves when nobody touches the keyboard, so a dialog or form left open by
a visitor never hides the board for long.

`Activity` counts any key, click, edit, choice or cursor move as someone at the keyboard.
`IdleClose` dismisses its screen with `IDLE_RESULT` after `IDLE_SECONDS` quiet seconds on the
injected clock, but only while it is the screen on top (a dialog above it, such as the PIN, keeps
it open). Times come from `ctx.clock.monotonic`: tests move a FakeClock instead of waiting.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import Checkbox, DataTable, Input, Select

from kiosk.security.idle import IdleTimer

IDLE_CHECK_SECONDS = 0.5  # how often the idle clock is looked at (real time; the clock itself is injected)


class Activity:
    """Mixin: any key, click, edit, choice or cursor move counts as someone at the keyboard."""

    idle: IdleTimer | None = None

    def touch(self) -> None:
        if self.idle is not None:
            self.idle.touch()

    def on_key(self, event: events.Key) -> None:
        self.touch()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self.touch()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.touch()

    def on_select_changed(self, event: Select.Changed) -> None:
        self.touch()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self.touch()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.touch()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.touch()


class IdleClose(Activity):
    """Mixin for a Screen with a `ctx`: dismiss(IDLE_RESULT) after IDLE_SECONDS without activity."""

    IDLE_SECONDS: float = 300.0
    IDLE_RESULT: Any = None

    def on_mount(self) -> None:
        if self.idle is None:
            self.idle = IdleTimer(self.ctx.clock.monotonic, self.IDLE_SECONDS)
        self.set_interval(IDLE_CHECK_SECONDS, self.close_if_idle)

    def close_if_idle(self) -> None:
        if self.is_current and self.idle.expired():
            self.dismiss(self.IDLE_RESULT)
