"""The SMS command parser: text from staff in, one typed Command out.

It must never raise, never look at state (visits, clock, database) and never resolve a time: that is
`kiosk.domain.times.resolve_due`'s job. Case-, accent- and punctuation-tolerant; the first word
decides. Decisions worth knowing (each has a test):

- A plea for help anywhere decides before the first word (issue 14 item 1): "OK call police",
  "back at 4 help", "pls help", "🆘" are Sos (kiosk.domain.pleas; "helpful" is a Note, whole words
  only). Only a well-formed ACK keeps its meaning ("ACK 2 calling police": Ack(2, plea=True)), so
  an alert receiver taking charge is not turned into a new alarm; the service decides who that is.
- "OK running late" is a CheckIn: the first word decides, the rest is ignored.
- BACK, IN and DONE close a visit only with nothing after them (punctuation and emoji aside):
  "Back at 4" -> Extend(DueAt(4, 0)), "in 10 mins" -> Extend(DueIn(10)), "back soon" -> Malformed
  (the reply says nothing changed, so nobody believes they are signed back when they are not).
- A bare number after BACK AT / UNTIL is an hour ("Back at 4"), after EXTEND / LATE / IN / + it is
  minutes ("EXTEND 20"). Without am/pm, an hour from 1 to 12 is left for resolve_due to place (its
  next occurrence).
- More than `max_minutes` (240 = 4 hours) at once, zero or negative minutes, a time that cannot
  exist (25:99), OUT with no time or no place: Malformed, with the reply text as its reason.
- Only a number ("20", "15:30") is a Note, not a guess; "999", "9 9 9" and "S.O.S" are SOS, "9.99"
  and "9999" are Notes.
- "o k" is a Note ("o" is the first word); "ＯＫ", "ok.", "OK!!!", "Ok 👍" are CheckIns; "Arrivé" is
  Arrived; zero-width and bidi-override characters are dropped before reading.
"""

from __future__ import annotations

import re

from kiosk.domain.commands import (
    Ack, Arrived, Back, CheckIn, Command, Commands, Due, DueAt, DueIn, Extend, Leaving, Malformed,
    Note, Out, Sos, Status,
)
from kiosk.domain.pleas import find_plea
from kiosk.domain.text import clean_display, normalise, normalise_with_map
from kiosk.domain import limits

MAX_EXTEND_MINUTES = 240
"""Default ceiling for one push of due-back (and a duration in OUT): "more than 4 hours at once is
refused"."""

COMMANDS_HELP = (
    "Commands: OUT place UNTIL 15:30, ARRIVED, OK, EXTEND 20, BACK AT 16:15, LEAVING, BACK, "
    "STATUS. HELP or SOS raises an alarm."
)
"""The reply to "?" / COMMANDS: one GSM-7 segment, and it says that HELP raises an alarm."""

_SIMPLE: dict[str, type[Arrived | CheckIn | Leaving | Status | Sos | Commands]] = {
    "arrived": Arrived, "arrive": Arrived, "here": Arrived,
    "ok": CheckIn, "safe": CheckIn, "check": CheckIn, "checkin": CheckIn,
    "leaving": Leaving, "left": Leaving,
    "status": Status,
    "sos": Sos, "help": Sos,
    "commands": Commands, "command": Commands,
}
_EXTEND_WORDS = {"extend": "EXTEND", "late": "LATE"}
_BACK_WORDS = {"back": "BACK", "in": "IN", "done": "DONE"}

COMMAND_WORDS: frozenset[str] = frozenset(
    set(_SIMPLE) | set(_EXTEND_WORDS) | set(_BACK_WORDS) | {"out", "ack"}
)
"""Every first word the parser recognises (normalised). A code word may not be one of them."""

KEYWORDS: frozenset[str] = frozenset({
    "until", "untill", "til", "till", "due", "at", "by", "for", "to", "am", "pm", "noon", "midday",
    "midnight", "h", "hr", "hrs", "hour", "hours", "m", "min", "mins", "minute", "minutes", "half",
    "an", "a",
})
"""Words inside command arguments. A code word may not be one of them either."""

_NUM = r"\d{1,4}"
_MIN_UNIT = r"(?:m|min|mins|minute|minutes)"
_HOUR_UNIT = r"(?:h|hr|hrs|hour|hours)"
_END = r"(?![\w])"

