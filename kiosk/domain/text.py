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


_RUN_RE = re.compile(r"[^\W\d_]+")
SPELT_GAP = 3
"""The longest gap between two single letters that still spells one word ("b l u e", "b. l. u. e",
"B - L - U - E"); a longer one, or a digit in it, ends the word."""


def joined_words(folded: str) -> list[tuple[str, int, int, bool]]:
    """The words of a normalised text as a person who spells or punctuates a word apart means them:
    (letters, start, end in `folded`, spelt), in order.

    Letter runs are joined when what separates them is punctuation or symbols only (no space, no
    digit): "blue-bird", "K.E.S.T.R.E.L", "bl_ue/bird" are one word each. Single letters are also
    joined across a gap of at most SPELT_GAP characters with no digit in it: "b l u e b i r d",
    "S. O. S". Two words of two or more letters with a space between stay two words ("blue bird"),
    so joining cannot run ordinary prose together; only a row of single letters ("a", "I") can
    spell something, and that needs as many single letters in a row as the word has. `spelt` is
    True for a word made only of single letters joined this way ("s o s", "S.O.S")."""
    runs = [(m.start(), m.end()) for m in _RUN_RE.finditer(folded)]
    out: list[tuple[str, int, int, bool]] = []
    i = 0
    while i < len(runs):
        start, end = runs[i]
        letters = [folded[start:end]]
        spelt = end - start == 1
        j = i + 1
        while j < len(runs):
            nxt_start, nxt_end = runs[j]
            gap = folded[end:nxt_start]
            if any(ch.isdigit() for ch in gap):
                break
            prev_start, prev_end = runs[j - 1]
            singles = prev_end - prev_start == 1 and nxt_end - nxt_start == 1
            if " " in gap and not (singles and len(gap) <= SPELT_GAP):
                break
            spelt = spelt and singles
            letters.append(folded[nxt_start:nxt_end])
            end = nxt_end
            j += 1
        out.append(("".join(letters), start, end, spelt and j - i > 1))
        i = j
    return out


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
