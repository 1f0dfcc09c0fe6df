"""The simulated modem's outgoing voice calls (issue 18): ATD<number>; AT+CLCC, ATH, AT+DDET, +DTMF.

What happens on a call is scripted per number (`CallScript`): ringing until hung up, answered after
some seconds of ringing (by the simulator's clock, so tests move time instead of waiting), a key
pressed once answered, or the network ending it at once (BUSY, NO ANSWER, NO CARRIER). Every call
dialled is kept in `calls` for tests and the console to read.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from kiosk.clock import Clock

ENDINGS = ("BUSY", "NO ANSWER", "NO CARRIER")


@dataclass(frozen=True)
class CallScript:
    answer_after: float | None = None  # seconds of ringing before they answer; None: it rings on
    key: str | None = None  # the key they press once answered (None: nobody presses, a voicemail)
    ending: str | None = None  # BUSY / NO ANSWER / NO CARRIER: the network ends the call at once


@dataclass
class OutgoingCall:
    number: str
    dialled_at: datetime
    script: CallScript
    answered_at: datetime | None = None
    key_sent: bool = False
    ended_at: datetime | None = None
    ended_by: str = ""  # "hang-up" (the kiosk's ATH/AT+CHUP) or the network's ending

    @property
    def active(self) -> bool:
        return self.ended_at is None


class Dialler:
    def __init__(self, clock: Clock, urc: Callable[..., None]) -> None:
        self.clock, self._urc = clock, urc
        self.scripts: dict[str, CallScript] = {}
        self.calls: list[OutgoingCall] = []
        self.ddet = False  # AT+DDET=1: report key presses (SIM800)
        self._lock = threading.Lock()

    def current(self) -> OutgoingCall | None:
        return self.calls[-1] if self.calls and self.calls[-1].active else None

    def dial(self, cmd: str) -> tuple[list[str], str]:
        number = cmd[1:].rstrip(";").strip()
        if not number.replace("+", "", 1).isdigit() or not cmd.endswith(";"):
            return [], "ERROR"  # data calls and garbage are not for us
        with self._lock:
            if self.current() is not None:
                return [], "ERROR"  # one call at a time
            call = OutgoingCall(number, self.clock.now(), self.scripts.get(number, CallScript()))
            self.calls.append(call)
        if call.script.ending:
            call.ended_at, call.ended_by = self.clock.now(), call.script.ending
            threading.Timer(0.05, lambda: self._urc(call.script.ending)).start()
        return [], "OK"

    def clcc(self) -> list[str]:
        """The call list, brought up to the clock: answered once its ringing time has passed, and
        its key (if any) reported once it is answered."""
        with self._lock:
            call = self.current()
            if call is None:
                return []
            now = self.clock.now()
            after = call.script.answer_after
            if call.answered_at is None and after is not None and (now - call.dialled_at).total_seconds() >= after:
                call.answered_at = now
            if call.answered_at is not None and call.script.key and self.ddet and not call.key_sent:
                call.key_sent = True
                key = call.script.key
                threading.Timer(0.05, lambda: self._urc(f"+DTMF: {key}")).start()
            stat = 0 if call.answered_at is not None else 3
            return [f'+CLCC: 1,0,{stat},0,0,"{call.number}",145']

    def hang_up(self) -> bool:
        with self._lock:
            call = self.current()
            if call is None:
                return False
            call.ended_at, call.ended_by = self.clock.now(), "hang-up"
            return True
