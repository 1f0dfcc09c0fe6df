"""The checks a config value goes through: each returns the accepted value or raises _Bad("must be
..."), which kiosk.config turns into an error naming the key. Pure (no file, no clock); split from
kiosk.config so the table of keys there stays readable.
"""

from __future__ import annotations

import re
from dataclasses import field
from datetime import time as dtime
from typing import Any, Callable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600)


class _Bad(Exception):
    pass


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return repr(text)
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _integer(lo: int, hi: int) -> Callable[[Any], int]:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise _Bad(f"must be a whole number between {lo} and {hi}")
        return value
    return check


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Bad("must be true or false")
    return value


def _printable(value: str) -> bool:
    return all(ch.isprintable() for ch in value)


def _text(max_len: int = 200, *, empty: bool = True) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise _Bad("must be text in quotes")
        if not _printable(value):
            raise _Bad("must not contain control characters")
        if len(value) > max_len:
            raise _Bad(f"must be at most {max_len} characters")
        if not empty and not value.strip():
            raise _Bad("must not be empty")
        return value
    return check


def _choice(*options: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or value not in options:
            raise _Bad("must be one of " + ", ".join(f'"{o}"' for o in options))
        return value
    return check


def _timezone(value: Any) -> str:
    if not isinstance(value, str) or not value or len(value) > 64 or not _printable(value):
        raise _Bad('must be a time zone name such as "Europe/London"')
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise _Bad('must be a time zone name such as "Europe/London"') from None
    return value


_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _clock_time(value: Any) -> str:
    if isinstance(value, dtime) and value.tzinfo is None and value.second == 0 and not value.microsecond:
        return value.strftime("%H:%M")  # TOML local time (08:00:00) accepted
    if not isinstance(value, str) or not _HHMM.match(value):
        raise _Bad('must be a time "HH:MM" (24-hour), e.g. "08:00"')
    return value


_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _days(value: Any) -> tuple[str, ...]:
    """Day names: "mon".."sun" (full names and any case accepted, stored short)."""
    if not isinstance(value, list) or not all(isinstance(d, str) for d in value):
        raise _Bad('must be a list of day names, e.g. ["mon", "tue"]')
    days = []
    for raw in value:
        name = raw.strip().lower()
        if name in _FULL_DAYS:
            name = name[:3]
        if name not in DAY_NAMES:
            raise _Bad("must list days as " + ", ".join(DAY_NAMES))
        days.append(name)
    if len(set(days)) != len(days):
        raise _Bad("must not list a day twice")
    return tuple(days)


def _at_commands(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise _Bad('must be a list of AT commands, e.g. ["AT+CSCS=\\"GSM\\""]')
    for command in value:
        if (not isinstance(command, str) or not command.upper().startswith("AT")
                or not _printable(command) or len(command) > 200):
            raise _Bad("must be a list of AT commands, each starting with AT, one line each")
    return tuple(value)


def _sim_pin(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"(\d{4,8})?", value):
        raise _Bad("must be empty or 4 to 8 digits in quotes")
    return value


def _baudrate(value: Any) -> int:
    if isinstance(value, bool) or value not in BAUDRATES:
        raise _Bad("must be one of " + ", ".join(str(b) for b in BAUDRATES))
    return value


def _database_url(value: Any) -> str:
    _text(500)(value)
    if not value:
        return value
    if not value.startswith(("postgresql://", "postgres://")):
        raise _Bad('must be empty or a "postgresql://..." address')
    if any(c.isspace() or not c.isprintable() for c in value):
        raise _Bad("must not contain spaces or control characters")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise _Bad(f"not a valid address ({exc})") from None
    if len(parts.path.strip("/")) == 0:
        raise _Bad('must name the database, e.g. "postgresql://kiosk@localhost/kiosk"')
    return value


_PASSWORD = re.compile(r"^(\w+://[^:/@]*):[^@/]*@")


def hide_password(url: str) -> str:
    """A database URL as it may be printed: any password replaced by *** (the one place that knows how)."""
    return _PASSWORD.sub(r"\1:***@", url)


def _without_password(value: Any) -> Any:
    return hide_password(value) if isinstance(value, str) else value


def _ip_address(value: Any) -> str:
    import ipaddress

    if not isinstance(value, str):
        raise _Bad('must be an IP address in quotes, e.g. "127.0.0.1" or "192.168.1.20"')
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise _Bad('must be an IP address in quotes, e.g. "127.0.0.1" or "192.168.1.20"') from None


_ORIGIN = re.compile(r"^https?://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$")


def _origin(value: Any) -> str:
    if not isinstance(value, str) or not _ORIGIN.match(value) or len(value) > 200:
        raise _Bad('must be "http://host:port" or "https://host" (no path, no user)')
    return value.lower()


def _optional_origin(value: Any) -> str:
    return "" if value == "" else _origin(value)


def _origins(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) > 20:
        raise _Bad('must be a list of at most 20 origins, e.g. ["http://board.school.lan:8470"]')
    return tuple(_origin(v) for v in value)


def _token(value: Any) -> str:
    if not isinstance(value, str) or not (value == "" or re.fullmatch(r"[A-Za-z0-9_-]{32,200}", value)):
        raise _Bad("must be empty or 32 to 200 letters, digits, - and _ (kiosk serve --new-token makes one)")
    return value


def _path(value: Any) -> str:
    return _text(1000)(value)


def _own_number(value: Any) -> str:
    """The kiosk SIM's own number for the loop-back self-test: "" (ask the modem, AT+CNUM) or a mobile."""
    from kiosk.domain.phones import PhoneError, normalise_mobile  # on first use, not at the top: start-up time (phonenumbers' metadata is slow to load)

    if value == "":
        return value
    try:
        return normalise_mobile(value)
    except PhoneError:
        raise _Bad('must be empty or the SIM\'s mobile number, e.g. "07700 900123"') from None


def _ussd(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"([*#][0-9*#]{1,30})?", value):
        raise _Bad('must be empty or a USSD code of digits, * and #, e.g. "*#10#"')
    return value


def _money(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1000:
        raise _Bad("must be an amount between 0 and 1000, e.g. 2.50")
    return float(value)


def _key(default: Any, check: Callable[[Any], Any], doc: str) -> Any:
    """A config key: its default, its check, and one line for the example file and `kiosk config`."""
    if isinstance(default, list):
        default = tuple(default)
    return field(default=default, metadata={"check": check, "doc": doc})
