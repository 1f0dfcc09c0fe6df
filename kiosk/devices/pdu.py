"""SMS PDU codec (3GPP TS 23.040): decode SMS-DELIVER / SMS-STATUS-REPORT / SMS-SUBMIT, encode them.

Pure code, no I/O and no clock. `decode_pdu` must never raise anything but `PduError` (a ValueError)
on what a modem hands us: structure that cannot be read (odd length, non-hex, truncated, impossible
lengths, unknown message type, broken user-data header) is a `PduError` with a one-line reason; odd
*content* (unknown GSM 7-bit codes, a lone UTF-16 surrogate, a bad timestamp) is decoded leniently
and listed in `problems`, because a message that can be read at all must not be lost.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from kiosk.devices import gsm7
from kiosk.devices.pdu_fields import (
    UTC, Encoding, PduError, Reader, _PduInternalError, dcs_info, encode_number, encode_smsc,
    encode_timestamp, from_hex, read_address, read_smsc, read_timestamp, relative_validity,
    validity_octet,
)

__all__ = [
    "UTC", "Concat", "Deliver", "Encoding", "PduError", "StatusReport", "Submit", "SubmitPart",
    "decode_pdu", "encode_deliver", "encode_deliver_parts", "encode_status_report", "encode_submit",
    "split_text",
]

MAX_GSM7_SEPTETS = 160
MAX_UD_OCTETS = 140


# --------------------------------------------------------------------------------------------------
# Data


@dataclass(frozen=True)
class Concat:
    """Concatenated-message information element: part `seq` (1-based) of `total`, reference `ref`."""

    ref: int
    total: int
    seq: int
    ref_bits: Literal[8, 16] = 8


@dataclass(frozen=True)
class Deliver:
    """An SMS-DELIVER: a message the modem received."""

    sender: str
    text: str
    timestamp: datetime | None  # aware UTC (SCTS converted from its zone); None only if SCTS invalid
    encoding: Encoding
    concat: Concat | None
    pid: int
    dcs: int
    smsc: str | None
    status_report_indication: bool
    raw_hex: str
    message_class: int | None = None
    data: bytes = b""  # the user data after the header (octets for 8bit/ucs2, septet codes for gsm7)
    udh: tuple[tuple[int, bytes], ...] = ()  # every information element, (IEI, value)
    problems: tuple[str, ...] = ()  # content oddities decoded leniently


@dataclass(frozen=True)
class StatusReport:
    """An SMS-STATUS-REPORT: what became of a message we sent with a report requested."""

    message_ref: int
    recipient: str
    status: int
    delivered: bool  # TP-ST 0x00..0x1F: the transaction completed
    final: bool  # False only for 0x20..0x3F: the SMSC is still trying
    scts: datetime | None
    discharge_time: datetime | None
    raw_hex: str
    smsc: str | None = None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class Submit:
    """An SMS-SUBMIT: a message the kiosk sends (decoded by the simulator to see what was sent)."""

    recipient: str
    text: str
    encoding: Encoding
    concat: Concat | None
    message_ref: int
    status_report_request: bool
    validity: timedelta | datetime | None  # relative, absolute (aware UTC), or none given
    pid: int
    dcs: int
    raw_hex: str
    smsc: str | None = None
    reject_duplicates: bool = False
    message_class: int | None = None
    data: bytes = b""
    udh: tuple[tuple[int, bytes], ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class SubmitPart:
    """One SMS-SUBMIT ready for AT+CMGS=<tpdu_length>: `hex` starts with the "00" SMSC octet."""

    hex: str
    tpdu_length: int
    seq: int = 1
    total: int = 1
    message_ref: int = 0


# --------------------------------------------------------------------------------------------------
# Decoding


def decode_pdu(hex_str: str, *, smsc_included: bool = True,
               direction: Literal["mt", "mo"] = "mt") -> Deliver | StatusReport | Submit:
    """Decode one PDU as a modem prints it (AT+CMGL/CMGR/+CMT/+CDS, in PDU mode).

    direction "mt" (the modem received it): SMS-DELIVER or SMS-STATUS-REPORT by TP-MTI; a reserved
    MTI (3) is read as SMS-DELIVER, as TS 23.040 9.2.3.1 asks. direction "mo": SMS-SUBMIT.
    Raises PduError (only) for anything that cannot be decoded.
    """
    if direction not in ("mt", "mo"):
        raise PduError(f"direction must be 'mt' or 'mo', not {direction!r}")
    data = from_hex(hex_str)
    raw_hex = hex_str.strip().upper()
    try:
        return _decode(data, raw_hex, smsc_included, direction)
    except PduError:
        raise
    except Exception as exc:  # the contract: nothing but PduError escapes on received data
        raise _PduInternalError(f"internal decode error: {exc!r}") from exc


def sender_of(hex_str: str) -> str | None:
    """The sender of a received PDU that does not decode as a whole, if its start is readable: the
    originating address comes right after the SMSC and the first octet, so a PDU cut short or
    garbled further on still names who sent it. None when that part is unreadable too."""
    text = (hex_str or "").strip() if isinstance(hex_str, str) else ""
    digits = len(text) - len(text.lstrip("0123456789abcdefABCDEF"))
    digits -= digits % 2
    if not digits:
        return None
    try:
        r = Reader(bytes.fromhex(text[:digits]))
        read_smsc(r, [])
        if r.octet("first octet") & 0x03 not in (0, 3):  # not an SMS-DELIVER
            return None
        return read_address(r, "originating address", []) or None
    except Exception:  # noqa: BLE001 - unreadable is an answer here (None), never an error
        return None


def _decode(data: bytes, raw_hex: str, smsc_included: bool,
            direction: str) -> Deliver | StatusReport | Submit:
    r = Reader(data)
    problems: list[str] = []
    smsc = read_smsc(r, problems) if smsc_included else None
    first = r.octet("first octet")
    mti = first & 0x03
    if direction == "mo":
        if mti != 1:
            raise PduError(f"not an SMS-SUBMIT: TP-MTI is {mti}")
        return _decode_submit(r, first, smsc, raw_hex, problems)
    if mti == 2:
        return _decode_status_report(r, first, smsc, raw_hex, problems)
    if mti == 1:
        raise PduError("TP-MTI 1 (SMS-SUBMIT-REPORT/SUBMIT) is not a received message; "
                       "decode stored sent messages with direction='mo'")
    if mti == 3:
        problems.append("reserved TP-MTI 3 read as SMS-DELIVER (TS 23.040 9.2.3.1)")
    return _decode_deliver(r, first, smsc, raw_hex, problems)


def _parse_udh(header: bytes) -> tuple[tuple[tuple[int, bytes], ...], Concat | None, list[str]]:
    """Information elements of a UDH (without its length octet). PduError if they overrun it."""
    ies: list[tuple[int, bytes]] = []
    problems: list[str] = []
    concat: Concat | None = None
    pos = 0
    while pos < len(header):
        if pos + 2 > len(header):
            raise PduError("bad UDH: information element header runs past the UDH length")
        iei, length = header[pos], header[pos + 1]
        value = header[pos + 2:pos + 2 + length]
        if len(value) != length:
            raise PduError(f"bad UDH: element 0x{iei:02X} says {length} octets, UDH holds {len(value)}")
        ies.append((iei, bytes(value)))
        pos += 2 + length
        if iei in (0x00, 0x08):
            expected = 3 if iei == 0x00 else 4
            if length != expected:
                problems.append(f"UDH concatenation element 0x{iei:02X} has length {length}, ignored")
                continue
            ref = value[0] if iei == 0x00 else (value[0] << 8) | value[1]
            total, seq = value[-2], value[-1]
            if total == 0 or seq == 0 or seq > total:
                # TS 23.040 9.2.3.24.1: the receiving entity shall ignore the whole element.
                problems.append(f"UDH concatenation part {seq} of {total} is impossible, ignored")
                continue
            concat = Concat(ref=ref, total=total, seq=seq, ref_bits=8 if iei == 0x00 else 16)
        elif iei in (0x24, 0x25):
            problems.append("national language shift table requested; decoded with the default table")
    return tuple(ies), concat, problems


@dataclass
class _UserData:
    text: str
    data: bytes
    udh: tuple[tuple[int, bytes], ...] = ()
    concat: Concat | None = None
    problems: list[str] = field(default_factory=list)


def _read_user_data(r: Reader, udhi: bool, encoding: Encoding, problems: list[str]) -> _UserData:
    udl = r.octet("TP-UDL")
    ud = r.rest()
    if encoding == "gsm7":
        if udl > MAX_GSM7_SEPTETS:
            raise PduError(f"TP-UDL {udl} septets exceeds {MAX_GSM7_SEPTETS}")
        needed = gsm7.packed_octets(udl)
    else:
        if udl > MAX_UD_OCTETS:
            raise PduError(f"TP-UDL {udl} octets exceeds {MAX_UD_OCTETS}")
        needed = udl
    if len(ud) < needed:
        raise PduError(f"user data truncated: TP-UDL {udl} needs {needed} octets, {len(ud)} present")
    if len(ud) > needed:
        problems.append(f"{len(ud) - needed} octets after the user data ignored")
        ud = ud[:needed]

    udh: tuple[tuple[int, bytes], ...] = ()
    concat = None
    header_octets = 0
    if udhi:
        if not ud:
            raise PduError("bad UDH: TP-UDHI set but the user data is empty")
        udhl = ud[0]
        header_octets = udhl + 1
        if header_octets > len(ud):
            raise PduError(f"bad UDH: header length {udhl} runs past the user data ({len(ud)} octets)")
        udh, concat, udh_problems = _parse_udh(ud[1:header_octets])
        problems.extend(udh_problems)

    if encoding == "gsm7":
        header_septets = math.ceil(header_octets * 8 / 7)
        fill = header_septets * 7 - header_octets * 8
        count = udl - header_septets
        if count < 0:
            raise PduError(f"bad UDH: header of {header_octets} octets is longer than TP-UDL {udl}")
        try:
            septets = gsm7.unpack_septets(ud[header_octets:], count, fill)
        except ValueError as exc:
            raise PduError(f"user data truncated: {exc}") from None
        text = gsm7.decode_septets(septets, problems)
        return _UserData(text, bytes(septets), udh, concat)
    body = ud[header_octets:]
    if encoding == "ucs2":
        return _UserData(_decode_ucs2(body, problems), bytes(body), udh, concat)
    return _UserData(body.decode("latin-1"), bytes(body), udh, concat)


def _decode_ucs2(body: bytes, problems: list[str]) -> str:
    """UTF-16BE as phones send it (surrogate pairs for emoji); never raises."""
    tail = ""
    if len(body) % 2:
        problems.append("UCS-2 text has an odd number of octets; the last one is shown as U+FFFD")
        body, tail = body[:-1], "\ufffd"
    text = body.decode("utf-16-be", errors="surrogatepass")
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        problems.append("UCS-2 text has an unpaired surrogate, shown as U+FFFD")
        text = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    return text + tail


def _decode_deliver(r: Reader, first: int, smsc: str | None, raw_hex: str,
                    problems: list[str]) -> Deliver:
    sender = read_address(r, "originating address", problems)
    pid = r.octet("TP-PID")
    dcs = r.octet("TP-DCS")
    timestamp = read_timestamp(r, "TP-SCTS", problems)
    encoding, mclass = dcs_info(dcs, problems)
    ud = _read_user_data(r, bool(first & 0x40), encoding, problems)
    return Deliver(sender=sender, text=ud.text, timestamp=timestamp, encoding=encoding,
                   concat=ud.concat, pid=pid, dcs=dcs, smsc=smsc,
                   status_report_indication=bool(first & 0x20), raw_hex=raw_hex,
                   message_class=mclass, data=ud.data, udh=ud.udh, problems=tuple(problems))


def _decode_status_report(r: Reader, first: int, smsc: str | None, raw_hex: str,
                          problems: list[str]) -> StatusReport:
    mr = r.octet("TP-MR")
    recipient = read_address(r, "recipient address", problems)
    scts = read_timestamp(r, "TP-SCTS", problems)
    discharge = read_timestamp(r, "TP-DT", problems)
    status = r.octet("TP-ST")
    # Optional TP-PI/PID/DCS/UDL/UD may follow; nothing we need is there.
    return StatusReport(message_ref=mr, recipient=recipient, status=status,
                        delivered=status < 0x20, final=not 0x20 <= status < 0x40, scts=scts,
                        discharge_time=discharge, raw_hex=raw_hex, smsc=smsc,
                        problems=tuple(problems))


def _decode_submit(r: Reader, first: int, smsc: str | None, raw_hex: str,
                   problems: list[str]) -> Submit:
    mr = r.octet("TP-MR")
    recipient = read_address(r, "destination address", problems)
    pid = r.octet("TP-PID")
    dcs = r.octet("TP-DCS")
    vpf = (first >> 3) & 0x03
    validity: timedelta | datetime | None = None
    if vpf == 2:
        validity = relative_validity(r.octet("TP-VP"))
    elif vpf == 3:
        validity = read_timestamp(r, "TP-VP", problems)
    elif vpf == 1:
        r.take(7, "TP-VP (enhanced)")
        problems.append("enhanced validity period format not interpreted")
    encoding, mclass = dcs_info(dcs, problems)
    ud = _read_user_data(r, bool(first & 0x40), encoding, problems)
    return Submit(recipient=recipient, text=ud.text, encoding=encoding, concat=ud.concat,
                  message_ref=mr, status_report_request=bool(first & 0x20), validity=validity,
                  pid=pid, dcs=dcs, raw_hex=raw_hex, smsc=smsc,
                  reject_duplicates=bool(first & 0x04), message_class=mclass, data=ud.data,
                  udh=ud.udh, problems=tuple(problems))


# --------------------------------------------------------------------------------------------------
# Encoding


def _choose_encoding(text: str, encoding: str | None, force_ucs2: bool = False) -> Encoding:
    if encoding is None:
        return "ucs2" if force_ucs2 or not gsm7.can_encode_gsm7(text) else "gsm7"
    if encoding not in ("gsm7", "8bit", "ucs2"):
        raise PduError(f"unknown encoding {encoding!r} (gsm7, 8bit, ucs2)")
    if encoding == "gsm7" and not gsm7.can_encode_gsm7(text):
        raise PduError("text is not GSM 7-bit: use ucs2")
    if encoding == "8bit":
        try:
            text.encode("latin-1")
        except UnicodeEncodeError:
            raise PduError("8-bit text here means Latin-1; this text is not") from None
    return encoding  # type: ignore[return-value]


_DCS = {"gsm7": 0x00, "8bit": 0x04, "ucs2": 0x08}


def _concat_ie(concat: Concat) -> bytes:
    if not 1 <= concat.seq <= concat.total <= 255:
        raise PduError(f"concatenation part {concat.seq} of {concat.total} is impossible")
    if concat.ref_bits == 8:
        if not 0 <= concat.ref <= 0xFF:
            raise PduError(f"8-bit concatenation reference {concat.ref} out of range")
        return bytes([0x00, 0x03, concat.ref, concat.total, concat.seq])
    if concat.ref_bits == 16:
        if not 0 <= concat.ref <= 0xFFFF:
            raise PduError(f"16-bit concatenation reference {concat.ref} out of range")
        return bytes([0x08, 0x04, concat.ref >> 8, concat.ref & 0xFF, concat.total, concat.seq])
    raise PduError(f"reference bits must be 8 or 16, not {concat.ref_bits}")


def _encode_user_data(text: str, encoding: Encoding, concat: Concat | None) -> bytes:
    """TP-UDL + TP-UD (with a concatenation UDH when `concat` is given). PduError if it won't fit."""
    header = b""
    if concat is not None:
        ies = _concat_ie(concat)
        header = bytes([len(ies)]) + ies
    if encoding == "gsm7":
        septets = gsm7.encode_septets(text)
        header_septets = math.ceil(len(header) * 8 / 7)
        fill = header_septets * 7 - len(header) * 8
        udl = header_septets + len(septets)
        if udl > MAX_GSM7_SEPTETS:
            raise PduError(f"text needs {udl} septets, one SMS holds {MAX_GSM7_SEPTETS}")
        return bytes([udl]) + header + gsm7.pack_septets(septets, fill)
    body = text.encode("utf-16-be", errors="surrogatepass") if encoding == "ucs2" else text.encode("latin-1")
    udl = len(header) + len(body)
    if udl > MAX_UD_OCTETS:
        raise PduError(f"text needs {udl} octets, one SMS holds {MAX_UD_OCTETS}")
    return bytes([udl]) + header + body


