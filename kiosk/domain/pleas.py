"""A plea for help in any words: the texts that must raise a red SOS and never count as contact.

Issue 14 item 1: "I need help call 999", "pls help", "call the police", "emergency" and "🆘" were
each answered "Thanks, noted" and cleared the amber. A frightened person does not put HELP first,
so the parser asks `find_plea` before it reads the first word. The word list is a data file
(`plea_words.txt`, beside this module and the common-words list) so a school can read exactly what
raises an alarm.

Matching is on the folded text (`kiosk.domain.text.normalise`: case, accents, full-width forms,
zero-width characters) read two ways, like code words: with terminal escapes dropped whole and with
only the ESC byte dropped. A word is a run of letters or a run of digits (so "call999" holds 999,
"999pls" too, "9999" and "9.99" do not); letters or digits spelt apart ("S.O.S", "h e l p",
"9 9 9") are joined as `joined_words` joins them. Emoji entries match anywhere. Pure: no I/O
beyond reading the word list once.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib.resources import files

from kiosk.domain.text import joined_words, normalise, normalise_with_map

PLEA_WORDS_FILE = "plea_words.txt"

_TOKEN_RE = re.compile(r"[^\W\d_]+|\d+")
_LETTER_RE = re.compile(r"[^\W\d_]")


@cache
def plea_words() -> tuple[frozenset[str], frozenset[str]]:
    """(words and numbers, emoji) from kiosk/domain/plea_words.txt, folded as a text is."""
    text = files(__package__).joinpath(PLEA_WORDS_FILE).read_text(encoding="utf-8")
    entries = {normalise(w) for line in text.splitlines() if not line.lstrip().startswith("#")
               for w in line.split()}
    entries.discard("")
    words = frozenset(e for e in entries if _TOKEN_RE.fullmatch(_ascii_digits(e)))
    return frozenset(_ascii_digits(w) for w in words), frozenset(entries - words)


def _ascii_digits(text: str) -> str:
    """Any decimal digit ("٩", "९") as its ASCII digit, so every script's 999 is 999."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def _spelt_digits(folded: str) -> list[str]:
    """Single digits spelt apart by a short gap with no letter or other digit in it: "9 9 9",
    "1-1-2" (but "9.99" is a 9 and a 99, and "10 9 9" starts with a 10)."""
    groups: list[str] = []
    current, prev_end = "", 0
    for m in re.finditer(r"\d+", folded):
        single = m.end() - m.start() == 1
        gap = folded[prev_end:m.start()]
        if single and current and len(gap) <= 3 and not _LETTER_RE.search(gap):
            current += m.group()
        else:
            if len(current) > 1:
                groups.append(current)
            current = m.group() if single else ""
        prev_end = m.end()
    if len(current) > 1:
        groups.append(current)
    return groups


def find_plea(text: str) -> str | None:
    """The first plea word (folded) or emoji in `text`, or None. Never raises on any str."""
    if not isinstance(text, str):
        text = str(text)
    words, emoji = plea_words()
    for escapes in (True, False):
        folded = _ascii_digits(normalise_with_map(text, escapes=escapes)[0])
        for token in _TOKEN_RE.findall(folded):
            if token in words:
                return str(token)
        for letters, _, _, spelt in joined_words(folded):
            if spelt and letters in words:
                return letters
        for number in _spelt_digits(folded):
            if number in words:
                return number
        for mark in emoji:
            if mark in folded:
                return mark
    return None
