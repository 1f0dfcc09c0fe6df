"""What reception types for a due-back time ("15:30", "3.30pm", "+45", "90 min") as aware UTC.

Uses the SMS parser's time grammar and the domain's DST-safe resolution, so the kiosk and a text
agree on what "4" means. Never reads the clock: `now` is passed in. Errors are one line for a form.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.domain.commands import Extend
from kiosk.domain.parser import parse_command
from kiosk.domain.times import DueError, resolve_due

_ALLOWED = re.compile(r"^[0-9:.+ apmhinrsu]{1,16}$", re.IGNORECASE)
HINT = "type a time such as 15:30 or 3.30pm, or minutes such as +45"


class TypedDueError(ValueError):
    """Not a usable due-back time; the message is for the line beside the field."""


def parse_typed_due(text: str, now: datetime, tz: ZoneInfo, *, max_minutes: int) -> datetime:
    raw = " ".join((text or "").split())
    if not raw:
        raise TypedDueError("due back is required: pick +30/+45/+60/+90 or " + HINT)
    if not _ALLOWED.match(raw):
        raise TypedDueError("not a time: " + HINT)
    command = parse_command("EXTEND " + raw, max_minutes=max_minutes)
    if not isinstance(command, Extend):
        raise TypedDueError("not a time: " + HINT)
    try:
        return resolve_due(command.due, now, tz, max_ahead_minutes=max_minutes)
    except DueError as exc:
        message = str(exc).replace(" Nothing changed.", "").replace("Not accepted: ", "").replace("Not understood: ", "")
        message = message.replace(" at once is refused.", " ahead is not accepted")
        raise TypedDueError(message) from None
