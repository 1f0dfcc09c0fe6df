"""AT line protocol: split modem bytes into lines and the `> ` prompt, and recognise result codes and URCs.

Pure code, no I/O. Must never raise on what a modem sends: bytes that are not UTF-8, partial lines,
endless lines and junk become `Line`s flagged as such (the driver logs them), never exceptions.
"""

from __future__ import annotations

import re
from typing import overload
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

UTC = timezone.utc

MAX_LINE = 4096  # a line longer than this is cut and flagged (a modem spewing without newlines)


@dataclass(frozen=True)
class Line:
    """One line from the modem, without its CR/LF; `bad_bytes` when it was not valid UTF-8."""

    text: str
    raw: bytes
    bad_bytes: bool = False
    cut: bool = False


@dataclass(frozen=True)
class Prompt:
    """The `> ` SMS text prompt, which arrives without a line ending."""


PROMPT = Prompt()


class LineSplitter:
    """Feed it bytes as they come; it returns complete lines (and prompts). Never raises."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[Line | Prompt]:
        out: list[Line | Prompt] = []
        for byte in data:
            if byte in (0x0D, 0x0A):
                self._flush(out)
                continue
            self._buf.append(byte)
            if len(self._buf) >= MAX_LINE:
                self._flush(out, cut=True)
        if bytes(self._buf) in (b">", b"> "):
            out.append(PROMPT)
            self._buf.clear()
        return out

    def pending(self) -> bytes:
        """The partial line not yet terminated (for diagnostics)."""
        return bytes(self._buf)

    def _flush(self, out: list[Line | Prompt], cut: bool = False) -> None:
        raw = bytes(self._buf)
        self._buf.clear()
        if not raw.strip(b" \t\x00"):
            return
        try:
            text, bad = raw.decode("utf-8"), False
        except UnicodeDecodeError:
            text, bad = raw.decode("utf-8", errors="replace"), True
        out.append(Line(text.strip(" \t\x00"), raw, bad, cut))


# --------------------------------------------------------------------------------------------------
# Final result codes


FINAL_OK = ("OK",)
FINAL_ERRORS = ("ERROR", "NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE", "COMMAND NOT SUPPORT",
                "TOO MANY PARAMETERS")


def is_final(text: str) -> bool:
    return (text in FINAL_OK or text in FINAL_ERRORS or text.startswith("+CME ERROR")
            or text.startswith("+CMS ERROR"))


def is_ok(text: str) -> bool:
    return text in FINAL_OK


# --------------------------------------------------------------------------------------------------
# Unsolicited result codes


@dataclass(frozen=True)
class Urc:
    """An unsolicited result code. `kind` names it; `fields` are its parsed parameters.

    Two-line URCs (`+CMT`, `+CDS` in PDU mode) come with `needs_body=True`: the next line is the body.
    """

    kind: str
    line: str
    fields: tuple[str, ...] = ()
    needs_body: bool = False


# Every URC kind the driver understands, by line prefix. Values: kind, whether a body line follows.
_PREFIXES: dict[str, tuple[str, bool]] = {
    "+CMTI": ("message_stored", False),
    "+CDSI": ("report_stored", False),
    "+CMT": ("message_direct", True),
    "+CDS": ("report_direct", True),
    "+CLIP": ("caller_id", False),
    "+CRING": ("ring", False),
    "+CREG": ("registration", False),
    "+CGREG": ("registration", False),
    "+CEREG": ("registration", False),
    "+CTZV": ("time_zone", False),
    "+CTZE": ("time_zone", False),
    "*PSUTTZ": ("network_time", False),
    "^SMMEMFULL": ("storage_full", False),
    "+CIEV": ("indicator", False),
    "^RSSI": ("noise", False),
    "^HCSQ": ("noise", False),
    "^MODE": ("noise", False),
    "^BOOT": ("noise", False),
    "^DSFLOWRPT": ("noise", False),
    "^SRVST": ("noise", False),
    "^SIMST": ("noise", False),
    "^SYSSTART": ("rebooted", False),
    "+QIND": ("noise", False),
    "+CPIN": ("sim_state", False),
    "+CFUN": ("rebooted", False),
    "DST": ("noise", False),
    "+PACSP": ("noise", False),
    "+CUSD": ("ussd", False),
    "+DTMF": ("dtmf", False),
}

_WORDS: dict[str, str] = {
    "RING": "ring",
    "RDY": "rebooted",
    "START": "rebooted",
    "Call Ready": "ready",
    "SMS Ready": "ready",
    "PB DONE": "ready",
    "NO CARRIER": "call_ended",
    "BUSY": "call_ended",
    "NO ANSWER": "call_ended",
    "NORMAL POWER DOWN": "rebooted",
}


def parse_urc(text: str) -> Urc | None:
    """The URC this line is, or None. Never raises."""
    word = _WORDS.get(text)
    if word:
        return Urc(word, text)
    if text.startswith("+CPMS"):  # some modems announce storage on boot; only a reply otherwise
        return None
    head, sep, rest = text.partition(":")
    if not sep:
        return None
    known = _PREFIXES.get(head.strip())
    if known is None:
        return None
    kind, two_line = known
    fields = tuple(split_fields(rest))
    if head.strip() == "+CDS" and len(fields) > 2:  # text mode: the report is all on this line
        two_line = False
    if head.strip() == "+CMT" and not two_line:
        two_line = True
    return Urc(kind, text, fields, two_line)


def split_fields(rest: str) -> list[str]:
    """Comma-separated AT parameters; quotes removed, commas inside quotes kept."""
    fields: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in rest.strip():
        if ch == '"':
            quoted = not quoted
        elif ch == "," and not quoted:
            fields.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    fields.append("".join(current).strip())
    return fields


def reply_fields(line: str, prefix: str) -> list[str]:
    """`+CSQ: 17,99` with prefix `+CSQ` -> ["17", "99"]; [] when the line is not that reply."""
    if not line.startswith(prefix + ":"):
        return []
    return split_fields(line[len(prefix) + 1:])


@overload
def to_int(value: str | None, default: int) -> int: ...
@overload
def to_int(value: str | None, default: None = None) -> int | None: ...
def to_int(value: str | None, default: int | None = None) -> int | None:
    """`value` as an int, else `default` (an int default: always an int)."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


