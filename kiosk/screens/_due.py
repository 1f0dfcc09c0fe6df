"""What reception types for a due-back time ("15:30", "3.30pm", "+45", "90 min") as aware UTC.

Uses the SMS parser's time grammar and the domain's DST-safe resolution, so the kiosk and a text
agree on what "4" means. Never reads the clock: `now` is passed in. Errors are one line for a form.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.domain.commands import Extend, Malformed
from kiosk.domain.parser import parse_command
from kiosk.domain.times import DueError, resolve_due

_ALLOWED = re.compile(r"^[0-9:.+ apmhinrsu]{1,16}$", re.IGNORECASE)
HINT = "type e.g. 15:30, 3.30pm or +45"


class TypedDueError(ValueError):
    """Not a usable due-back time; the message is for the line beside the field."""


def parse_typed_due(text: str, now: datetime, tz: ZoneInfo, *, max_minutes: int) -> datetime:
    raw = " ".join((text or "").split())
    if not raw:
        raise TypedDueError("due back is required: F2-F5, or type 15:30 or +45")
    if not _ALLOWED.match(raw):
        raise TypedDueError("not a time: " + HINT)
    command = parse_command("EXTEND " + raw, max_minutes=max_minutes)
    if isinstance(command, Malformed) and command.reason.startswith("Not accepted:"):
        raise TypedDueError(_for_form(command.reason))
    if not isinstance(command, Extend):
        raise TypedDueError("not a time: " + HINT)
    try:
        return resolve_due(command.due, now, tz, max_ahead_minutes=max_minutes)
    except DueError as exc:
        raise TypedDueError(_for_form(str(exc))) from None


def _for_form(reply: str) -> str:
    """An SMS reply ("Not accepted: ... Nothing changed.") as a line beside the field."""
    message = reply.replace(" Nothing changed.", "").replace("Not accepted: ", "").replace("Not understood: ", "")
    return message.replace(" at once is refused.", " ahead is not accepted").rstrip(".")
