"""The two looks of the board: full colour for a normal terminal or the Wayland kiosk, and a
console-safe theme for the bare Linux console (TERM=linux).

The console theme uses only the 8 base ANSI colours (bright ones merge with normal ones there,
Textual #5907); `console.tcss` swaps box-drawing borders for ASCII (Textual #5011). Neither theme
may ever carry meaning by colour alone: every status also has a word and a symbol.
"""

from __future__ import annotations

from textual.app import App
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.theme import Theme

FULL_THEME = "kiosk"
CONSOLE_THEME = "kiosk-console"

FULL = Theme(
    name=FULL_THEME,
    dark=True,
    primary="#3b82f6",
    secondary="#22d3ee",
    accent="#facc15",
    warning="#f59e0b",
    error="#dc2626",
    success="#16a34a",
    foreground="#e5e7eb",
    background="#0b1020",
    surface="#111827",
    panel="#1f2937",
)

CONSOLE = Theme(
    name=CONSOLE_THEME,
    dark=True,
    ansi=True,
    primary="ansi_blue",
    secondary="ansi_cyan",
    accent="ansi_yellow",
    warning="ansi_yellow",
    error="ansi_red",
    success="ansi_green",
    foreground="ansi_white",
    background="ansi_black",
    surface="ansi_black",
    panel="ansi_black",
    boost="ansi_black",
    variables={
        "ansi-background": "ansi_black",
        "ansi-foreground": "ansi_white",
        "border": "ansi_white",
        "border-blurred": "ansi_white",
        "footer-key-foreground": "ansi_yellow",
        "footer-background": "ansi_black",
        "footer-foreground": "ansi_white",
        "footer-description-foreground": "ansi_white",
        "footer-item-background": "ansi_black",
        "block-cursor-background": "ansi_blue",
        "block-cursor-foreground": "ansi_white",
        "block-cursor-text-style": "bold",
        "block-cursor-blurred-background": "ansi_black",
        "block-cursor-blurred-foreground": "ansi_white",
        "block-hover-background": "ansi_black",
        "scrollbar": "ansi_white",
        "scrollbar-background": "ansi_black",
        "scrollbar-hover": "ansi_white",
        "scrollbar-active": "ansi_white",
        "scrollbar-corner-color": "ansi_black",
        "input-cursor-background": "ansi_white",
        "input-cursor-foreground": "ansi_black",
        "input-selection-background": "ansi_blue",
    },
)


def register_themes(app: App) -> None:
    app.register_theme(FULL)
    app.register_theme(CONSOLE)


class ConsoleScrollBarRender(ScrollBarRender):
    """A scrollbar of spaces: its thumb is the colour of the space alone (the console font has no
    block elements such as "▇", which Textual draws at the thumb's ends)."""

    VERTICAL_BARS = [" "] * 8
    HORIZONTAL_BARS = [" "] * 8


def use_scrollbars(console: bool) -> None:
    """Scrollbars for the look in use (a class-wide setting of Textual's: one app per process)."""
    ScrollBar.renderer = ConsoleScrollBarRender if console else ScrollBarRender