_DURATION_RE = re.compile(
    rf"""(?:
        (?P<half>half\s+(?:an\s+)?hour|an?\s+hour\s+and\s+a\s+half|an?\s+hour)
      | (?P<h>{_NUM})\s*{_HOUR_UNIT}(?:\s*(?:and\s+)?(?P<hm>\d{{1,2}})\s*{_MIN_UNIT}?)?
      | (?P<m>{_NUM})\s*(?P<unit>{_MIN_UNIT})?
    ){_END}""",
    re.VERBOSE,
)
_TIME_RE = re.compile(
    rf"""(?:
        (?P<word>noon|midday|midnight)
      | (?P<h>\d{{1,2}})(?:\s*[:.]\s*(?P<m>\d{{2}}))?\s*(?P<mer>a\.?m\.?|p\.?m\.?)?
      | (?P<hhmm>\d{{4}})
    ){_END}""",
    re.VERBOSE,
)
# A time that needs no keyword to be recognised as one: 15:30, 3.30pm, 4pm, noon.
_EXPLICIT_TIME_RE = re.compile(
    r"(?:noon|midday|midnight|\d{1,2}\s*[:.]\s*\d{2}\s*(?:[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?)(?!\w)"
)
# A duration that needs no keyword: +45, 45m, 1h30, 2 hours.
_EXPLICIT_DURATION_RE = re.compile(
    rf"(?:\+\s*{_NUM}\s*{_MIN_UNIT}?|{_NUM}\s*{_HOUR_UNIT}(?:\s*\d{{1,2}}\s*{_MIN_UNIT}?)?"
    rf"|{_NUM}\s*{_MIN_UNIT})(?!\w)"
)
_OUT_KEYWORD_RE = re.compile(
    r"(?<!\w)(?:until|untill|till|til|due back(?: at| by| in)?|due(?: at| by| in)?"
    r"|back(?: at| by| in)?|for|at|by)(?!\w)"
)


MAX_PLACE_LENGTH = limits.PLACE


class _Refused(Exception):
    """Arguments that cannot be accepted; the message is the reply."""


def _nothing_changed(text: str) -> str:
    return f"{text} Nothing changed."


def _too_long(max_minutes: int) -> str:
    return _nothing_changed(f"Not accepted: more than {_span(max_minutes)} at once is refused.")