# --------------------------------------------------------------------------------------------------
# Time as modems write it


_CCLK = re.compile(r"^(\d{2,4})/(\d{1,2})/(\d{1,2}),(\d{1,2}):(\d{1,2}):(\d{1,2})(?:([+-])(\d{1,2}))?$")


def parse_modem_time(text: str) -> datetime | None:
    """`26/11/24,14:00:00+04` (local time, zone in quarter hours) -> aware UTC; None if unreadable."""
    m = _CCLK.match(text.strip().strip('"'))
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    if year < 100:
        year += 2000
    try:
        local = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError:
        return None
    quarters = int(m.group(8) or 0) * (-1 if m.group(7) == "-" else 1)
    return local - timedelta(minutes=15 * quarters)


def parse_nitz(urc: Urc) -> datetime | None:
    """Network time from `*PSUTTZ` (SIM800) or `+CTZE` (Quectel); both report universal time.

    `+CTZV` carries only a zone on most modems: None (the driver then asks `AT+CCLK?`)."""
    try:
        if urc.line.startswith("*PSUTTZ"):
            y, mo, d, h, mi, s = (int(f) for f in urc.fields[:6])
            return datetime(y if y > 100 else 2000 + y, mo, d, h, mi, s, tzinfo=UTC)
        if urc.line.startswith("+CTZE") and len(urc.fields) >= 3:
            date_part, _, time_part = urc.fields[2].partition(",")
            y, mo, d = (int(x) for x in date_part.split("/"))
            h, mi, s = (int(x) for x in time_part.split(":"))
            return datetime(y if y > 100 else 2000 + y, mo, d, h, mi, s, tzinfo=UTC)
    except (ValueError, TypeError, IndexError):
        return None
    return None


def decode_ucs2_hex(value: str) -> str:
    """A string the modem gave in UCS2 hex (AT+CSCS="UCS2") -> text; unchanged if it is not that."""
    v = value.strip()
    if v and len(v) % 4 == 0 and re.fullmatch(r"[0-9A-Fa-f]+", v):
        try:
            return bytes.fromhex(v).decode("utf-16-be", errors="surrogatepass").encode(
                "utf-16", "surrogatepass").decode("utf-16")
        except (ValueError, UnicodeError):
            return value
    return value


def encode_ucs2_hex(text: str) -> str:
    return text.encode("utf-16-be", errors="surrogatepass").hex().upper()
