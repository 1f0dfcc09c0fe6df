"""The visits table: one row per open visit, most urgent first, updated cell by cell.

`sync(rows, now)` adds and removes rows by visit id and calls `update_cell` only where the text or
style differs; it never clears the table. `tick(now)` refreshes just the countdown and "ago" cells.
An updated cell repaints its own row only: Textual's DataTable would throw away every rendered
line of the table on any update (its caches are keyed by one table-wide update counter), which on a
Pi turned each second's countdown into a repaint of the whole board. The public label only: never
the address (that is `place`, shown by the reveal panel after an explicit key).
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Region
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, ColumnKey, RowKey, RowDoesNotExist

from kiosk.domain import ladder as L
from kiosk.domain.display import ago, countdown
from kiosk.services.queries import BoardRow
from kiosk.widgets.look import Glyphs, local_hhmm, plain, status_cell

WIDE = (("status", "Status", 12), ("staff", "Staff", 22), ("visit", "Visit", 15), ("left", "Left", 5),
        ("due", "Due", 5), ("countdown", "Due back", 10), ("contact", "Last contact", 16),
        ("travel", "Travel", 14), ("flags", "Flags", 26))
COMPACT = (("status", "Status", 11), ("staff", "Staff", 12), ("visit", "Visit", 8), ("due", "Due", 5),
           ("countdown", "Due back", 10), ("contact", "Contact", 7), ("flags", "Flags", 11))
# terminal columns from which the wide set fits whole (cell padding 1 each side, a scrollbar of 2)
WIDE_FROM = sum(width + 2 for _, _, width in WIDE) + 2
LIVE = ("countdown", "contact")  # cells that change with the clock alone
CACHED_LINES = 200  # rendered lines kept (a 50-line screen shows ~40 rows)
CACHED_CELLS = 2000


def _sig(cell: Text) -> tuple[str, str]:
    return cell.plain, str(cell.style)


def fit_words(words: list[str], width: int, more: str = "\u2026") -> str:
    """As many whole words as fit in `width`, then "+N" for the rest ("FLAG +2"), or, when not even
    that fits, the first word and `more` ("…"; "+" on the console): never a word cut short ("unappr"), never a flag dropped
    without a sign that there is more."""
    for kept in range(len(words), 0, -1):
        rest = len(words) - kept
        text = " ".join(words[:kept] + ([f"+{rest}"] if rest else []))
        if len(text) <= width:
            return text
    if words and len(words[0]) + len(more) <= width:
        return words[0] + more
    return f"+{len(words)}" if words else ""


class _Versioned(LRUCache):
    """One of DataTable's render caches with the version of what a line was rendered from added to
    every key: `version(key)` names the row (or cell) the key is about and returns its version."""

    __slots__ = ["_version"]

    def __init__(self, maxsize: int, version) -> None:
        super().__init__(maxsize)
        self._version = version

    def __contains__(self, key) -> bool:
        return super().__contains__((key, self._version(key)))

    def __getitem__(self, key):
        return super().__getitem__((key, self._version(key)))

    def get(self, key, default=None):
        return super().get((key, self._version(key)), default)

    def set(self, key, value) -> None:
        super().set((key, self._version(key)), value)

    __setitem__ = set


class VisitsTable(DataTable):
    """The board's table. The status cell carries the row's rank; sorting uses it."""

    def __init__(self, glyphs: Glyphs, tz, *, wide: bool = False) -> None:
        super().__init__(id="visits", cursor_type="row", zebra_stripes=False, show_cursor=True)
        self.glyphs = glyphs
        self.tz = tz
        self.wide = wide
        self._rows: dict[str, BoardRow] = {}
        self._shown: dict[str, dict[str, tuple[str, str]]] = {}
        self._ranks: dict[str, int] = {}  # the place of each row when its cells were last computed
        self.cell_updates = 0  # for tests and measurements: how many update_cell calls so far
        # per-row and per-cell versions, bumped by update_cell instead of DataTable's table-wide
        # counter (which still moves on every structural change: rows added, removed, sorted)
        self._row_version: dict[RowKey, int] = {}
        self._cell_version: dict[tuple[RowKey, ColumnKey], int] = {}
        rows, cells = self._row_version, self._cell_version
        # sized for a screenful or two (DataTable keeps 10,000 cells and 1,000 lines: garbage the
        # collector walks through, in pauses of a few hundred ms here, while the alarm view waits)
        self._cell_render_cache = _Versioned(CACHED_CELLS, lambda k: cells.get((k[0], k[1]), 0))
        self._row_render_cache = _Versioned(CACHED_LINES, lambda k: rows.get(k[0], 0))
        self._row_renderable_cache = _Versioned(CACHED_LINES, self._version_at_index)
        self._line_cache = _Versioned(CACHED_LINES, self._version_at_line)

    def _version_at_index(self, key) -> int:
        row_key = self._row_locations.get_key(key[1])  # (update count, row index)
        return self._row_version.get(row_key, 0) if row_key is not None else 0

    def _version_at_line(self, key) -> int:
        try:
            row_key, _ = self._get_offsets(key[0])  # (y, ...)
        except LookupError:
            return 0
        return self._row_version.get(row_key, 0)

    def update_cell(self, row_key: RowKey | str, column_key: ColumnKey | str, value, *,
                    update_width: bool = False) -> None:
        """DataTable.update_cell, repainting only the row of the cell (the column widths are fixed)."""
        if update_width:
            return super().update_cell(row_key, column_key, value, update_width=True)
        row_key = RowKey(row_key) if isinstance(row_key, str) else row_key
        column_key = ColumnKey(column_key) if isinstance(column_key, str) else column_key
        if row_key not in self._row_locations or column_key not in self._column_locations:
            raise CellDoesNotExist(f"No cell exists for row_key={row_key!r}, column_key={column_key!r}.")
        self._data[row_key][column_key] = value
        self._row_version[row_key] = self._row_version.get(row_key, 0) + 1
        cell = (row_key, column_key)
        self._cell_version[cell] = self._cell_version.get(cell, 0) + 1
        index = self._row_locations.get(row_key)
        y = index + (self.header_height if self.show_header else 0)  # every row is one line high
        self._refresh_region(Region(0, y, max(self.size.width, self.virtual_size.width), 1))

    def remove_row(self, row_key: RowKey | str) -> None:
        super().remove_row(row_key)
        key = RowKey(row_key) if isinstance(row_key, str) else row_key
        self._row_version.pop(key, None)
        for column_key in self.columns:
            self._cell_version.pop((key, column_key), None)

    @property
    def columns_spec(self):
        return WIDE if self.wide else COMPACT

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        for key, label, width in self.columns_spec:
            self.add_column(label, key=key, width=width)

    def set_wide(self, wide: bool) -> bool:
        """Switch the column set (on a resize across WIDE_FROM). Returns True when the rows must be
        synced again: this is the one place the table is cleared, never on a data change."""
        if wide == self.wide:
            return False
        self.wide = wide
        self.clear(columns=True)
        self._rows, self._shown, self._ranks = {}, {}, {}
        self._add_columns()
        return True

    # --- what one row shows ---------------------------------------------------------------------
    def _cell(self, key: str, row: BoardRow, now: datetime, rank: int) -> Text:
        urgent = row.level in (L.RED, L.AMBER)
        if key == "status":
            return status_cell(row.level, row.kinds, self.glyphs, (rank,))
        if key == "staff":
            names = " + ".join(row.staff) if self.wide or len(row.staff) < 2 else f"{row.staff[0]} +{len(row.staff) - 1}"
            return plain(names, 120, style="bold" if urgent else "")
        if key == "visit":  # under the "Visit" heading, "Visit 12 · LU4" reads "12 · LU4" when narrow
            label = row.label
            if not self.wide and label.startswith("Visit "):
                label = label[len("Visit "):]
            return plain(label, 60)
        if key == "left":
            return Text(local_hhmm(row.left_at, self.tz))
        if key == "due":
            return Text(local_hhmm(row.due_back, self.tz), style="bold")
        if key == "countdown":
            seconds = (row.due_back - now).total_seconds()
            style = "bold red" if seconds < 0 else "yellow" if row.level == L.DUE_SOON else ""
            return Text(countdown(seconds), style=style)
        if key == "contact":
            if row.last_contact is None:
                return Text("none", style="dim")
            seconds = (now - row.last_contact).total_seconds()
            if self.wide:
                return Text(f"{local_hhmm(row.last_contact, self.tz)} {ago(seconds)}")
            return Text(ago(seconds) if seconds < 3600 else ">1h ago")  # the narrow column holds 7
        if key == "travel":
            return plain(" ".join(x for x in (row.travel, row.vehicle) if x) or "-", 60)
        if key == "flags":
            width = next(w for k, _, w in self.columns_spec if k == "flags")
            return plain(fit_words(self._flags(row), width, self.glyphs.more) or "-", 120)
        raise KeyError(key)

    def _flags(self, row: BoardRow) -> list[str]:
        """Most important first: what fits the column is shown whole, the rest counted ("+2")."""
        flags = []
        if row.flagged:
            flags.append("FLAGGED" if self.wide else "FLAG")
        if not row.approved:
            flags.append("unapproved")
        if row.state != "out":
            flags.append(row.state)
        if row.owner:
            flags.append(f"taken: {row.owner}" if self.wide else "taken")
        if row.pair:
            flags.append("pair")
        if row.check_in_minutes:
            flags.append(f"check-in {row.check_in_minutes}m" if self.wide else f"ci{row.check_in_minutes}")
        if row.travel and not self.wide:
            flags.append(row.travel)
        return flags

    # --- reconciling --------------------------------------------------------------------------------
    def sync(self, rows: list[BoardRow], now: datetime) -> None:
        wanted = {str(r.id): r for r in rows}
        for key in [k for k in self._rows if k not in wanted]:
            self.remove_row(key)
            del self._rows[key], self._shown[key], self._ranks[key]
        for rank, row in enumerate(rows):
            key = str(row.id)
            if self._ranks.get(key) == rank and self._rows.get(key) == row:
                # the same facts at the same place: only the cells that move with the clock can differ
                self._update_cells(key, {k: self._cell(k, row, now, rank) for k in LIVE})
                continue
            self._ranks[key] = rank
            cells = {k: self._cell(k, row, now, rank) for k, _, _ in self.columns_spec}
            if key not in self._rows:
                self.add_row(*cells.values(), key=key)
                self._shown[key] = {k: _sig(c) for k, c in cells.items()}
            else:
                self._update_cells(key, cells)
                self.get_cell(key, "status").rank = (rank,)
            self._rows[key] = row
        order = [str(r.id) for r in rows]
        if [r.key.value for r in self.ordered_rows] != order:
            self._sort_keeping_cursor()

    def tick(self, now: datetime) -> None:
        """Once a second: only the countdown and "ago" cells, and only those whose text changed."""
        for key, row in self._rows.items():
            self._update_cells(key, {k: self._cell(k, row, now, 0) for k in LIVE})

    def _update_cells(self, key: str, cells: dict[str, Text]) -> None:
        shown = self._shown[key]
        for column, cell in cells.items():
            sig = _sig(cell)
            if shown.get(column) != sig:
                if column == "status":
                    cell.rank = self.get_cell(key, "status").rank
                self.update_cell(key, column, cell)
                self.cell_updates += 1
                shown[column] = sig

    def _sort_keeping_cursor(self) -> None:
        selected = self.selected_visit()
        self.sort("status", key=lambda cell: cell.rank)
        if selected is not None:
            try:
                self.move_cursor(row=self.get_row_index(str(selected)), animate=False)
            except (RowDoesNotExist, CellDoesNotExist):
                pass

    def selected_visit(self) -> int | None:
        """The visit id under the cursor, or None for an empty board."""
        if not self._rows or self.row_count == 0:
            return None
        try:
            key = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key
        except CellDoesNotExist:
            return None
        return int(key.value) if key.value is not None else None

    def row_of(self, visit_id: int) -> BoardRow | None:
        return self._rows.get(str(visit_id))
