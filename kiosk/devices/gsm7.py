"""GSM 03.38 (3GPP TS 23.038) 7-bit default alphabet: text <-> septets <-> packed octets.

Pure functions, no I/O. Encoding is strict (a character outside the alphabet raises ValueError, so the
caller can fall back to UCS-2); decoding what we receive must never raise on content: an unknown
extension code is shown as its default-table character (as TS 23.038 6.2.1.1 asks) and reported.
Only structural problems (too few octets for the septets announced) raise ValueError.
"""

from __future__ import annotations

from typing import Iterable, Sequence

ESC = 0x1B

# TS 23.038 6.2.1, code 0x00..0x7F. 0x1B is the escape to the extension table (never a character).
DEFAULT_ALPHABET = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
assert len(DEFAULT_ALPHABET) == 128

# TS 23.038 6.2.1.1: the extension table reached by ESC (0x1B) + code.
EXTENSION = {
    0x0A: "\f",
    0x14: "^",
    0x28: "{",
    0x29: "}",
    0x2F: "\\",
    0x3C: "[",
    0x3D: "~",
    0x3E: "]",
    0x40: "|",
    0x65: "€",
}

_ENCODE: dict[str, tuple[int, ...]] = {
    ch: (code,) for code, ch in enumerate(DEFAULT_ALPHABET) if code != ESC
}
_ENCODE.update({ch: (ESC, code) for code, ch in EXTENSION.items()})

EXTENSION_CHARS = frozenset(EXTENSION.values())


def can_encode_gsm7(text: str) -> bool:
    """True when every character of `text` is in the default alphabet or its extension table."""
    return all(ch in _ENCODE for ch in text)


def char_septets(ch: str) -> int:
    """Septets one character takes: 1, or 2 for an extension-table character. ValueError if none."""
    try:
        return len(_ENCODE[ch])
    except KeyError:
        raise ValueError(f"character {ch!r} (U+{ord(ch):04X}) is not in the GSM 7-bit alphabet") from None


def septet_length(text: str) -> int:
    """Number of septets `text` takes in GSM 7-bit (extension characters count 2)."""
    return sum(char_septets(ch) for ch in text)


def encode_septets(text: str) -> list[int]:
    """Text to septet codes (ESC + code for extension characters). ValueError if not encodable."""
    out: list[int] = []
    for ch in text:
        codes = _ENCODE.get(ch)
        if codes is None:
            char_septets(ch)  # raises with a clear message
        else:
            out.extend(codes)
    return out


def decode_septets(septets: Iterable[int], problems: list[str] | None = None) -> str:
    """Septet codes to text; never raises on content.

    An ESC followed by a code missing from the extension table shows the default-table character for
    that code (TS 23.038); ESC ESC and a trailing ESC show a space. Each such oddity is appended to
    `problems` when given.
    """
    out: list[str] = []
    escaped = False
    for code in septets:
        code &= 0x7F
        if escaped:
            escaped = False
            if code in EXTENSION:
                out.append(EXTENSION[code])
            elif code == ESC:
                out.append(" ")
                _note(problems, "GSM 7-bit: ESC ESC (reserved) shown as a space")
            else:
                out.append(DEFAULT_ALPHABET[code])
                _note(problems, f"GSM 7-bit: unknown extension code 0x{code:02X} shown as "
                                f"{DEFAULT_ALPHABET[code]!r}")
        elif code == ESC:
            escaped = True
        else:
            out.append(DEFAULT_ALPHABET[code])
    if escaped:
        out.append(" ")
        _note(problems, "GSM 7-bit: text ends with a lone ESC, shown as a space")
    return "".join(out)


def pack_septets(septets: Sequence[int], fill_bits: int = 0) -> bytes:
    """Pack septets LSB-first into octets, after `fill_bits` zero bits (padding after a UDH)."""
    if not 0 <= fill_bits <= 6:
        raise ValueError(f"fill bits must be 0..6, not {fill_bits}")
    acc = 0
    nbits = fill_bits
    out = bytearray()
    for s in septets:
        if not 0 <= s <= 0x7F:
            raise ValueError(f"septet out of range: {s}")
        acc |= s << nbits
        nbits += 7
        while nbits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            nbits -= 8
    if nbits:
        out.append(acc & 0xFF)
    return bytes(out)


def unpack_septets(data: bytes, count: int, fill_bits: int = 0) -> list[int]:
    """Read `count` septets from `data`, skipping `fill_bits` leading bits.

    ValueError when `data` is too short to hold them (a truncated PDU).
    """
    if count < 0 or not 0 <= fill_bits <= 7:
        raise ValueError(f"bad septet count {count} or fill bits {fill_bits}")
    needed = (fill_bits + 7 * count + 7) // 8
    if len(data) < needed:
        raise ValueError(f"{count} septets need {needed} octets, only {len(data)} present")
    value = int.from_bytes(data[:needed], "little") >> fill_bits
    return [(value >> (7 * i)) & 0x7F for i in range(count)]


def packed_octets(septet_count: int, fill_bits: int = 0) -> int:
    """Octets that `septet_count` septets take after `fill_bits` padding bits."""
    return (fill_bits + 7 * septet_count + 7) // 8


def _note(problems: list[str] | None, message: str) -> None:
    if problems is not None and message not in problems:
        problems.append(message)


def text_mode_chunks(text: str, ucs2: bool) -> list[str]:
    """Text mode cannot concatenate: independent messages of at most 160 GSM / 70 UCS-2 characters."""
    chunks: list[str] = []
    current = ""
    for ch in text:
        candidate = current + ch
        too_long = (len(candidate.encode("utf-16-be", "surrogatepass")) // 2 > 70) if ucs2 \
            else septet_length(candidate) > 160
        if too_long:
            chunks.append(current)
            current = ch
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks
