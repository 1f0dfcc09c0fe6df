"""The modem's own number (AT+CNUM), the network's generation (AT+COPS? access technology) and the
SIM's credit by USSD (AT+CUSD): what the SMS path's health needs beyond signal and registration.

Parsing only, plus one-command helpers over `run` (as kiosk.devices.at_commands). Never raises on
what a modem or a network says: an answer that cannot be read is None. Many 4G modems refuse USSD;
that is an answer ("cannot"), never an error of the SMS path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from kiosk.devices.atlines import reply_fields, split_fields, to_int
from kiosk.devices.errors import CommandError

Run = Callable[[str], list[str]]

# 3GPP TS 27.007 <AcT> of +COPS / +CREG: what generation the modem is on
ACCESS_TECHNOLOGY = {0: "GSM", 1: "GSM", 2: "UMTS", 3: "EDGE", 4: "HSDPA", 5: "HSUPA", 6: "HSPA", 7: "LTE",
                     8: "EC-GSM-IoT", 9: "LTE-M", 10: "LTE", 11: "NR", 12: "NR", 13: "LTE"}
_USSD_CODE = re.compile(r"^[*#][0-9*#]{1,30}$")
_AMOUNT = re.compile(r"(?:£|GBP\s?)\s?(\d{1,4}(?:[.,]\d{1,2})?)|(\d{1,4}[.,]\d{2})\s?(?:GBP|pounds)", re.IGNORECASE)
_PENCE = re.compile(r"\b(\d{1,3})\s?p\b")


def own_number(run: Run) -> str | None:
    """The SIM's own number if the SIM has it stored (many pay-as-you-go SIMs do not)."""
    try:
        lines = run("AT+CNUM")
    except CommandError:
        return None
    for line in lines:
        fields = reply_fields(line, "+CNUM")
        if len(fields) >= 2:
            number = re.sub(r"[^\d+]", "", fields[1])
            if len(re.sub(r"\D", "", number)) >= 7:
                return number
    return None


def access_technology(cops_fields: list[str]) -> str:
    """"LTE", "UMTS", "GSM"... from the fields of `+COPS: <mode>,<format>,<oper>,<AcT>` ("" unknown)."""
    if len(cops_fields) < 4:
        return ""
    act = to_int(cops_fields[3])
    return ACCESS_TECHNOLOGY.get(act, "") if act is not None else ""


@dataclass(frozen=True)
class Ussd:
    """A USSD answer: `text` is what the network said; `status` 0-2 is an answer, 4 not supported."""

    status: int | None
    text: str


def parse_cusd(line: str) -> Ussd | None:
    """`+CUSD: 0,"Your balance is £4.20",15` -> Ussd(0, "Your balance is £4.20"); None if not +CUSD."""
    if not line.startswith("+CUSD:"):
        return None
    fields = split_fields(line[len("+CUSD:"):])
    return Ussd(to_int(fields[0]) if fields else None, fields[1] if len(fields) > 1 else "")


def ussd_command(code: str) -> str:
    if not _USSD_CODE.match(code):
        raise ValueError(f"not a USSD code: {code!r}")
    return f'AT+CUSD=1,"{code}",15'


@dataclass(frozen=True)
class Credit:
    shown: str  # as the network wrote it, e.g. "£4.20"
    amount: float


def credit_from_text(text: str) -> Credit | None:
    """The first amount of money in a balance message (pounds, or pence alone), or None."""
    if not isinstance(text, str):
        return None
    found = _AMOUNT.search(text[:500])
    if found:
        raw = (found.group(1) or found.group(2)).replace(",", ".")
        return Credit(f"£{float(raw):.2f}", float(raw))
    pence = _PENCE.search(text[:500])
    if pence:
        amount = int(pence.group(1)) / 100
        return Credit(f"£{amount:.2f}", amount)
    return None
