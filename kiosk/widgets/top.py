"""The top of the board: school name, big clock and date, and the four big counts."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from kiosk.widgets.big import BigValue
from kiosk.widgets.look import plain

COUNTS = (("out", "OUT"), ("due-soon", "DUE SOON"), ("overdue", "OVERDUE"), ("alarms", "ALARMS"))


class BoardClock(Vertical):
    """School name, HH:MM in big type, and the date. `show(local_now)` updates what changed."""

    def __init__(self, school: str, *, ascii: bool = False) -> None:
        super().__init__(id="clock")
        self._school = school
        self._ascii = ascii

    def compose(self) -> ComposeResult:
        yield Static(plain(self._school, 80), id="school", markup=False)
        yield BigValue("--:--", ascii=self._ascii, id="time")
        yield Static("", id="date", markup=False)

    def show(self, local_now: datetime) -> None:
        self.query_one("#time", BigValue).show(local_now.strftime("%H:%M"))
        date = local_now.strftime("%a %d %b %Y")
        label = self.query_one("#date", Static)
        if str(label.render()) != date:
            label.update(date)

    def school(self, name: str) -> None:
        if name != self._school:
            self._school = name
            self.query_one("#school", Static).update(plain(name, 80))


class CountBox(Vertical):
    def __init__(self, key: str, label: str, *, ascii: bool = False) -> None:
        super().__init__(id=f"count-{key}", classes="count")
        self._label = label
        self._ascii = ascii

    def compose(self) -> ComposeResult:
        yield Static(Text(self._label), classes="count-label", markup=False)
        yield BigValue("0", ascii=self._ascii, classes="count-value")

    def show(self, value: int) -> None:
        self.query_one(BigValue).show(str(value))
        self.set_class(value > 0, "nonzero")


class Counts(Horizontal):
    """Out, due soon, overdue, alarms, each in big type; overdue/alarms turn colour when non-zero."""

    def __init__(self, *, ascii: bool = False) -> None:
        super().__init__(id="counts")
        self._ascii = ascii

    def compose(self) -> ComposeResult:
        for key, label in COUNTS:
            yield CountBox(key, label, ascii=self._ascii)

    def show(self, counts: dict[str, int]) -> None:
        for key, _ in COUNTS:
            self.query_one(f"#count-{key}", CountBox).show(counts.get(key, 0))
