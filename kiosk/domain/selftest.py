"""The loop-back self-test's rules: its text, recognising it coming back, and what the board says.

The gateway texts the SIM's own number a one-off token; the text coming back proves send, network
and receive end to end. Pure: facts and `now` in, a verdict out (no I/O, no clock, no database), so
the board, the viewer, `kiosk status` and `kiosk doctor` all judge the same stored facts the same way.
A text that comes back is never a command: it is recognised by its token alone, before anything
looks up who sent it, so it is never "unknown number", never answered, never a staff text.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

PREFIX = "kiosk self-test"
TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud from a log without doubt
TOKEN_LENGTH = 10
_TEXT = re.compile(r"^\s*kiosk\s+self-test\s+([A-Z2-9]{%d})\b" % TOKEN_LENGTH, re.IGNORECASE)
ADVICE = "check the SIM's credit and signal"


def new_token() -> str:
    """A one-off token (50 bits): a stranger cannot guess one still waiting to come back."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def text_for(token: str) -> str:
    """The self-test text: GSM 7-bit, one segment, and says what it is to anyone who sees it."""
    return f"{PREFIX} {token}: sent by the kiosk to itself, no reply needed"


def token_in(text: str) -> str | None:
    """The token if `text` is a self-test text (upper case), else None. Never raises."""
    if not isinstance(text, str):
        return None
    found = _TEXT.match(text[:200])
    return found.group(1).upper() if found else None


@dataclass(frozen=True)
class SelfTestFacts:
    """What the gateway recorded (the health row's selftest_* columns)."""

    sent_at: datetime | None = None  # the latest self-test text went to the modem
    received_at: datetime | None = None  # the latest one that came back
    due_by: datetime | None = None  # the latest one must be back by then
    proven_at: datetime | None = None  # a text from staff arrived after the latest one was sent
    note: str | None = None  # why there is no self-test (switched off, no own number)

    @classmethod
    def from_row(cls, row: object | None) -> "SelfTestFacts":
        if row is None:
            return cls()
        return cls(*(getattr(row, f"selftest_{name}", None) for name in
                     ("sent_at", "received_at", "due_by", "proven_at", "note")))


@dataclass(frozen=True)
class Verdict:
    """`ok`: True proven, False failed (the link is down with `reason`), None not known yet.
    `strip` is the few words the link strip shows either way."""

    ok: bool | None
    strip: str
    reason: str | None = None


def _hhmm(at: datetime, tz: tzinfo) -> str:
    return at.astimezone(tz).strftime("%H:%M")


def verdict(facts: SelfTestFacts, now: datetime, tz: tzinfo) -> Verdict:
    """The self-test as the board says it. Down only when the latest text is overdue and nothing
    (neither it, late, nor any text from staff) has come in since it was sent."""
    if facts.note:
        return Verdict(None, f"SMS path not self-tested: {facts.note}")
    if facts.sent_at is None:
        return Verdict(None, "")  # none sent yet: the gateway sends one at start and daily
    if facts.received_at is not None and facts.received_at >= facts.sent_at:
        return Verdict(True, f"SMS checked {_hhmm(facts.received_at, tz)}")
    due_by = facts.due_by or facts.sent_at
    if facts.proven_at is not None and facts.proven_at >= facts.sent_at:
        return Verdict(True, f"SMS in {_hhmm(facts.proven_at, tz)} (self-test {_hhmm(facts.sent_at, tz)} not back)")
    if now <= due_by:
        earlier = f"; checked {_hhmm(facts.received_at, tz)}" if facts.received_at else ""
        return Verdict(None, f"SMS self-test sent {_hhmm(facts.sent_at, tz)}{earlier}")
    since = _hhmm(facts.sent_at, tz)
    return Verdict(False, f"self-test not back since {since}",
                   f"self-test text not received since {since}: {ADVICE}")


def due_by(sent_at: datetime, timeout_minutes: int) -> datetime:
    return sent_at + timedelta(minutes=timeout_minutes)
