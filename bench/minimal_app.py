"""The Textual baseline: a minimal app showing one DataTable of N rows, nothing of kiosk imported.

`python -m bench.minimal_app 100` runs it on the terminal; the bench measures its start-up, idle CPU
and memory against `kiosk ui`. It must stay minimal (no timers, no database).
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.widgets import DataTable


class Minimal(App):
    def __init__(self, rows: int) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield DataTable()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Who", "Where", "Due back", "Last contact")
        for i in range(self.rows):
            table.add_row(f"Staff {i:04d}", f"visit {i + 1}", "16:30", "-")


if __name__ == "__main__":
    Minimal(int(sys.argv[1]) if len(sys.argv) > 1 else 100).run()
