"""Incoming calls from RING / +CLIP lines: one call reported once, with the caller's number if given.

Pure state, no I/O and no clock of its own (the driver passes monotonic seconds). It must never
report one ringing call twice, and never invent a number: withheld or missing caller ID is None.
"""

from __future__ import annotations

from kiosk.devices.atlines import Urc, decode_ucs2_hex, to_int

NO_RING_ENDS_CALL = 15.0  # seconds without a RING after which a new RING is a new call

_UNSET = object()


class CallTracker:
    """Feed it RINGs and +CLIPs; it answers the caller to report (a number, None) or _UNSET (nothing)."""

    def __init__(self) -> None:
        self.active = False
        self._waiting_for_clip = False
        self._last_ring = 0.0
        self._hanging_up = False

    def ring(self, mono: float) -> object:
        """A RING. Returns None (a call with no caller ID) when a second RING came without +CLIP."""
        if self._hanging_up:
            return _UNSET
        if self.active and mono - self._last_ring > NO_RING_ENDS_CALL:
            self.active = False  # an old call that ended without NO CARRIER
        self._last_ring = mono
        if not self.active:
            self.active = True
            self._waiting_for_clip = True
            return _UNSET
        if self._waiting_for_clip:  # a second RING and still no caller ID: this modem gives none
            self._waiting_for_clip = False
            return None
        return _UNSET

    def caller_id(self, urc: Urc, mono: float, *, ucs2: bool) -> object:
        """A +CLIP line: the number to report for a new call, None if withheld, _UNSET if a repeat."""
        if self._hanging_up or (self.active and not self._waiting_for_clip):
            return _UNSET  # the same call ringing again
        if not self.active:
            self.active = True
            self._last_ring = mono
        self._waiting_for_clip = False
        return clip_number(urc, ucs2=ucs2)

    def ended(self) -> None:
        self.active = False
        self._waiting_for_clip = False

    def hanging_up(self, on: bool) -> None:
        """While the hang-up command runs, rings read belong to the call being rejected."""
        self._hanging_up = on
        if not on:
            self.ended()


def clip_number(urc: Urc, *, ucs2: bool) -> str | None:
    """`+CLIP: "<number>",<type>,...,<CLI validity>` -> "+44..." or None (withheld, unavailable)."""
    raw = urc.fields[0] if urc.fields else ""
    number = decode_ucs2_hex(raw) if ucs2 else raw
    validity = to_int(urc.fields[5]) if len(urc.fields) > 5 else 0
    kind = to_int(urc.fields[1]) if len(urc.fields) > 1 else None
    if number and kind == 145 and not number.startswith("+"):
        number = "+" + number
    return number if number and validity in (0, None) else None


def is_report(value: object) -> bool:
    return value is not _UNSET
