"""The footer of screens that stay open for months (the board): Textual's Footer, minus a leak.

Each time a screen is pushed over it or popped off it, Textual's Footer recomposes its keys and
data-binds every new key to its own `compact`; the old keys stay in that watcher list (Textual
prunes it only when `compact` changes, which it never does here), with everything they hold: ~1,300
objects per dialog or alarm view, kept for ever and walked by every full garbage collection. It
must look and behave exactly like Textual's Footer.
"""

from __future__ import annotations

from textual.widgets import Footer as TextualFooter


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
