"""The Textual baseline: a minimal app showing one DataTable of N rows, nothing of kiosk imported.

`python -m bench.minimal_app 100` runs it on the terminal; the bench measures its start-up and memory
against `kiosk ui`. `--clock` adds what every kiosk screen must have, a clock redrawn once a second:
the idle-CPU baseline (an idle board should cost no more than that). It must stay minimal (no
database, no other timer).
"""

from __future__ import annotations

import sys
import time

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Static


class Minimal(App):
    def __init__(self, rows: int, clock: bool = False) -> None:
        super().__init__()
        self.rows = rows
        self.clock = clock

    def compose(self) -> ComposeResult:
        if self.clock:
            yield Static(id="clock")
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Who", "Where", "Due back", "Last contact")
        for i in range(self.rows):
            table.add_row(f"Staff {i:04d}", f"visit {i + 1}", "16:30", "-")
        if self.clock:
            self.tick()
            self.set_interval(1, self.tick)

    def tick(self) -> None:
        self.query_one("#clock", Static).update(time.strftime("%H:%M:%S"))


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--clock"]
    Minimal(int(args[0]) if args else 100, clock="--clock" in sys.argv[1:]).run()
