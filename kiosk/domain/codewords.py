"""Code words: choosing a safe one, spotting one in a text, and keeping it out of storage.

A code word is a duress signal hidden in an ordinary text, typed by someone frightened and maybe
watched. These functions must never echo a code word in an error message, and `redact` must never
leave one findable. One matcher (`_matches`) decides both duress and redaction, so a text is stored
redacted exactly when it raised duress (issue 14 item 2): after folding (NFKC, casefold, accents
removed) a word that contains a code word counts ("BLUEBIRD!", "Bluebírd", "ｂｌｕｅｂｉｒｄ",
"bluebirds", "xbluebirdx"), and letters spelt apart are joined first ("b l u e b i r d",
"B-L-U-E-B-I-R-D", "K.E.S.T.R.E.L"; see `kiosk.domain.text.joined_words`). A false duress that
reception stands down is cheaper than a missed one; a code word is an unusual word of 4+ letters
(`validate_code_word`), so ordinary texts rarely hold one.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from importlib.resources import files
from typing import Iterable

from kiosk.domain.parser import COMMAND_WORDS, KEYWORDS
from kiosk.domain.text import joined_words, normalise, normalise_with_map, words

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
    """True for a listed word, for its plural ("houses", "boxes"), and for a piece of a listed word
    ("ouse" of "house"): a word holding a code word is duress, so a code word inside an everyday word
    would raise a false alarm every time that word is texted."""
    common = common_words()
    return folded in common or any(folded.endswith(end) and folded[: -len(end)] in common for end in ("s", "es")) \
        or any(folded in word for word in common)


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


@lru_cache(maxsize=8)
def _any_of(wanted: frozenset[str]) -> re.Pattern[str]:
    """One pattern that finds any of the code words inside a word (compiled once per set)."""
    return re.compile("|".join(re.escape(w) for w in sorted(wanted, key=len, reverse=True)))


def _matches(text: str, wanted: frozenset[str]) -> tuple[set[str], list[tuple[int, int]]]:
    """THE matcher: which code words `text` holds, and the spans of `text` (the original) that hold
    them. Detection (`find_code_words`) and redaction (`redact`) both read only this, so a text is
    redacted exactly when it raises duress.

    A word holds a code word when its folded letters contain it: "bluebirds", "xbluebirdx",
    "2bluebird2" do. Words are `joined_words`: letters spelt apart by single spaces or joined by
    punctuation are one word ("b l u e b i r d", "B-L-U-E-B-I-R-D", "K.E.S.T.R.E.L"). The text is
    read twice, with terminal escapes dropped whole and with only the ESC byte dropped, so
    "\x1b[bluebird" cannot hide one. A span runs from the word's first letter to its last, plus
    what folding dropped right after it (combining accents, zero-width characters), stopping at
    whitespace or anything that is part of the next word; overlapping spans are merged."""
    found: set[str] = set()
    spans: list[tuple[int, int]] = []
    if not wanted:
        return found, spans
    pattern = _any_of(wanted)
    for escapes in (True, False):
        folded, src = normalise_with_map(text, escapes=escapes)
        if not pattern.search(_LETTERS_ONLY.sub("", folded)):
            continue  # no code word in all the letters run together: none in any word
        for letters, first, last, _ in joined_words(folded):
            if not pattern.search(letters):
                continue
            found |= {code for code in wanted if code in letters}
            start, end = src[first], src[last - 1] + 1
            while end < len(text) and not text[end].isspace() and normalise(text[end]) == "":
                end += 1
            spans.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return found, merged


_LETTERS_ONLY = re.compile(r"[\W\d_]+")


def find_code_words(text: str, code_words: Iterable[str]) -> set[str]:
    """The (normalised) code words in `text`: a code word in any spelling is duress (see _matches)."""
    return _matches(text, _folded_set(code_words))[0]


def may_hold_code_word(text: str, code_words: Iterable[str]) -> bool:
    """A cheap pre-check for bulk work (the export): False means `text` holds no code word. Every
    word _matches reads is a stretch of all the text's letters run together, so a code word absent
    from those (in both readings) is in no word."""
    wanted = _folded_set(code_words)
    if not wanted:
        return False
    pattern = _any_of(wanted)
    return any(pattern.search(_LETTERS_ONLY.sub("", normalise_with_map(text, escapes=escapes)[0]))
               for escapes in (True, False))


def _replace(text: str, code_words: Iterable[str], by: str) -> str:
    spans = _matches(text, _folded_set(code_words))[1]
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
    """`text` with every word that holds a code word replaced by "[code word]"; the rest exactly as
    received. It changes the text exactly when `find_code_words` finds something (one matcher), and
    `find_code_words` finds nothing in the result. A valid code word is never part of a command
    word, so redaction never breaks a command.
    """
    words_list = list(code_words)
    result = text
    for _ in range(4):
        replaced = _replace(result, words_list, REDACTED)
        if replaced == result:
            break
        result = replaced
    return result


def strip_code_words(text: str, code_words: Iterable[str]) -> str:
    """`text` without the words that hold its code words (as redaction), whitespace tidied: what
    the reply is computed from.

    "OK running late bluebird" -> "OK running late"; a bare code word -> "" (a Note).
    """
    words_list = list(code_words)
    stripped = text
    for _ in range(4):
        replaced = _replace(stripped, words_list, " ")
        if replaced == stripped:
            break
        stripped = replaced
    return " ".join(stripped.split())
