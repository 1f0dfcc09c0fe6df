"""Addresses as people write them, for the "don't visit alone" / prohibited register.

"22 Oak Lane, Luton" and "22 oak ln luton" are one house: the register must see that, or a lone
visit goes to a prohibited address because someone abbreviated the street. Pure: no I/O.

An address is read into house number, street and town after folding case, accents and punctuation
and spelling out the usual abbreviations (Rd, St, Ln, Ave, Cl, Dr, Cres, Ct, Gdns, Pl, Sq, Terr). The
postcode is taken out and normalised separately ("lu49ab" -> "LU4 9AB"). Two addresses are

- the same when the number and street agree and the towns do not disagree (either is missing, or
  one's words are all in the other: "Luton" and "Stopsley, Luton"), or when the whole of one,
  read word by word, is the whole of the other;
- near when the number and street agree but the towns differ ("22 Oak Lane, Dunstable" against a
  register entry "22 Oak Lane, Luton"): reception is warned and checks which one it is.

A false match costs reception a minute; a missed one sends someone alone to a prohibited house.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE)

# Street types: what people abbreviate, spelled out. "st" is special (Street or Saint), see _expand.
STREET_TYPES = {
    "road": "road", "rd": "road",
    "street": "street",
    "lane": "lane", "ln": "lane",
    "avenue": "avenue", "ave": "avenue", "av": "avenue",
    "close": "close", "cl": "close",
    "drive": "drive", "dr": "drive",
    "crescent": "crescent", "cres": "crescent", "cresc": "crescent",
    "court": "court", "ct": "court",
    "gardens": "gardens", "gdns": "gardens", "gdn": "gardens",
    "place": "place", "pl": "place",
    "square": "square", "sq": "square",
    "terrace": "terrace", "terr": "terrace", "ter": "terrace", "tce": "terrace",
    "way": "way", "grove": "grove", "gr": "grove", "walk": "walk", "row": "row", "mews": "mews",
    "hill": "hill", "green": "green", "park": "park", "parade": "parade", "rise": "rise", "view": "view",
}
_NUMBER = re.compile(r"^[0-9]+[a-z]?$")


def find_postcode(text: str) -> str | None:
    """The last full UK postcode in a text, normalised ("lu49ab" -> "LU4 9AB"), or None."""
    found = _POSTCODE.findall(text or "")
    if not found:
        return None
    outward, inward = found[-1]
    return f"{outward.upper()} {inward.upper()}"


def _fold(text: str) -> str:
    """Lower case, accents off, apostrophes dropped (Mary's -> marys), other punctuation a space;
    commas kept: they separate the parts of an address."""
    text = unicodedata.normalize("NFKD", text or "").casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"['\u2019`]", "", text)
    text = text.replace("&", " and ")
    return re.sub(r"[^a-z0-9,]+", " ", text)


def _expand(part: list[str]) -> list[str]:
    """Abbreviations spelled out. "st" after a name word is Street ("High St"), otherwise Saint
    ("St Albans", "22 St Mary's Road")."""
    out = []
    for i, word in enumerate(part):
        if word == "st":
            word = "street" if i > 0 and not _NUMBER.match(part[i - 1]) else "saint"
        else:
            word = STREET_TYPES.get(word, word)
        out.append(word)
    return out


@dataclass(frozen=True)
class Address:
    """An address read for comparison: each field folded and spelled out."""

    number: str  # "22", "22a"; "" when none was written
    street: tuple[str, ...]  # ("oak", "lane")
    town: tuple[str, ...]  # ("luton",); everything after the street
    postcode: str | None  # "LU4 9AB"
    words: tuple[str, ...]  # the whole address without the postcode, word by word

    @property
    def house(self) -> tuple[str, tuple[str, ...]] | None:
        """(number, street) when both were written: what "the same house" needs."""
        return (self.number, self.street) if self.number and self.street else None


def parse(text: str) -> Address:
    postcode = find_postcode(text)
    without = _POSTCODE.sub(" ", text or "") if postcode else (text or "")
    parts = [_expand(p.split()) for p in _fold(without).split(",")]
    parts = [p for p in parts if p]
    words = tuple(w for p in parts for w in p)
    for index, part in enumerate(parts):
        for i, word in enumerate(part[:-1]):
            if _NUMBER.match(word) and not _NUMBER.match(part[i + 1]):
                rest = part[i + 1:]
                end = next((j + 1 for j, w in enumerate(rest) if j > 0 and w in STREET_TYPES.values()
                            and w != "saint"), len(rest))
                street, tail = tuple(rest[:end]), rest[end:]
                town = tuple(tail) + tuple(w for p in parts[index + 1:] for w in p)
                return Address(word, street, town, postcode, words)
    return Address("", (), (), postcode, words)


def _towns_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return not a or not b or set(a) <= set(b) or set(b) <= set(a)


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return bool(n) and any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


SAME, NEAR, DIFFERENT = "same", "near", "different"


def compare(entry: str, place: str) -> str:
    """How a register entry's address relates to the address of a visit: SAME, NEAR or DIFFERENT.

    An entry without a house number ("Oak Lane, Luton": a whole street) is the same as any place
    whose words contain it, as before."""
    e, p = parse(entry), parse(place)
    if not e.words:
        return DIFFERENT
    if e.number and e.number == p.number and e.postcode and e.postcode == p.postcode:
        return SAME  # the same house number in the same postcode, however the street was spelled
    if e.house and p.house and e.house == p.house:
        return SAME if _towns_agree(e.town, p.town) else NEAR
    if _contains(p.words, e.words):
        return SAME
    return DIFFERENT