def _span(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour" if hours == 1 else f"{hours} hours"
    return f"{minutes} minutes"


def _duration_minutes(m: re.Match[str]) -> int:
    if m.group("half"):
        phrase = m.group("half")
        if phrase.startswith("half"):
            return 30
        return 90 if "half" in phrase else 60
    if m.group("h") is not None:
        minutes = int(m.group("h")) * 60
        if m.group("hm") is not None:
            extra = int(m.group("hm"))
            if extra >= 60:
                raise _Refused(_nothing_changed(
                    "Not understood: minutes after hours must be under 60, e.g. 1h30."))
            minutes += extra
        return minutes
    return int(m.group("m"))


def _time_due(m: re.Match[str]) -> DueAt:
    word = m.group("word")
    if word:
        return DueAt(0, 0, True) if word == "midnight" else DueAt(12, 0, True)
    if m.group("hhmm"):
        hour, minute, meridiem = int(m.group("hhmm")[:2]), int(m.group("hhmm")[2:]), None
        leading_zero = True
    else:
        hour, minute = int(m.group("h")), int(m.group("m") or 0)
        meridiem = m.group("mer")
        leading_zero = m.group("h").startswith("0") and len(m.group("h")) == 2
    no_such = _nothing_changed("Not understood: there is no such time. Use e.g. 15:30 or 3.30pm.")
    if minute > 59:
        raise _Refused(no_such)
    if meridiem:
        if not 1 <= hour <= 12:
            raise _Refused(no_such)
        pm = meridiem.startswith("p")
        hour = (hour % 12) + (12 if pm else 0)
        return DueAt(hour, minute, True)
    if hour > 23:
        raise _Refused(no_such)
    return DueAt(hour, minute, hour >= 13 or hour == 0 or leading_zero)


def _only_words_after(rest: str) -> bool:
    """Trailing chatter is fine ("EXTEND 20 sorry"), a second number is not ("EXTEND 20 30")."""
    return not re.search(r"\d", rest)


def _parse_due(rest: str, bare: str, *, max_minutes: int, usage: str) -> Due:
    """Read a due-back at the start of `rest` (normalised). `bare` says what a lone number is:
    "minutes" or "hour". Raises _Refused with the reply text."""
    rest = rest.lstrip(" ,.:;!")
    kind = bare
    word = re.match(r"(until|untill|till|til|to|at|by|for|in)(?!\w)\s*", rest)
    if word:
        if word.group(1) in ("for", "in"):
            kind = "minutes"
        elif word.group(1) != "by" or bare == "none":
            kind = "hour"
        rest = rest[word.end():]
    if re.match(r"\+\s*\d", rest):
        kind = "minutes"  # a plus is always a span: "UNTIL +20" is 20 minutes, never 20:00
    rest = rest.lstrip("+ ")
    if not rest:
        raise _Refused(usage)
    if re.match(r"-\s*\d", rest):
        raise _Refused(_nothing_changed("Not accepted: time can only be added, not taken away."))
    if re.match(r"\d{5,}", rest):
        raise _Refused(_too_long(max_minutes))
    due: Due | None = None
    end = 0
    explicit_time = _EXPLICIT_TIME_RE.match(rest)
    if explicit_time:
        m = _TIME_RE.match(rest)
        if m:
            due, end = _time_due(m), m.end()
    if due is None:
        m = _DURATION_RE.match(rest)
        if m and (kind == "minutes" or m.group("unit") or m.group("h") or m.group("half")):
            due, end = DueIn(_duration_minutes(m)), m.end()
        elif kind == "hour":
            m = _TIME_RE.match(rest)
            if m:
                due, end = _time_due(m), m.end()
    if due is None or not _only_words_after(rest[end:]):
        raise _Refused(usage)
    if isinstance(due, DueIn):
        if due.minutes <= 0:
            raise _Refused(_nothing_changed("Not accepted: give a number of minutes above 0."))
        if due.minutes > max_minutes:
            raise _Refused(_too_long(max_minutes))
    return due


def _more_time(due: Due) -> Extend:
    """EXTEND/LATE/+: minutes are added to due-back; a clock time is still a clock time."""
    return Extend(due, more_time=isinstance(due, DueIn))


def _head(norm: str) -> tuple[str, int] | None:
    """The first word and what follows it. A word is a run of letters or of digits; '?' and a
    leading +/- before a number count as words too. Leading punctuation/emoji is skipped.
    Returns the word and the index in `norm` where the rest begins."""
    m = re.search(r"\?|[+-]\s*(?=\d)|\+\s*$|[^\W_]", norm)
    if not m:
        return None
    start = m.start()
    ch = norm[start]
    if ch in "?+-":
        return ch, start + 1
    run = re.compile(r"[^\W\d_]+|\d+").match(norm, start)
    assert run is not None  # norm[start] is a letter or a digit
    return run.group(0), run.end()


def _out(text: str, after: int, max_minutes: int) -> Command:
    """OUT <place> <time>; `after` is where the rest begins in normalise(text)."""
    usage = _nothing_changed("Not understood: OUT needs a place and a time, e.g. OUT 14 Elm Rd UNTIL 15:30.")
    norm, src = normalise_with_map(text)
    body = norm[after:]

    def place_from(stop: int) -> str:
        """The place as the sender typed it (case, accents), between OUT and the time."""
        if stop <= after:
            return ""
        begin = src[after] if after < len(src) else len(text)
        finish = src[stop - 1] + 1
        return clean_display(text[begin:finish]).strip(" ,.;:-")

    # Where the time starts, tried in order: after a keyword (UNTIL/TIL/AT/BY/IN/FOR, the last one
    # first), then an explicit clock time, then an explicit duration. The first that parses wins.
    attempts = [(m, m.end(), "minutes" if m.group(0).endswith(("in", "for")) else "hour")
                for m in reversed(list(_OUT_KEYWORD_RE.finditer(body)))]
    attempts += [(m, m.start(), "hour") for m in _EXPLICIT_TIME_RE.finditer(body)]
    attempts += [(m, m.start(), "minutes") for m in _EXPLICIT_DURATION_RE.finditer(body)]
    found: tuple[int, Due] | None = None
    refusal: str | None = None
    for m, rest_at, bare in attempts:
        try:
            found = (after + m.start(), _parse_due(body[rest_at:], bare, max_minutes=max_minutes, usage=usage))
            break
        except _Refused as exc:
            if refusal is None and exc.args[0] != usage:
                refusal = exc.args[0]
    if found is None:
        return Malformed("OUT", refusal or usage)
    stop, due = found
    place = place_from(stop)
    if not re.search(r"[^\W_]", place):
        return Malformed("OUT", _nothing_changed(
            "Not understood: OUT needs a place, e.g. OUT 14 Elm Rd UNTIL 15:30."))
    if len(place) > MAX_PLACE_LENGTH:
        return Malformed("OUT", _nothing_changed(
            f"Not understood: the place is too long (over {MAX_PLACE_LENGTH} characters)."))
    return Out(place=place, due=due)


def _ack(rest: str) -> Ack | Malformed:
    """ACK, ACK 12, ACK #12, ACK alarm 12 (trailing words allowed, a second number is not)."""
    m = re.match(r"[\s#:.,-]*(?:no\.?\s*|alarm\s*)?#?\s*(\d{1,9})(?!\d)", rest)
    if not re.search(r"[^\W_]", rest):
        return Ack()
    if m and int(m.group(1)) > 0 and not re.search(r"\d", rest[m.end():]):
        return Ack(int(m.group(1)))
    return Malformed("ACK", _nothing_changed(
        "Not understood: ACK takes an alarm number, e.g. ACK 12, or ACK alone."))


def parse_command(text: str, *, max_minutes: int = MAX_EXTEND_MINUTES) -> Command:
    """Read one SMS. Never raises; anything unrecognised is a Note carrying the text as received.

    `max_minutes` is the most one text may add to due-back (config `ladder.max_extend_minutes`).
    """
    try:
        return _parse(text, max_minutes)
    except _Refused as exc:  # pragma: no cover - every path catches its own refusals
        return Malformed("?", exc.args[0])


def _parse(text: str, max_minutes: int) -> Command:
    if not isinstance(text, str):
        text = str(text)
    norm = normalise(text)
    head = _head(norm)
    plea = find_plea(text)
    if plea is not None:
        if head is not None and head[0] == "ack":
            ack = _ack(norm[head[1]:])
            if isinstance(ack, Ack):
                return Ack(ack.alarm_id, plea=True)
        return Sos(plea=plea)
    note = Note(text.strip())
    if head is None:
        return note
    word, rest_at = head
    rest = norm[rest_at:]
    if word == "?":
        return Commands()
    if word in ("+", "-"):
        usage = _nothing_changed("Not understood: + needs minutes, e.g. +20.")
        if word == "-":
            return Malformed("EXTEND", _nothing_changed(
                "Not accepted: time can only be added, not taken away."))
        try:
            return _more_time(_parse_due(rest, "minutes", max_minutes=max_minutes, usage=usage))
        except _Refused as exc:
            return Malformed("EXTEND", exc.args[0])
    if word in _SIMPLE:
        return _SIMPLE[word]()
    if word in _EXTEND_WORDS:
        name = _EXTEND_WORDS[word]
        usage = _nothing_changed(f"Not understood: {name} needs minutes, e.g. {name} 20.")
        try:
            return _more_time(_parse_due(rest, "minutes", max_minutes=max_minutes, usage=usage))
        except _Refused as exc:
            return Malformed(name, exc.args[0])
    if word in _BACK_WORDS:
        name = _BACK_WORDS[word]
        if not re.search(r"[^\W_]", rest):
            return Back()
        if name == "DONE":
            return Malformed(name, _nothing_changed(
                "Not understood: text DONE alone when the visit is over."))
        if name == "BACK":
            usage = _nothing_changed(
                "Not understood: text BACK alone when you are back, or BACK AT 16:15 for more time.")
            bare = "none"
        else:
            usage = _nothing_changed(
                "Not understood: text IN alone when you are back, or IN 20 for 20 more minutes.")
            bare = "minutes"
        try:
            return Extend(_parse_due(rest, bare, max_minutes=max_minutes, usage=usage))
        except _Refused as exc:
            return Malformed(name, exc.args[0])
    if word == "ack":
        return _ack(rest)
    if word == "out":
        return _out(text, rest_at, max_minutes)
    return note
