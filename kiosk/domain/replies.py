"""Every text kiosk sends: replies to staff, reminders, alerts, stand-downs and the daily report.

Replies to staff must fit one 160-character GSM-7 segment, give times in the school's local time,
and say what changed (so the real owner of a phone notices a forgery). Nothing here may ever put a
code word or the text of an incoming SMS into an outgoing one. Alerts to alert receivers may run
to a few segments: they carry the facts the police will ask for.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

SEGMENT = 160
ALERT_LIMIT = 3 * 153  # three concatenated GSM-7 segments

# GSM-7 basic-table characters that are also plain ASCII (extension characters such as [ ] { } \
# ^ ~ | cost two septets, and ` is not in the alphabet): the safe set for names and places.
_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n!\"#%&'()*+,-./:;<=>?@_$")

NOTED = "Thanks, noted. Text ? for commands."
NO_VISIT = "No open visit for this phone. Nothing changed. Text ? for commands."
REMIND_TAIL = "Reply OK if you are safe, EXTEND 15 for more time, BACK when back."


def hhmm(when: datetime, tz: ZoneInfo) -> str:
    """Local wall-clock time as people write it on a whiteboard: 15:30."""
    return when.astimezone(tz).strftime("%H:%M")


def gsm_safe(text: str) -> str:
    """Accents stripped, anything outside the safe GSM-7 set replaced by '?', whitespace folded."""
    plain = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    plain = "".join(ch if ch in _SAFE else ("-" if ch in "\u2013\u2014\u00b7" else "?") for ch in plain)
    return " ".join(plain.split())


def fit(text: str, limit: int = SEGMENT) -> str:
    """Safe characters, at most `limit` of them (cut with '...' if needed)."""
    safe = gsm_safe(text)
    return safe if len(safe) <= limit else safe[: limit - 3].rstrip() + "..."


# --- replies to the sender -------------------------------------------------------------------

def noted() -> str:
    return NOTED


def noted_new_due(due: datetime, tz: ZoneInfo) -> str:
    """Contact while overdue: amber cleared, ladder re-armed."""
    return f"Thanks, noted - now due back {hhmm(due, tz)}. Text ? for commands."


def checked_in(now: datetime, due: datetime, tz: ZoneInfo) -> str:
    return f"Check-in noted {hhmm(now, tz)}. Due back {hhmm(due, tz)}."


def arrived(now: datetime, due: datetime, tz: ZoneInfo) -> str:
    return f"Arrival noted {hhmm(now, tz)}. Due back {hhmm(due, tz)}. Text LEAVING when you leave."


def leaving(now: datetime, due: datetime, tz: ZoneInfo) -> str:
    return f"Leaving noted {hhmm(now, tz)}. Due back {hhmm(due, tz)}. Text BACK when back."


def extended(old: datetime, new: datetime, tz: ZoneInfo) -> str:
    return f"Due back now {hhmm(new, tz)} (was {hhmm(old, tz)})."


def back_closed(visit_id: int, now: datetime, tz: ZoneInfo) -> str:
    return f"Welcome back. Visit {visit_id} closed {hhmm(now, tz)}."


def back_alarm_open(now: datetime, tz: ZoneInfo) -> str:
    return f"Back noted {hhmm(now, tz)}. An alarm is still open: the office will call you to stand it down."


_STATE_WORDS = {"out": "on the way", "on-site": "on site", "leaving": "on the way back", "back": "back"}


def status(visit_id: int, state: str, due: datetime, last_contact: datetime | None, tz: ZoneInfo) -> str:
    contact = hhmm(last_contact, tz) if last_contact else "none"
    return (f"Visit {visit_id}: {_STATE_WORDS.get(state, state)}, due back {hhmm(due, tz)}. "
            f"Last contact {contact}.")


def no_visit() -> str:
    return NO_VISIT


def sos_confirmed(now: datetime, tz: ZoneInfo) -> str:
    """The overt reply to a plea: an alarm is raised and someone is ringing this phone."""
    return f"Alarm raised {hhmm(now, tz)}. The office is calling you now. If you can, call 999."


def out_started(visit_id: int, due: datetime, tz: ZoneInfo) -> str:
    return (f"Visit {visit_id} started, due back {hhmm(due, tz)}. Not yet approved: the office will check. "
            "Text OK to check in, BACK when back.")


def out_refused(reason: str) -> str:
    return fit(f"Visit not started: {reason}. Nothing changed.")


def out_disabled() -> str:
    return "Visits cannot be started by text here. Ask the office to sign you out. Nothing changed."


def out_already_open(visit_id: int, due: datetime, tz: ZoneInfo) -> str:
    return f"You already have Visit {visit_id} open, due back {hhmm(due, tz)}. Text BACK first. Nothing changed."


def reminder_overdue(due: datetime, tz: ZoneInfo) -> str:
    return f"You were due back at {hhmm(due, tz)}. {REMIND_TAIL}"


def reminder_check_in(missed: datetime, tz: ZoneInfo) -> str:
    return f"Your check-in was due at {hhmm(missed, tz)}. {REMIND_TAIL}"


def ack_taken(alarm_id: int) -> str:
    return f"You have alarm {alarm_id}. The others are told. Record the outcome at the kiosk."


def ack_told(alarm_id: int, owner: str, now: datetime, tz: ZoneInfo) -> str:
    return fit(f"Alarm {alarm_id}: {owner} has taken charge ({hhmm(now, tz)}).")


def ack_already(alarm_id: int, owner: str, since: datetime, tz: ZoneInfo) -> str:
    """A second ACK: who has the alarm, since when (the owner does not change)."""
    return fit(f"Alarm {alarm_id} is already with {owner} (since {hhmm(since, tz)}). Nothing changed.")


def ack_nothing_open() -> str:
    return "No open alarm to take. Nothing changed."


def ack_not_open(alarm_id: int) -> str:
    return f"Alarm {alarm_id} is not open. Nothing changed."


# --- alerts to alert receivers -----------------------------------------------------------------

def alert(*, alarm_id: int, kind: str, level: str, names: Sequence[str], now: datetime, tz: ZoneInfo,
          visit_id: int | None = None, place: str = "", phones: Sequence[str] = (), vehicle: str = "",
          due: datetime | None = None, missed: datetime | None = None, staffed: bool = True,
          repeat: bool = False) -> str:
    """One alert; says what happened, where, how to reach them, and how to take charge."""
    who = ", ".join(names) or "unknown sender"
    head = f"{'REPEAT ' if repeat else ''}KIOSK {level.upper()} alarm {alarm_id}: "
    if kind == "duress":
        what = f"DURESS code word from {who} {hhmm(now, tz)}. Call 999."
    elif kind == "sos":
        what = f"SOS from {who} {hhmm(now, tz)}. Call 999."
    elif kind == "no-reply":
        late = f"{max(0, int((now - due).total_seconds() // 60))} min overdue (due {hhmm(due, tz)})" if due else "no reply"
        what = f"{who} no reply, {late}. Ring them; call 999 if concerned."
    elif kind == "overdue":
        what = f"{who} overdue, due back {hhmm(due or now, tz)}. Ring them."
    elif kind == "missed-check-in":
        what = f"{who} missed check-in due {hhmm(missed or now, tz)}. Ring them."
    else:
        what = f"{kind} {who}."
    parts = [head + what]
    if not staffed:
        parts.append("Office may be closed.")
    if visit_id is not None:
        parts.append(f"Visit {visit_id}.")
    if place:
        parts.append(f"At {place}.")
    if phones:
        parts.append(f"Phone {', '.join(phones)}.")
    if vehicle:
        parts.append(f"Car {vehicle}.")
    parts.append(f"Reply ACK {alarm_id} to take charge.")
    return fit(" ".join(parts), ALERT_LIMIT)


def stand_down(alarm_id: int, names: Sequence[str], action: str, by: str, now: datetime, tz: ZoneInfo) -> str:
    who = ", ".join(names)
    about = f" ({who})" if who else ""
    return fit(f"KIOSK stand down alarm {alarm_id}{about}: {action} by {by} {hhmm(now, tz)}.", ALERT_LIMIT)


def end_of_day_report(rows: Iterable[tuple[int, str, datetime]], now: datetime, tz: ZoneInfo) -> str:
    """rows: (visit id, names, due back) of the visits still open when the office closes."""
    rows = list(rows)
    listed = "; ".join(f"{names} due {hhmm(due, tz)} (Visit {vid})" for vid, names, due in rows)
    count = f"{len(rows)} visit{'s' if len(rows) != 1 else ''} still open"
    return fit(f"KIOSK office closing {hhmm(now, tz)}: {count}: {listed}.", ALERT_LIMIT)
