"""Field codecs of SMS PDUs (3GPP TS 23.040 9.1.2, 9.2.3): addresses, time stamps, validity, DCS.

Pure code for kiosk.devices.pdu; no I/O. Reading raises only PduError (structure) and notes content
oddities in the caller's `problems` list; never any other exception on received octets.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Literal

from kiosk.devices import gsm7

UTC = timezone.utc

Encoding = Literal["gsm7", "8bit", "ucs2"]


class PduError(ValueError):
    """A PDU that cannot be decoded (or a message that cannot be encoded), with a clear reason."""


class _PduInternalError(PduError):
    """A bug in this codec surfaced while decoding: still a PduError so callers are safe."""


class Reader:
    """Reads octets in order; running past the end is a PduError naming the field."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def octet(self, what: str) -> int:
        if self.pos >= len(self.data):
            raise PduError(f"PDU truncated: no octet left for {what} (at octet {self.pos})")
        value = self.data[self.pos]
        self.pos += 1
        return value

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise PduError(f"PDU truncated: {what} needs {n} octets, {len(self.data) - self.pos} left")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def rest(self) -> bytes:
        chunk = self.data[self.pos:]
        self.pos = len(self.data)
        return chunk


def from_hex(hex_str: str) -> bytes:
    """The octets of a PDU as a modem prints it (hex, any case, surrounding blanks ignored)."""
    if not isinstance(hex_str, str):
        raise PduError(f"PDU must be a hex string, not {type(hex_str).__name__}")
    s = hex_str.strip()
    if not s:
        raise PduError("PDU is empty")
    if len(s) % 2:
        raise PduError(f"PDU has an odd number of hex digits ({len(s)})")
    if not all(c in "0123456789abcdefABCDEF" for c in s):
        raise PduError("PDU contains characters that are not hex digits")
    return bytes.fromhex(s)


def read_smsc(r: Reader, problems: list[str]) -> str | None:
    """The SMSC part that modems put before the TPDU (length in octets); None when empty."""
    length = r.octet("SMSC length")
    if length == 0:
        return None
    if length > 11:
        raise PduError(f"SMSC address length {length} octets is impossible (max 11)")
    body = r.take(length, "SMSC address")
    toa = body[0]
    if not toa & 0x80:
        problems.append(f"SMSC type-of-address 0x{toa:02X} lacks its high bit")
    digits = bcd_digits(body[1:], (length - 1) * 2)
    return ("+" + digits) if (toa & 0x70) == 0x10 and digits else digits