def _unit_costs(text: str, encoding: Encoding) -> list[tuple[str, int]]:
    """Indivisible pieces of `text` with their cost (septets, UTF-16 units or octets)."""
    if encoding == "gsm7":
        return [(ch, gsm7.char_septets(ch)) for ch in text]
    if encoding == "ucs2":
        return [(ch, 2 if ord(ch) > 0xFFFF else 1) for ch in text]
    return [(ch, 1) for ch in text]


def split_text(text: str, encoding: Encoding, *, ref_bits: int = 8) -> list[str]:
    """Split `text` into the texts of SMS parts: one if it fits a single SMS, else concatenated parts.

    Capacities: GSM 7-bit 160 single / 153 per part (152 with a 16-bit reference); UCS-2 70 / 67 (66);
    8-bit 140 / 134 (133). An escape+character pair and a surrogate pair are never split.
    """
    single = {"gsm7": 160, "ucs2": 70, "8bit": 140}[encoding]
    header = 6 if ref_bits == 8 else 7
    per_part = {
        "gsm7": MAX_GSM7_SEPTETS - math.ceil(header * 8 / 7),
        "ucs2": (MAX_UD_OCTETS - header) // 2,
        "8bit": MAX_UD_OCTETS - header,
    }[encoding]
    pieces = _unit_costs(text, encoding)
    if sum(cost for _, cost in pieces) <= single:
        return [text]
    parts: list[str] = []
    current: list[str] = []
    used = 0
    for ch, cost in pieces:
        if used + cost > per_part:
            parts.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += cost
    if current:
        parts.append("".join(current))
    if len(parts) > 255:
        raise PduError(f"text needs {len(parts)} parts; at most 255 can be concatenated")
    return parts


