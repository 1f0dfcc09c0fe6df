"""Making any text safe to put on the reception screen: what a terminal would obey is taken out.

It must never raise on any str and never interpret anything: markup such as "[bold]" is left as
plain characters (the screens wrap the result in a Rich `Text`, which does not parse markup); this
module only removes what a terminal itself would act on. Pure: no I/O, no textual.

- terminal escape sequences (CSI "ESC [ ... m", OSC "ESC ] ... BEL", and lone ESC) are removed whole;
- other control and format characters (NUL, BEL, C1 controls, bidi overrides and isolates,
  zero-width characters) become U+FFFD "�", so reception can see that something odd was there;
- newlines and tabs become single spaces (one visit, one line);
- the result is cut to `limit` characters, ending with "…" when cut.
"""

from __future__ import annotations

import math
import re
import unicodedata

REPLACEMENT = "\ufffd"
ELLIPSIS = "\u2026"

_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"          # CSI
    r"|\x9b[0-?]*[ -/]*[@-~]?"           # 8-bit CSI
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # OSC, DCS, SOS, PM, APC
    r"|[\x90\x9d\x98\x9e\x9f][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"  # 8-bit OSC/DCS/...
    r"|\x1b[ -/]*[0-~]?"                 # any other ESC sequence (or a lone ESC)
)
_SPACES = re.compile(r"[ \t\r\n\v\f\x85\u2028\u2029]+")


def safe_text(value: object, limit: int | None = 200) -> str:
    """`value` as one line of harmless text (see the module docstring). None becomes ""."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = _ESCAPES.sub("", text)
    text = _SPACES.sub(" ", text)
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category[0] == "C" or category in ("Zl", "Zp"):  # Cc, Cf (bidi, zero-width), Cs, Co, Cn
            out.append(REPLACEMENT)
        else:
            out.append(ch)
    cleaned = "".join(out).strip()
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: max(limit - 1, 0)] + ELLIPSIS
    return cleaned


def terminal_line(value: object) -> str:
    """`value` made safe to print on a terminal, with its spacing kept (for CLI listings whose
    columns are padded with spaces): escapes removed whole, line breaks and tabs become a space,
    every other control or format character U+FFFD. Never cut."""
    if value is None:
        return ""
    text = _ESCAPES.sub("", value if isinstance(value, str) else str(value))
    out = []
    for ch in text:
        if ch in _LINE_SPACES:
            out.append(" ")
        elif unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in ("Zl", "Zp"):
            out.append(REPLACEMENT)
        else:
            out.append(ch)
    return "".join(out)


_LINE_SPACES = frozenset("\t\r\n\v\f\x85\u2028\u2029")


def json_safe(text: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with every control or format
    character written as a \\uXXXX escape: the same data for a program, nothing a terminal obeys.
    Those characters can only occur inside JSON strings, where the escape means the same; json.dumps
    already escapes C0 controls there, so a raw newline or tab is the layout's own (indent=) and stays."""
    out = []
    for ch in text:
        if ch in "\n\t\r":
            out.append(ch)
        elif unicodedata.category(ch)[0] == "C" or unicodedata.category(ch) in ("Zl", "Zp"):
            code = ord(ch)
            if code > 0xFFFF:
                code -= 0x10000
                out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
            else:
                out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


HOSTILE = (
    "[bold red]x[/]",
    "[@click=app.quit]quit[/]",
    "\x1b[31mred\x1b[0m",
    "\x1b]0;pwned\x07title",
    "\u202eevil\u202c",
    "nul\x00byte",
    "bell\x07",
    "line\nbreak\r\n",
    "zero\u200bwidth",
    "\x9b31mC1",
    "x" * 1000,
)
"""A corpus of hostile strings for tests of every screen that shows user text."""


# --- times as reception reads them ------------------------------------------------------------

def duration(seconds: float) -> str:
    """A span as reception reads it, one format everywhere: "<1m", "57m", "1h29m", "2h00m".
    Whole minutes, rounded down (a visit due in 59 s is "<1m", never "0m"); negative spans are
    measured by their size."""
    s = abs(math.floor(seconds)) if seconds >= 0 else abs(math.ceil(seconds))
    if s < 60:
        return "<1m"
    minutes = s // 60
    if minutes < 60:
        return f"{minutes}m"
    return f"{minutes // 60}h{minutes % 60:02d}m"


def countdown(seconds: float) -> str:
    """Time to due back: "in 57m", "in 1h29m", "in <1m"; past it: "<1m over", "13m over", "1h05m over".
    To the minute (a board that repaints every second costs CPU on a Pi, and "in 0:57" read like
    57 minutes)."""
    return f"{duration(seconds)} over" if seconds < 0 else f"in {duration(seconds)}"


def ago(seconds: float) -> str:
    """How long ago, in the same format: "now" (under a minute), "3m ago", "2h05m ago"."""
    s = max(seconds, 0)
    return "now" if s < 60 else f"{duration(s)} ago"
