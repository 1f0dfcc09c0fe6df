"""The key footer of every kiosk screen: Textual's Footer, minus a leak, wrapped onto more lines when narrow.

The leak: each time a screen is pushed over it or popped off it, Textual's Footer recomposes its keys
and data-binds every new key to its own `compact`; the old keys stay in that watcher list (Textual
prunes it only when `compact` changes, which it never does here), with everything they hold: ~1,300
objects per dialog or alarm view, kept for ever and walked by every full garbage collection.

The wrapping: Textual's Footer is one line that is simply cut at the right edge, so at 80 columns
the board lost F1 Help, F9 and F10. `KioskFooter` keeps every shown key on screen: one line when
they fit, flowing onto a second (or third) line when they do not, in the same order and look. It
must never hide, reorder or relabel a key, and it changes nothing when one line is enough.
"""

from __future__ import annotations

from typing import Iterable

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.widget import Widget
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


class Footer(TextualFooter):
    async def recompose(self) -> None:
        await super().recompose()
        drop_closed_watchers(self)


def drop_closed_watchers(node) -> int:
    """Forget the watchers of `node`'s reactives that belong to closed nodes; how many were dropped."""
    dropped = 0
    for watchers in getattr(node, "__watchers", {}).values():
        keep = [(owner, callback) for owner, callback in watchers
                if not (getattr(owner, "_closing", False) or getattr(owner, "_closed", False))]
        dropped += len(watchers) - len(keep)
        watchers[:] = keep
    return dropped


def key_width(key: FooterKey) -> int:
    """Cells a FooterKey takes in the normal (not compact) style: " F1 " + "Help "."""
    if not key.description:
        return cell_len(key.key_display)
    return cell_len(key.key_display) + cell_len(key.description) + 3


def wrap_keys(items: Iterable[Widget], width: int) -> list[list[Widget]]:
    """Split the footer's items into lines of at most `width` cells, keeping their order."""
    lines: list[list[Widget]] = [[]]
    used = 0
    for item in items:
        cells = key_width(item) if isinstance(item, FooterKey) else 0
        if lines[-1] and used + cells > width:
            lines.append([])
            used = 0
        lines[-1].append(item)
        used += cells
    return lines if lines[0] else []


class KioskFooter(Footer):
    """A Footer that wraps instead of cutting keys off (see the module docstring)."""

    DEFAULT_CSS = """
    KioskFooter.-wrapped { layout: vertical; }
    KioskFooter > HorizontalGroup.footer-line { height: 1; width: 1fr; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lines = 1

    def _width(self) -> int:
        return self.size.width or self.app.size.width

    def compose(self) -> ComposeResult:
        items = list(super().compose())
        lines = wrap_keys(items, self._width())
        self.lines = max(1, len(lines))
        self.set_class(self.lines > 1, "-wrapped")
        self.styles.height = self.lines
        if self.lines == 1:
            yield from items
            return
        for line in lines:
            yield HorizontalGroup(*line, classes="footer-line")

    def on_resize(self, event: events.Resize) -> None:
        keys = list(self.query(FooterKey))
        if keys and max(1, len(wrap_keys(keys, event.size.width))) != self.lines:
            self.call_after_refresh(self.recompose)