def encode_submit(number: str, text: str, *, request_report: bool = True, message_ref: int = 0,
                  concat_ref: int | None = None, force_ucs2: bool = False,
                  validity: timedelta | None = None) -> list[SubmitPart]:
    """SMS-SUBMIT PDUs for `text` to `number`, split into concatenated parts when needed.

    GSM 7-bit when every character allows it (and not `force_ucs2`), UCS-2 otherwise. Part i gets
    TP-MR (message_ref + i) % 256 (most modems replace it with their own). With several parts and no
    `concat_ref`, the 8-bit reference is derived from the number and the text. `validity` (relative,
    5 minutes .. 63 weeks) is sent when given. Raises PduError for a bad number or impossible input.
    """
    if not isinstance(text, str):
        raise PduError("text must be a string")
    encoding = _choose_encoding(text, None, force_ucs2)
    texts = split_text(text, encoding)
    da = encode_number(number, "recipient", allow_alpha=False)
    vp = b"" if validity is None else bytes([validity_octet(validity)])
    total = len(texts)
    if total > 1 and concat_ref is None:
        concat_ref = zlib.crc32(f"{number}\x00{text}".encode("utf-8", "surrogatepass")) & 0xFF
    if concat_ref is not None and not 0 <= concat_ref <= 0xFF:
        raise PduError(f"concatenation reference {concat_ref} is not 0..255")
    parts: list[SubmitPart] = []
    for seq, part_text in enumerate(texts, start=1):
        concat = Concat(concat_ref, total, seq, 8) if total > 1 else None  # type: ignore[arg-type]
        first = 0x01 | (0x20 if request_report else 0) | (0x10 if vp else 0) | (0x40 if concat else 0)
        mr = (message_ref + seq - 1) % 256
        tpdu = (bytes([first, mr]) + da + bytes([0x00, _DCS[encoding]]) + vp
                + _encode_user_data(part_text, encoding, concat))
        parts.append(SubmitPart(hex=("00" + tpdu.hex()).upper(), tpdu_length=len(tpdu), seq=seq,
                                total=total, message_ref=mr))
    return parts


