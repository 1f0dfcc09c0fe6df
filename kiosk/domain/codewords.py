"""Code words: choosing a safe one, spotting one in a text, and keeping it out of storage.

A code word is a duress signal hidden in an ordinary text. These functions must never echo a code
word in an error message, never match part of a word, and `redact` must never leave one findable.
Matching is on whole words after normalising (NFKC, casefold, accents removed, split on anything
that is not a letter), so "BLUEBIRD!", "Bluebírd" and "ｂｌｕｅｂｉｒｄ" are all "bluebird".
Redaction is wider than detection: any word that merely contains a code word ("bluebirds") is hidden
too, because a secret must never be readable in storage even when the text is not a duress signal.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib.resources import files
from typing import Iterable

from kiosk.domain.parser import COMMAND_WORDS, KEYWORDS
from kiosk.domain.text import normalise, normalise_with_map, words

_WORD_RE = re.compile(r"[^\W\d_]+")
REDACTED = "[code word]"
MIN_LETTERS = 4
MAX_LETTERS = 30

COMMON_WORDS_FILE = "common_words.txt"  # beside this module: the words a code word must not be


@cache
def common_words() -> frozenset[str]:
    """The refusal list (common English words, what staff text anyway, guessable passwords), read
    from kiosk/domain/common_words.txt on first use and folded as a code word is."""
    text = files(__package__).joinpath(COMMON_WORDS_FILE).read_text(encoding="utf-8")
    return frozenset(normalise(w) for line in text.splitlines() if not line.lstrip().startswith("#")
                     for w in line.split())


def is_common(folded: str) -> bool:
    """True for a listed word, and for its plural ("houses", "boxes")."""
    common = common_words()
    return folded in common or any(folded.endswith(end) and folded[: -len(end)] in common for end in ("s", "es"))


class CodeWordError(ValueError):
    """A code word that must not be used; the message says why without repeating the word."""


def validate_code_word(word: str) -> str:
    """The normalised code word, or CodeWordError saying what is wrong with it."""
    if not isinstance(word, str):
        raise CodeWordError("code word must be text")
    folded = normalise(word)
    if not folded:
        raise CodeWordError("code word is empty")
    if not all(ch.isalpha() for ch in folded) or words(word) != [folded]:
        raise CodeWordError("code word must be one word of letters only (no spaces, digits or punctuation)")
    if len(folded) < MIN_LETTERS:
        raise CodeWordError(f"code word must have at least {MIN_LETTERS} letters")
    if len(folded) > MAX_LETTERS:
        raise CodeWordError(f"code word must have at most {MAX_LETTERS} letters")
    if any(folded in word for word in COMMAND_WORDS | KEYWORDS):
        # Also refused inside one ("tend" in EXTEND): redaction would break the command.
        raise CodeWordError("code word must not be an SMS command word or part of the command language")
    if is_common(folded):
        raise CodeWordError("code word is too common; choose an unusual one (e.g. a bird or a tree)")
    return folded


def _folded_set(code_words: Iterable[str]) -> frozenset[str]:
    return _fold_all(frozenset(code_words))


@lru_cache(maxsize=8)
def _fold_all(code_words: frozenset[str]) -> frozenset[str]:
    """Normalised once per set of live code words (every text is checked against the same few
    hundred words; they change when staff or visits do). Bounded: a few sets are kept."""
    return frozenset(f for f in (normalise(w) for w in code_words) if f)


def find_code_words(text: str, code_words: Iterable[str]) -> set[str]:
    """The (normalised) code words that appear in `text` as whole words."""
    wanted = _folded_set(code_words)
    if not wanted:
        return set()
    found = set()
    for escapes in (True, False):
        folded, _ = normalise_with_map(text, escapes=escapes)
        found |= {w for w in _WORD_RE.findall(folded) if w in wanted}
    return found


def _contains_code_word(word: str, wanted: frozenset[str], whole: bool) -> bool:
    return word in wanted if whole else any(code in word for code in wanted)


def _spans(text: str, wanted: frozenset[str], *, whole: bool) -> list[tuple[int, int]]:
    """Spans of `text` (the original) whose normalised form is a whole code word, read both with
    terminal escapes dropped whole and with only the ESC byte dropped; overlapping spans merged."""
    found: list[tuple[int, int]] = []
    for escapes in (True, False):
        folded, src = normalise_with_map(text, escapes=escapes)
        hits = [(m.start(), m.end()) for m in _WORD_RE.finditer(folded) if _contains_code_word(m.group(0), wanted, whole)]
        for first, last in hits:
            start = src[first]
            end = src[last - 1] + 1
            # Take along what folding dropped right after the word (combining accents, zero-width
            # characters), stopping at whitespace or anything that is part of the next word.
            while end < len(text) and not text[end].isspace() and normalise(text[end]) == "":
                end += 1
            found.append((start, end))
    spans: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if spans and start < spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def _replace(text: str, code_words: Iterable[str], by: str, *, whole: bool) -> str:
    wanted = _folded_set(code_words)
    if not wanted:
        return text
    spans = _spans(text, wanted, whole=whole)
    if not spans:
        return text
    out: list[str] = []
    last = 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(by)
        last = end
    out.append(text[last:])
    return "".join(out)


def redact(text: str, code_words: Iterable[str]) -> str:
    """`text` with every code word replaced by "[code word]"; the rest exactly as received.

    Every word that contains a code word is hidden ("bluebirds" too, though only the whole word
    raises duress): no code word is ever readable in what is stored, and `find_code_words` finds
    nothing in the result. A valid code word is never part of a command word, so redaction never
    breaks a command.
    """
    words_list = list(code_words)
    result = text
    for _ in range(4):
        replaced = _replace(result, words_list, REDACTED, whole=False)
        if replaced == result:
            break
        result = replaced
    return result


def strip_code_words(text: str, code_words: Iterable[str]) -> str:
    """`text` without its code words (whole words, as duress is detected), whitespace tidied: what
    the reply is computed from.

    "OK running late bluebird" -> "OK running late"; a bare code word -> "" (a Note).
    """
    words_list = list(code_words)
    stripped = text
    for _ in range(4):
        replaced = _replace(stripped, words_list, " ", whole=True)
        if replaced == stripped:
            break
        stripped = replaced
    return " ".join(stripped.split())
