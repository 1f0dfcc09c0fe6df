"""How a status looks: a word, a symbol and a colour, never colour alone; full colour or console-safe.

Every piece of text from users goes through `plain()` (a Rich `Text`, never markup) after
`kiosk.domain.display.safe_text`. Must never build markup strings from user text.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from kiosk.domain import ladder as L
from kiosk.domain.display import safe_text
from kiosk.domain.alarm_words import kind_word


@dataclass(frozen=True)
class Glyphs:
    """Symbols for one theme. The console set uses only ASCII (the console font has it)."""

    red: str
    amber: str
    due_soon: str
    ok: str
    link_up: str
    link_down: str
    dot: str
    arrow: str
    focus: str  # before the label of the form field with the focus
    more: str  # after the last word shown when more did not fit


FULL = Glyphs(red="■", amber="▲", due_soon="◔", ok="●", link_up="●", link_down="✖", dot="·", arrow="→", focus="▶", more="…")
CONSOLE = Glyphs(red="!!", amber="!", due_soon="~", ok="+", link_up="+", link_down="X", dot="|", arrow=">", focus=">", more="+")

# Rich standard colours (0-7): on the console theme they stay the 8 base ANSI colours.
STYLES = {
    L.RED: "bold white on red",
    L.AMBER: "bold black on yellow",
    L.DUE_SOON: "bold yellow",
    L.OK: "green",
}


def plain(value: object, limit: int | None = 200, style: str = "") -> Text:
    """User text as a literal Rich Text: markup is not parsed, escapes and controls are removed."""
    return Text(safe_text(value, limit), style=style, no_wrap=True, overflow="ellipsis")


def status_word(level: str, kinds: tuple[str, ...] = ()) -> str:
    if level in (L.RED, L.AMBER) and kinds:
        return kind_word(kinds[0])
    return {L.RED: "ALARM", L.AMBER: "AMBER", L.DUE_SOON: "DUE SOON", L.OK: "OK"}.get(level, level.upper())


def status_symbol(level: str, glyphs: Glyphs) -> str:
    return {L.RED: glyphs.red, L.AMBER: glyphs.amber, L.DUE_SOON: glyphs.due_soon}.get(level, glyphs.ok)


class StatusCell(Text):
    """The status cell; carries the row's rank so the table can sort most urgent first."""

    rank: tuple = ()


def status_cell(level: str, kinds: tuple[str, ...], glyphs: Glyphs, rank: tuple) -> StatusCell:
    cell = StatusCell(f"{status_symbol(level, glyphs)} {status_word(level, kinds)}", style=STYLES.get(level, ""),
                      no_wrap=True, overflow="ellipsis")
    cell.rank = rank
    return cell


def local_hhmm(when, tz) -> str:
    return "--:--" if when is None else when.astimezone(tz).strftime("%H:%M")