def read_address(r: Reader, what: str, problems: list[str]) -> str:
    """TP-OA/TP-DA/TP-RA: "+digits" (international), digits, or an alphanumeric name (TON 5)."""
    digits_len = r.octet(f"{what} length")
    if digits_len > 20:
        raise PduError(f"{what} length {digits_len} semi-octets is impossible (max 20)")
    toa = r.octet(f"{what} type-of-address")
    body = r.take((digits_len + 1) // 2, what)
    ton = (toa >> 4) & 0x07
    if ton == 5:  # alphanumeric, GSM 7-bit packed (TS 23.040 9.1.2.5)
        septets = gsm7.unpack_septets(body, (digits_len * 4) // 7)
        return gsm7.decode_septets(septets, problems)
    digits = bcd_digits(body, digits_len)
    return ("+" + digits) if ton == 1 and digits else digits


BCD = "0123456789*#abc"


def bcd_digits(body: bytes, count: int) -> str:
    out: list[str] = []
    for octet in body:
        for nibble in (octet & 0x0F, octet >> 4):
            if len(out) >= count or nibble == 0x0F:
                continue
            out.append(BCD[nibble])
    return "".join(out)


def read_timestamp(r: Reader, what: str, problems: list[str]) -> datetime | None:
    raw = r.take(7, what)
    return parse_timestamp(raw, what, problems)


def semi(octet: int) -> int | None:
    lo, hi = octet & 0x0F, octet >> 4
    if lo > 9 or hi > 9:
        return None
    return lo * 10 + hi


def parse_timestamp(raw: bytes, what: str, problems: list[str]) -> datetime | None:
    decoded = [semi(o) for o in raw[:6]]
    parts = [p for p in decoded if p is not None]
    tz_octet = raw[6]
    tz_lo, tz_hi = tz_octet & 0x07, tz_octet >> 4
    if len(parts) < len(decoded) or tz_hi > 9:
        problems.append(f"{what}: not decimal ({raw.hex().upper()}), timestamp unknown")
        return None
    quarters = tz_lo * 10 + tz_hi
    if tz_octet & 0x08:
        quarters = -quarters
    yy, mo, dd, hh, mi, ss = parts
    try:
        offset = timedelta(minutes=15 * quarters)
        local = datetime(2000 + yy, mo, dd, hh, mi, ss, tzinfo=timezone(offset))
    except ValueError as exc:
        problems.append(f"{what}: invalid ({raw.hex().upper()}: {exc}), timestamp unknown")
        return None
    return local.astimezone(UTC)


def dcs_info(dcs: int, problems: list[str]) -> tuple[Encoding, int | None]:
    """TS 23.038 section 4: the alphabet and message class a TP-DCS announces."""
    group = dcs >> 4
    if group <= 0x7:  # general data coding (00xx) or automatic deletion (01xx)
        alphabet = (dcs >> 2) & 0x03
        mclass = dcs & 0x03 if dcs & 0x10 else None
        if dcs & 0x20:
            problems.append("TP-DCS announces compressed text, which is not supported: shown as 8-bit")
            return "8bit", mclass
        if alphabet == 3:
            problems.append(f"TP-DCS 0x{dcs:02X}: reserved alphabet, read as GSM 7-bit")
        alphabets: tuple[Encoding, ...] = ("gsm7", "8bit", "ucs2", "gsm7")
        return alphabets[alphabet], mclass
    if group in (0xC, 0xD):
        return "gsm7", None
    if group == 0xE:
        return "ucs2", None
    if group == 0xF:
        return ("8bit" if dcs & 0x04 else "gsm7"), dcs & 0x03
    problems.append(f"TP-DCS 0x{dcs:02X}: reserved coding group, read as GSM 7-bit")
    return "gsm7", None


def relative_validity(v: int) -> timedelta:
    """TS 23.040 9.2.3.12.1."""
    if v <= 143:
        return timedelta(minutes=(v + 1) * 5)
    if v <= 167:
        return timedelta(hours=12, minutes=(v - 143) * 30)
    if v <= 196:
        return timedelta(days=v - 166)
    return timedelta(weeks=v - 192)


def encode_number(number: str, what: str, *, allow_alpha: bool) -> bytes:
    """Address field (length, TOA, value) for a phone number, a short code or an alphanumeric name."""
    number = number.strip()
    if not number:
        raise PduError(f"{what} is empty")
    international = number.startswith("+")
    digits = number[1:] if international else number
    if digits and all(c in "0123456789*#" for c in digits):
        if len(digits) > 20:
            raise PduError(f"{what} {number!r} has more than 20 digits")
        toa = 0x91 if international else 0x81
        return bytes([len(digits), toa]) + bcd_encode(digits)
    if not allow_alpha:
        raise PduError(f"{what} {number!r} is not a phone number (digits, optional leading +)")
    if not gsm7.can_encode_gsm7(number):
        raise PduError(f"alphanumeric {what} {number!r} is not GSM 7-bit text")
    septets = gsm7.encode_septets(number)
    packed = gsm7.pack_septets(septets)
    semi_octets = math.ceil(len(septets) * 7 / 4)
    if semi_octets > 20:
        raise PduError(f"alphanumeric {what} {number!r} is longer than 11 characters")
    return bytes([semi_octets, 0xD0]) + packed


def bcd_encode(digits: str) -> bytes:
    nibbles = [BCD.index(c) for c in digits]
    if len(nibbles) % 2:
        nibbles.append(0x0F)
    return bytes(nibbles[i] | (nibbles[i + 1] << 4) for i in range(0, len(nibbles), 2))


def encode_smsc(smsc: str | None) -> bytes:
    if not smsc:
        return b"\x00"
    addr = encode_number(smsc, "SMSC", allow_alpha=False)
    return bytes([len(addr) - 1]) + addr[1:]


def encode_timestamp(ts: datetime) -> bytes:
    """TP-SCTS/TP-DT/TP-VP (absolute): local time of `ts` and its UTC offset, as semi-octets."""
    offset = ts.utcoffset() if ts.tzinfo is not None else None
    if offset is None:
        raise PduError("timestamp must be timezone-aware")
    quarters, rest = divmod(int(offset.total_seconds()), 15 * 60)
    if rest:
        raise PduError(f"time zone offset {offset} is not a whole number of quarter hours")
    if not -79 <= quarters <= 79:
        raise PduError(f"time zone offset {offset} is out of range")
    if not 2000 <= ts.year <= 2099:
        raise PduError(f"year {ts.year} cannot be sent (2000..2099)")
    tz = _semi_octet(abs(quarters)) | (0x08 if quarters < 0 else 0)
    return bytes([_semi_octet(v) for v in (ts.year - 2000, ts.month, ts.day, ts.hour, ts.minute,
                                           ts.second)] + [tz])


def _semi_octet(value: int) -> int:
    """Two decimal digits, tens in the low nibble (TS 23.040 9.1.2.3)."""
    return (value // 10) | ((value % 10) << 4)


def validity_octet(validity: timedelta) -> int:
    minutes = validity.total_seconds() / 60
    if minutes < 5 or validity > timedelta(weeks=63):
        raise PduError(f"validity {validity} is outside 5 minutes .. 63 weeks")
    for v in range(256):  # smallest code that covers the wished validity
        if relative_validity(v) >= validity:
            return v
    return 255
