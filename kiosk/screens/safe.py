"""User text made harmless for the screen: names, places and SMS shown exactly, never interpreted.

Everything from SMS, forms, config and the database goes through `plain()` before a widget sees it.
It returns a rich `Text` (so `[bold]` or `[@click=app.quit]` is never markup) in which control
characters, escape sequences and invisible format characters (bidi overrides, zero-width) are
replaced by visible stand-ins, so nothing typed can move the cursor, recolour the terminal, reverse
a line or hide a word. It must never drop text silently or raise on any str.
"""

from __future__ import annotations

import unicodedata

from rich.text import Text

_C0_PICTURES = {i: chr(0x2400 + i) for i in range(0x20)}  # ␀ .. ␟ (ESC -> ␛)
_C0_PICTURES[0x7F] = "\u2421"  # ␡


def visible(value: object) -> str:
    """`value` as one line of text with every control or format character shown as a symbol."""
    text = "" if value is None else str(value)
    out = []
    for ch in text:
        code = ord(ch)
        if code in _C0_PICTURES:
            out.append(" " if ch in "\n\t" else _C0_PICTURES[code])
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            out.append(f"<U+{code:04X}>")
        else:
            out.append(ch)
    return "".join(out)


def plain(value: object, style: str = "") -> Text:
    """A Text that shows `value` literally (see the module docstring)."""
    return Text(visible(value), style=style, no_wrap=False, end="")


def cell(value: object, style: str = "") -> Text:
    """`plain()` for a table cell: one line, cut with an ellipsis if the column is narrower."""
    return Text(visible(value), style=style, no_wrap=True, overflow="ellipsis", end="")
