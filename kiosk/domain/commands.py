"""Typed SMS commands: what a text from staff means, before any state is looked at.

This module holds the types only; the parser (`kiosk.domain.parser.parse_command`) turns text into
one of them. Times are not resolved here: `DueAt` keeps the local wall-clock time the sender wrote,
`DueIn` the minutes; `kiosk.domain.times.resolve_due` turns them into UTC with "now" and the
school's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class DueAt:
    """A local wall-clock time as written ("15:30", "3.30pm", "Back at 4")."""

    hour: int
    minute: int
    explicit_meridiem: bool = False  # "pm"/"am" given, or a 24-hour time >= 13:00


@dataclass(frozen=True)
class DueIn:
    """A duration from now ("+45", "45m", "1h30", "IN 20")."""

    minutes: int


Due = Union[DueAt, DueIn]


@dataclass(frozen=True)
class Out:
    """OUT <place> UNTIL <time>: start a visit by text (marked unapproved)."""

    place: str
    due: Due


@dataclass(frozen=True)
class Arrived:
    """ARRIVED, HERE: on site."""


@dataclass(frozen=True)
class CheckIn:
    """OK, SAFE, CHECK: a check-in."""


@dataclass(frozen=True)
class Extend:
    """EXTEND 20, LATE 20, +20, BACK AT 16:15, BACK IN 20, IN 20: push due-back.

    `more_time` (EXTEND/LATE/+ with minutes) adds the minutes to the current due-back (or to now, if
    that has passed), so "EXTEND 20" never brings a visit due at 16:00 forward to 14:20; "IN 20" and
    "BACK IN 20" mean twenty minutes from now."""

    due: Due
    more_time: bool = False


@dataclass(frozen=True)
class Leaving:
    """LEAVING, LEFT: left the address, on the way back."""


@dataclass(frozen=True)
class Back:
    """BACK, IN, DONE with nothing after them: visit over, safe."""


@dataclass(frozen=True)
class Status:
    """STATUS: this visit's state and due-back."""


@dataclass(frozen=True)
class Sos:
    """A plea for help anywhere in the text (SOS, HELP, 999, police, 🆘...: kiosk.domain.pleas):
    overt alarm, red at once, never contact. `plea` is the word that made it one (for the audit)."""

    plea: str = field(default="", compare=False)


@dataclass(frozen=True)
class Commands:
    """?, COMMANDS: reply with the command list."""


@dataclass(frozen=True)
class Ack:
    """ACK or ACK 12 from an alert receiver: take charge of an alarm. `plea`: the text also holds a
    plea word ("ACK 2 calling police"); from anyone who cannot take charge it is an Sos."""

    alarm_id: int | None = None
    plea: bool = False


@dataclass(frozen=True)
class Note:
    """Anything else: counts as contact, reply "Thanks, noted. Text ? for commands."."""

    text: str


@dataclass(frozen=True)
class Malformed:
    """A recognised command word with arguments that cannot be accepted (EXTEND 99999, OUT with no
    time, a time that cannot exist). Still counts as contact; `reason` is the reply, which must fit
    one GSM-7 segment and say nothing changed."""

    command: str
    reason: str


Command = Union[Out, Arrived, CheckIn, Extend, Leaving, Back, Status, Sos, Commands, Ack, Note, Malformed]
