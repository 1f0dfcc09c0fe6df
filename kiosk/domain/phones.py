"""Phone numbers: one canonical form (E.164) for every way a UK number can be written.

`07700 900123`, `+44 7700 900123`, `447700900123` and `0044 7700 900123` are one number. Never raise
anything but PhoneError on bad input, and never crash on what a network puts in the sender field
(alphanumeric senders such as "VODAFONE" are kept, tidied, as they are).
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import phonenumbers

# phonenumbers is imported inside the functions that use it, on first use: that buys start-up time
# and memory (issue 19: ~15-25 ms and ~1 MB here), since the reception board's first frame formats
# no phone number (only an alarm's view and the SMS path do).
DEFAULT_REGION = "GB"

# Ofcom keeps 07700 900000-900999 for drama (and for us: tests, demos). libphonenumber calls those
# numbers invalid, but they are well-formed UK mobiles and the simulator uses them.
_DRAMA_MOBILES = re.compile(r"^\+447700900\d{3}$")
_NOT_MOBILE = ("FIXED_LINE", "TOLL_FREE", "PREMIUM_RATE", "SHARED_COST", "UAN", "VOICEMAIL")  # PhoneNumberType


class PhoneError(ValueError):
    """Not a usable phone number; the message is one line for a form or the CLI."""


def _clean(raw: object) -> str:
    if not isinstance(raw, str):
        raise PhoneError("phone number must be text")
    text = unicodedata.normalize("NFKC", raw)
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch.isspace())
    return text.strip()


def _parse(raw: str, region: str) -> phonenumbers.PhoneNumber:
    import phonenumbers  # on first use: start-up time (see DEFAULT_REGION)

    text = _clean(raw)
    if not text:
        raise PhoneError("phone number is empty")
    if len(text) > 40 or re.search(r"[^\d\s+().\-/]", text):
        raise PhoneError("phone number may contain only digits, spaces and a leading +")
    digits = re.sub(r"\D", "", text)
    attempts = [text]
    if not text.startswith("+") and not digits.startswith("0"):
        attempts.append("+" + digits)  # 447700900123: international without the +
    last_error = "not a phone number"
    for attempt in attempts:
        try:
            number = phonenumbers.parse(attempt, region)
        except phonenumbers.NumberParseException:
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_valid_number(number) or _DRAMA_MOBILES.match(e164):
            return number
        last_error = "not a valid phone number (check the digits)"
    raise PhoneError(last_error)


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    """Any valid phone number (landlines too, e.g. the home's number) as E.164."""
    import phonenumbers  # on first use: start-up time (see DEFAULT_REGION)

    return phonenumbers.format_number(_parse(raw, region), phonenumbers.PhoneNumberFormat.E164)


def normalise_mobile(raw: str, region: str = DEFAULT_REGION) -> str:
    """A mobile number (one that can receive SMS) as E.164, or PhoneError."""
    import phonenumbers  # on first use: start-up time (see DEFAULT_REGION)

    number = _parse(raw, region)
    if phonenumbers.number_type(number) in {getattr(phonenumbers.PhoneNumberType, t) for t in _NOT_MOBILE}:
        raise PhoneError("not a mobile number: texts cannot reach it")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def national_format(e164: str) -> str:
    """"07700 900123" for a UK number; other countries in international format. Never raises."""
    import phonenumbers  # on first use: start-up time (see DEFAULT_REGION)

    PhoneNumberFormat = phonenumbers.PhoneNumberFormat
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 44:
        formatted = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        if _DRAMA_MOBILES.match(e164):
            national = "0" + str(number.national_number)
            return f"{national[:5]} {national[5:]}"
        return formatted
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


_ALPHANUMERIC_SENDER = re.compile(r"^[A-Za-z0-9 ._&'-]{1,11}$")


def normalise_sender(raw: str, region: str = DEFAULT_REGION) -> str:
    """The sender of a received SMS as we store and match it: E.164 when it is a phone number,
    otherwise the text with control characters removed (e.g. "VODAFONE"). Never raises."""
    if not isinstance(raw, str):
        raw = str(raw)
    try:
        return normalise_phone(raw, region)
    except PhoneError:
        pass
    try:
        cleaned = _clean(raw)
    except PhoneError:
        cleaned = ""
    return " ".join(cleaned.split())[:32]


def is_plausible_sender(raw: str) -> bool:
    """True for a phone number or an alphanumeric sender id (at most 11 letters/digits, GSM rules).
    Never raises."""
    if not isinstance(raw, str):
        return False
    try:
        normalise_phone(raw)
        return True
    except PhoneError:
        pass
    try:
        cleaned = _clean(raw)
    except PhoneError:
        return False
    return bool(_ALPHANUMERIC_SENDER.match(cleaned)) and any(ch.isalnum() for ch in cleaned)
