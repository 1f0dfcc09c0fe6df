"""Flood control for replies: a number that texts too often stops getting answers for a while.

Every SMS costs the school money, and a phone that sends a text a second (a broken app, a prank, a
forged sender) must not drain the credit or fill the outbox ahead of alerts. This rule only decides
whether a REPLY goes out; it must never decide whether a text is stored, processed or checked for a
code word (a flood of texts still raises duress and still counts as contact). Pure: no I/O.

Given how many texts the number sent in the last minute (this one included) and the limit
(`security.flood_texts_per_minute`, default 10):
- up to the limit: the reply goes out as usual;
- over the limit: one notice ("Too many texts...") goes out instead of the reply, unless a notice
  already went to that number in the last minute, so the real owner of the phone learns that
  replies stopped and why;
- otherwise: no reply (it is stored as `ignored`, with the reason).
So one number gets at most `limit` replies and one notice in any minute.

Unknown numbers (issue 14 item 5) can raise red with a plea or a code word, so a stranger could
raise alarm after alarm. After UNKNOWN_ALARMS_MAX red alarms from one unregistered number within
UNKNOWN_WINDOW (by the times the texts were received), its further texts are stored and shown but
raise nothing new (`unknown_may_raise`): the alarms already raised stay red until a person ends them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

WINDOW = timedelta(minutes=1)
UNKNOWN_WINDOW = timedelta(hours=1)
UNKNOWN_ALARMS_MAX = 3
PAUSED_NOTICE = "Too many texts from this phone: replies paused for a minute. Your texts are still read."
REASON = "not sent: more than {limit} texts a minute from this number"

SEND, NOTICE, SUPPRESS = "send", "notice", "suppress"


@dataclass(frozen=True)
class ReplyDecision:
    """What to do with the reply to one inbound text."""

    action: str  # send | notice | suppress

    @property
    def flooding(self) -> bool:
        return self.action != SEND


def reply_decision(texts_in_window: int, limit: int, *, notice_in_window: bool) -> ReplyDecision:
    """`texts_in_window`: texts from this number in the WINDOW ending at this one, this one included;
    `notice_in_window`: the paused notice already went to this number within the WINDOW."""
    if limit < 1:
        raise ValueError("the flood limit must be at least 1 text a minute")
    if texts_in_window <= limit:
        return ReplyDecision(SEND)
    return ReplyDecision(SUPPRESS if notice_in_window else NOTICE)


def suppressed_reason(limit: int) -> str:
    return REASON.format(limit=limit)


def unknown_may_raise(alarms_in_window: int) -> bool:
    """May one more text from an unregistered number raise a red alarm, given how many alarms its
    texts raised within UNKNOWN_WINDOW before it?"""
    return alarms_in_window < UNKNOWN_ALARMS_MAX
