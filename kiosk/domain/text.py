"""Text folding for SMS: one way to compare what people typed, whatever their phone did to it.

It must never lose the link to the original text (redaction replaces code words in the text as
received) and never raise on any str, however hostile. Pure: no I/O.

`normalise` = NFKC, casefold, accents removed, control/format characters (zero-width, bidi
overrides, escapes, NUL) dropped, every run of whitespace one space, trimmed. `words` splits the
normalised text on anything that is not a letter.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WORD_RE = re.compile(r"[^\W\d_]+")
# Terminal escape sequences (CSI "ESC [ ... m", OSC "ESC ] ... BEL"): dropped whole, so
# "\x1b[31mOK" reads as "ok", not as "[31mok". Code-word matching also reads the text with only the
# ESC byte dropped (escapes=False), so "\x1b[bluebird" cannot hide a code word from redaction.
_ESCAPE_RE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?|\x9b[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
)


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """What one character becomes: "" (dropped), " " (whitespace) or its folded letters."""
    if ch.isspace():
        return " "
    category = unicodedata.category(ch)
    if category[0] == "C":  # Cc control, Cf format (ZWSP, bidi), Cs, Co, Cn
        return ""
    out = unicodedata.normalize("NFKC", ch).casefold()
    out = unicodedata.normalize("NFKD", out)
    kept = []
    for c in out:
        cat = unicodedata.category(c)
        if cat[0] == "M" or cat[0] == "C":
            continue
        kept.append(" " if c.isspace() else c)
    return "".join(kept)


def normalise_with_map(text: str, *, escapes: bool = True) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index in `text` it came from.

    Lets callers find something in the folded text and act on the same span of the original.
    escapes=False keeps what follows an ESC byte (only the byte itself is dropped).
    """
    out: list[str] = []
    src: list[int] = []
    skip = _escape_positions(text) if escapes else set()
    for index, ch in enumerate(text):
        if index in skip:
            continue
        for c in _fold_char(ch):
            if c == " ":
                if not out or out[-1] == " ":
                    continue
            out.append(c)
            src.append(index)
    if out and out[-1] == " ":
        out.pop()
        src.pop()
    return "".join(out), src


def _escape_positions(text: str) -> set[int]:
    if "\x1b" not in text and "\x9b" not in text:
        return set()
    return {i for m in _ESCAPE_RE.finditer(text) for i in range(m.start(), m.end())}


def normalise(text: str) -> str:
    """NFKC, casefold, accents removed, control characters dropped, whitespace collapsed."""
    return normalise_with_map(text)[0]


def words(text: str) -> list[str]:
    """The normalised words of `text`: runs of letters; digits, punctuation and emoji separate."""
    return _WORD_RE.findall(normalise(text))


def clean_display(text: str) -> str:
    """The text as typed (case and accents kept), minus control/format characters, NFKC,
    whitespace collapsed: for places and notes shown back to people."""
    kept = []
    for ch in unicodedata.normalize("NFKC", text):
        if ch.isspace():
            kept.append(" ")
        elif unicodedata.category(ch)[0] != "C":
            kept.append(ch)
    return " ".join("".join(kept).split())


# GSM 03.38 default alphabet and its extension table (each extension character costs two septets).
_GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€\f")


def gsm7_septets(text: str) -> int | None:
    """How many GSM-7 septets `text` needs, or None if it needs UCS-2."""
    total = 0
    for ch in text:
        if ch in _GSM7_BASIC:
            total += 1
        elif ch in _GSM7_EXTENDED:
            total += 2
        else:
            return None
    return total


def fits_one_segment(text: str) -> bool:
    """True if `text` goes as one 160-septet GSM-7 SMS (what every kiosk reply must do)."""
    septets = gsm7_septets(text)
    return septets is not None and septets <= 160