def encode_deliver(sender: str, text: str, timestamp: datetime, *, concat: Concat | None = None,
                   encoding: str | None = None, smsc: str | None = None,
                   status_report_indication: bool = False) -> str:
    """One SMS-DELIVER PDU (hex, with SMSC part: "00" when `smsc` is None), as a modem would list it.

    `sender` may be "+44...", national digits, a short code or an alphanumeric name (<= 11 chars).
    `timestamp` must be aware; its own UTC offset is written as the SCTS zone.
    """
    enc = _choose_encoding(text, encoding)
    first = 0x04 | (0x40 if concat else 0) | (0x20 if status_report_indication else 0)  # TP-MMS: no more
    tpdu = (bytes([first]) + encode_number(sender, "sender", allow_alpha=True)
            + bytes([0x00, _DCS[enc]]) + encode_timestamp(timestamp)
            + _encode_user_data(text, enc, concat))
    return (encode_smsc(smsc) + tpdu).hex().upper()


def encode_deliver_parts(sender: str, text: str, timestamp: datetime, *, ref: int,
                         ref_bits: Literal[8, 16] = 8, encoding: str | None = None,
                         smsc: str | None = None) -> list[str]:
    """SMS-DELIVER PDUs for a text of any length: one plain PDU if it fits, else concatenated parts."""
    enc = _choose_encoding(text, encoding)
    texts = split_text(text, enc, ref_bits=ref_bits)
    if len(texts) == 1:
        return [encode_deliver(sender, text, timestamp, encoding=enc, smsc=smsc)]
    return [encode_deliver(sender, t, timestamp, encoding=enc, smsc=smsc,
                           concat=Concat(ref, len(texts), seq, ref_bits))
            for seq, t in enumerate(texts, start=1)]


def encode_status_report(message_ref: int, recipient: str, status: int, scts: datetime,
                         discharge: datetime, *, smsc: str | None = None) -> str:
    """One SMS-STATUS-REPORT PDU (hex, with SMSC part) for the message with TP-MR `message_ref`."""
    if not 0 <= message_ref <= 255:
        raise PduError(f"message reference {message_ref} is not 0..255")
    if not 0 <= status <= 255:
        raise PduError(f"status {status} is not 0..255")
    tpdu = (bytes([0x06, message_ref]) + encode_number(recipient, "recipient", allow_alpha=True)
            + encode_timestamp(scts) + encode_timestamp(discharge) + bytes([status]))
    return (encode_smsc(smsc) + tpdu).hex().upper()
