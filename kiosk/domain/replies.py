"""Every text kiosk sends: replies to staff, reminders, alerts, stand-downs and the daily report.

Replies to staff must fit one 160-character GSM-7 segment, give times in the school's local time,
and say what changed (so the real owner of a phone notices a forgery). Nothing here may ever put a
code word or the text of an incoming SMS into an outgoing one. Alerts to alert receivers may run
to a few segments: they carry the facts the police will ask for.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
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
    """Local wall-clock time as people write it on a whiteboard: 15:30. In the hour the clocks go
    back (it happens twice) the zone is said too: 01:30 BST, then 01:30 GMT."""
    local = when.astimezone(tz)
    text = local.strftime("%H:%M")
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        text += f" {local.tzname()}"
    return text


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

@dataclass(frozen=True)
class AlertFacts:
    """What an alert says, every fact read from the store (never the moment it is sent, except to
    count minutes): the trigger and when it happened, the people, where, how to reach them."""

    alarm_id: int
    kind: str  # overdue | missed-check-in | no-reply | duress | sos | send-failed
    level: str
    raised_at: datetime
    names: Sequence[str] = ()
    visit_id: int | None = None
    place: str = ""
    phones: Sequence[str] = ()
    vehicle: str = ""
    missed_at: datetime | None = None  # the due-back or check-in due that was missed (ladder alarms)
    missed_kind: str = ""  # what was missed: overdue | missed-check-in (a no-reply: its amber's kind)
    last_contact_at: datetime | None = None  # None: none since leaving
    left_at: datetime | None = None
    summary: str = ""  # the stored trigger, for kinds that have no words of their own
    texted: tuple[str, str, datetime] | None = None  # (name, command word or "", when): a text from the
    # visit while this red is open, the latest
    staffed: bool = True
    repeat: bool = False


def _minutes(later: datetime, earlier: datetime) -> int:
    return max(0, int((later - earlier).total_seconds() // 60))


def _since_contact(f: AlertFacts, now: datetime, tz: ZoneInfo) -> str:
    if f.last_contact_at is not None:
        return f"{_minutes(now, f.last_contact_at)} min since last contact ({hhmm(f.last_contact_at, tz)})"
    if f.left_at is not None:
        return f"no contact since leaving {hhmm(f.left_at, tz)} ({_minutes(now, f.left_at)} min)"
    return "no contact"


def alert(f: AlertFacts, now: datetime, tz: ZoneInfo) -> str:
    """Every alert text (first, repeat, out-of-hours amber): what happened and when it happened,
    where, how to reach them, and how to take charge. `now` only counts minutes."""
    who = ", ".join(f.names) or "unknown sender"
    head = f"{'REPEAT ' if f.repeat else ''}KIOSK {f.level.upper()} alarm {f.alarm_id}: "
    check_in = f.missed_kind == "missed-check-in"
    if f.kind == "duress":
        what = f"DURESS code word from {who} {hhmm(f.raised_at, tz)}. Call 999."
    elif f.kind == "sos":
        what = f"SOS from {who} {hhmm(f.raised_at, tz)}. Call 999."
    elif f.kind == "no-reply" and check_in and f.missed_at is not None:
        what = (f"{who} no reply since the check-in due {hhmm(f.missed_at, tz)} was missed, "
                f"{_since_contact(f, now, tz)}. Ring them; call 999 if concerned.")
    elif f.kind == "no-reply":
        late = (f"{_minutes(now, f.missed_at)} min overdue (due {hhmm(f.missed_at, tz)})" if f.missed_at
                else f"since {hhmm(f.raised_at, tz)}")
        what = f"{who} no reply, {late}. Ring them; call 999 if concerned."
    elif f.kind == "overdue":
        what = f"{who} overdue, due back {hhmm(f.missed_at or f.raised_at, tz)}. Ring them."
    elif f.kind == "missed-check-in":
        what = (f"{who} missed the check-in due {hhmm(f.missed_at or f.raised_at, tz)}, "
                f"{_since_contact(f, now, tz)}. Ring them.")
    else:
        what = f"{f.summary or f.kind} ({who}) {hhmm(f.raised_at, tz)}."
    parts = [head + what]
    if f.texted is not None:
        name, word, at = f.texted
        parts.append(f"{name} texted {word + ' ' if word else ''}at {hhmm(at, tz)}: ring to confirm.")
    if not f.staffed:
        parts.append("Office may be closed.")
    if f.visit_id is not None:
        parts.append(f"Visit {f.visit_id}.")
    if f.place:
        parts.append(f"At {f.place}.")
    if f.phones:
        parts.append(f"Phone {', '.join(f.phones)}.")
    if f.vehicle:
        parts.append(f"Car {f.vehicle}.")
    parts.append(f"Reply ACK {f.alarm_id} to take charge.")
    return fit(" ".join(parts), ALERT_LIMIT)


def stand_down(alarm_id: int, names: Sequence[str], action: str, by: str, now: datetime, tz: ZoneInfo) -> str:
    who = ", ".join(names)
    about = f" ({who})" if who else ""
    return fit(f"KIOSK stand down alarm {alarm_id}{about}: {action} by {by} {hhmm(now, tz)}.", ALERT_LIMIT)


def end_of_day_report(rows: Iterable[tuple[int, str, datetime]], closing: datetime, tz: ZoneInfo) -> str:
    """rows: (visit id, names, due back) of the visits still open when the office closes; `closing`:
    the configured end of staffed hours that day (not when the pass that sends it ran)."""
    rows = list(rows)
    listed = "; ".join(f"{names} due {hhmm(due, tz)} (Visit {vid})" for vid, names, due in rows)
    count = f"{len(rows)} visit{'s' if len(rows) != 1 else ''} still open"
    return fit(f"KIOSK office closing {hhmm(closing, tz)}: {count}: {listed}.", ALERT_LIMIT)
