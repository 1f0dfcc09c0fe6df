"""The SMS command language (issue 2's table), and what the parser does with hostile or ambiguous
texts: every text gets exactly one typed Command, never an exception."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.domain.commands import (
    Ack, Arrived, Back, CheckIn, Commands, DueAt, DueIn, Extend, Leaving, Malformed, Note, Out, Sos,
    Status,
)
from kiosk.domain.parser import COMMAND_WORDS, COMMANDS_HELP, MAX_EXTEND_MINUTES, parse_command
from kiosk.domain.text import fits_one_segment

TABLE = [
    # OUT <place> UNTIL <time> and its variants
    ("OUT 14 Elm Rd UNTIL 15:30", Out("14 Elm Rd", DueAt(15, 30, True))),
    ("out 14 elm rd until 15:30", Out("14 elm rd", DueAt(15, 30, True))),
    ("OUT 14 Elm Rd TIL 15:30", Out("14 Elm Rd", DueAt(15, 30, True))),
    ("OUT 14 Elm Rd till 15.30", Out("14 Elm Rd", DueAt(15, 30, True))),
    ("OUT 14 Elm Rd +45", Out("14 Elm Rd", DueIn(45))),
    ("OUT 14 Elm Rd 45m", Out("14 Elm Rd", DueIn(45))),
    ("OUT 14 Elm Rd 1h30", Out("14 Elm Rd", DueIn(90))),
    ("OUT 14 Elm Rd 3.30pm", Out("14 Elm Rd", DueAt(15, 30, True))),
    ("OUT 14 Elm Rd until 3:30", Out("14 Elm Rd", DueAt(3, 30, False))),
    ("OUT 14 Elm Rd until 1530", Out("14 Elm Rd", DueAt(15, 30, True))),
    ("OUT Flat 2 at 14 Elm Rd until 15:30", Out("Flat 2 at 14 Elm Rd", DueAt(15, 30, True))),
    ("OUT 14 Elm Rd, LU4 5AB until 4pm", Out("14 Elm Rd, LU4 5AB", DueAt(16, 0, True))),
    ("Out 3 Rue Bérénice for 45 mins", Out("3 Rue Bérénice", DueIn(45))),
    # on site / check in
    ("ARRIVED", Arrived()), ("here", Arrived()), ("Arrived at the house", Arrived()),
    ("OK", CheckIn()), ("SAFE", CheckIn()), ("CHECK", CheckIn()), ("safe and well", CheckIn()),
    # push due-back
    ("EXTEND 20", Extend(DueIn(20), more_time=True)), ("LATE 20", Extend(DueIn(20), more_time=True)), ("+20", Extend(DueIn(20), more_time=True)),
    ("BACK AT 16:15", Extend(DueAt(16, 15, True))), ("BACK IN 20", Extend(DueIn(20))),
    ("IN 20", Extend(DueIn(20))), ("extend 1h", Extend(DueIn(60), more_time=True)), ("extend 20 mins", Extend(DueIn(20), more_time=True)),
    ("extend by 20", Extend(DueIn(20), more_time=True)), ("late 1h30", Extend(DueIn(90), more_time=True)), ("+ 15", Extend(DueIn(15), more_time=True)),
    ("extend half an hour", Extend(DueIn(30), more_time=True)), ("extend until 4pm", Extend(DueAt(16, 0, True))),
    ("back by 4", Extend(DueAt(4, 0, False))), ("back 16:15", Extend(DueAt(16, 15, True))),
    ("back 20 mins", Extend(DueIn(20))), ("EXTEND 240", Extend(DueIn(240), more_time=True)),
    # leaving, back
    ("LEAVING", Leaving()), ("LEFT", Leaving()), ("leaving now", Leaving()),
    ("BACK", Back()), ("IN", Back()), ("DONE", Back()), ("back!", Back()), ("Done.", Back()),
    # status, alarms, commands, ack
    ("STATUS", Status()), ("SOS", Sos()), ("HELP", Sos()), ("999", Sos()),
    ("?", Commands()), ("COMMANDS", Commands()),
    ("ACK", Ack()), ("ACK 12", Ack(12)), ("ack #7", Ack(7)), ("Ack 12 on it", Ack(12)),
    # anything else
    ("Traffic is bad", Note("Traffic is bad")),
]


@pytest.mark.parametrize("text,expected", TABLE, ids=[t for t, _ in TABLE])
def test_every_form_in_the_table(text, expected):
    assert parse_command(text) == expected


def _malformed(command: str, *phrases: str):
    return ("malformed", command, phrases)


HOSTILE = [
    # (text, expected Command, or ("malformed", command, phrases the reason must contain))
    ("", Note("")),
    ("   \t\n  ", Note("")),
    ("x" * 1000, Note("x" * 1000)),
    ("OK " + "a" * 1000, CheckIn()),
    ("😀😀😀", Note("😀😀😀")),
    ("👍 ok", CheckIn()),
    ("ok 👍", CheckIn()),
    ("\x00\x01\x02", Note("\x00\x01\x02")),
    ("O\x00K", CheckIn()),
    ("\x1b[31mOK\x1b[0m", CheckIn()),
    ("\x1b]0;pwned\x07", Note("\x1b]0;pwned\x07")),
    ("[bold]x[/]", Note("[bold]x[/]")),
    ("[@click=app.quit]quit[/]", Note("[@click=app.quit]quit[/]")),
    ("'; DROP TABLE visit; --", Note("'; DROP TABLE visit; --")),
    ("Robert'); DELETE FROM message;--", Note("Robert'); DELETE FROM message;--")),
    ("EXTEND 99999", _malformed("EXTEND", "more than 4 hours at once is refused", "Nothing changed")),
    ("EXTEND 241", _malformed("EXTEND", "more than 4 hours at once is refused")),
    ("extend 5 hours", _malformed("EXTEND", "more than 4 hours")),
    ("EXTEND " + "9" * 5000, _malformed("EXTEND", "more than 4 hours")),
    ("EXTEND", _malformed("EXTEND", "EXTEND needs minutes, e.g. EXTEND 20", "Nothing changed")),
    ("extend soon", _malformed("EXTEND", "EXTEND needs minutes")),
    ("extend 20 30", _malformed("EXTEND", "EXTEND needs minutes")),
    ("LATE", _malformed("LATE", "LATE needs minutes")),
    ("OUT", _malformed("OUT", "OUT needs a place and a time")),
    ("OUT 14 Elm Rd", _malformed("OUT", "OUT needs a place and a time")),
    ("OUT until 15:30", _malformed("OUT", "OUT needs a place")),
    ("OUT 14 Elm Rd until 25:99", _malformed("OUT", "no such time")),
    ("OUT 14 Elm Rd +500", _malformed("OUT", "more than 4 hours")),
    ("OUT 14 Elm Rd +999", Sos()),  # 999 anywhere is a plea (issue 14 item 1), even as minutes
    ("+0", _malformed("EXTEND", "above 0")),
    ("+", _malformed("EXTEND", "+ needs minutes")),
    ("-20", _malformed("EXTEND", "only be added")),
    ("EXTEND -20", _malformed("EXTEND", "only be added")),
    ("back at 25:99", _malformed("BACK", "no such time")),
    ("back at 13pm", _malformed("BACK", "no such time")),
    ("back at 16:75", _malformed("BACK", "no such time")),
    # A time in the past is not the parser's business: it stays a wall-clock time, and
    # resolve_due (tests/domain/test_times.py) refuses it with "has already passed".
    ("BACK AT 09:00", Extend(DueAt(9, 0, True))),
    ("Back at 4", Extend(DueAt(4, 0, False))),
    ("in 10 mins", Extend(DueIn(10))),
    ("help me pls", Sos()),
    ("HELP!!!", Sos()),
    ("helpful neighbour", Note("helpful neighbour")),
    ("999 now", Sos()),
    ("9999", Note("9999")),
    ("OK running late", CheckIn()),
    ("back soon", _malformed("BACK", "BACK alone", "Nothing changed")),
    ("back 20", _malformed("BACK", "BACK alone")),
    ("back at school", _malformed("BACK", "BACK alone")),
    ("in traffic", _malformed("IN", "IN alone")),
    ("done and dusted", _malformed("DONE", "DONE alone")),
    ("ack twelve", _malformed("ACK", "ACK 12")),
    ("ack 0", _malformed("ACK", "ACK 12")),
    ("ACK 12 13", _malformed("ACK", "ACK 12")),
    ("\u202eOK", CheckIn()),
    ("\u202eKO", Note("\u202eKO")),
    ("O\u200bK", CheckIn()),
    ("\u200b\u200b", Note("\u200b\u200b")),
    ("ＯＫ", CheckIn()),
    ("ＢＡＣＫ", Back()),
    ("Arrivé", Arrived()),
    ("ÁRRIVED", Arrived()),
    ("ok.", CheckIn()),
    ("OK!!!", CheckIn()),
    ("...ok", CheckIn()),
    ("o k", Note("o k")),
    ("okay", Note("okay")),
    ("12345", Note("12345")),
    ("15:30", Note("15:30")),
    ("20", Note("20")),
    ("?? where do I park", Commands()),
    ("what?", Note("what?")),
    ("OUTSIDE now", Note("OUTSIDE now")),
    ("inside", Note("inside")),
    ("  back  ", Back()),
    ("S.O.S", Sos()),
    ("s o s", Sos()),
    ("9 9 9", Sos()),
    ("9.99", Note("9.99")),
    ("so sorry", Note("so sorry")),
    ("OUT " + "x" * 300 + " until 15:30", _malformed("OUT", "too long")),
    ("extend 1.5 hours", _malformed("EXTEND", "EXTEND needs minutes")),
    ("Ok, back at 4", CheckIn()),
    ("out15:30", _malformed("OUT", "OUT needs a place")),  # found by fuzzing: once an exception
    ("OUT14 Elm Rd until 15:30", Out("14 Elm Rd", DueAt(15, 30, True))),  # the first word decides, even when the rest says more
]


@pytest.mark.parametrize("text,expected", HOSTILE, ids=[repr(t[:30]) for t, _ in HOSTILE])
def test_hostile_and_ambiguous_texts(text, expected):
    result = parse_command(text)
    if isinstance(expected, tuple):
        _, command, phrases = expected
        assert isinstance(result, Malformed), result
        assert result.command == command
        for phrase in phrases:
            assert phrase in result.reason
    else:
        assert result == expected


def test_at_least_forty_hostile_texts():
    assert len(HOSTILE) >= 40


@pytest.mark.parametrize("text", [t for t, e in HOSTILE if isinstance(e, tuple)])
def test_every_malformed_reply_fits_one_sms_and_says_nothing_changed(text):
    reply = parse_command(text).reason
    assert fits_one_segment(reply), (len(reply), reply)
    assert reply.endswith("Nothing changed.")


def test_commands_help_fits_one_segment_and_says_help_raises_an_alarm():
    assert fits_one_segment(COMMANDS_HELP)
    assert "HELP" in COMMANDS_HELP and "alarm" in COMMANDS_HELP
    for word in ("OUT", "UNTIL", "ARRIVED", "OK", "EXTEND", "BACK", "LEAVING", "STATUS"):
        assert word in COMMANDS_HELP


@pytest.mark.parametrize("text,expected", [
    ("OUT 14 Elm Rd UNTIL +20", Out("14 Elm Rd", DueIn(20))),  # was 20:00
    ("OUT 14 Elm Rd TIL +5", Out("14 Elm Rd", DueIn(5))),  # was 05:00 / 17:00
    ("OUT 14 Elm Rd until +45", Out("14 Elm Rd", DueIn(45))),  # the place was "14 Elm Rd until"
    ("OUT 14 Elm Rd until + 1h30", Out("14 Elm Rd", DueIn(90))),
    ("BACK AT +20", Extend(DueIn(20))),
    ("extend until +12", Extend(DueIn(12))),
])
def test_a_plus_after_until_or_at_is_minutes_never_a_clock_time(text, expected):
    """Found trying the CLI: `kiosk visit out --due +20` (read as "UNTIL +20") meant 20:00."""
    parsed = parse_command(text)
    assert type(parsed) is type(expected) and parsed.due == expected.due
    if isinstance(expected, Out):
        assert parsed.place == expected.place


def test_until_plus_nothing_is_refused_as_zero_minutes_not_as_too_far():
    reply = parse_command("OUT 14 Elm Rd UNTIL +0")
    assert isinstance(reply, Malformed) and "above 0" in reply.reason


def test_max_minutes_follows_the_config():
    assert parse_command("EXTEND 90", max_minutes=60) == Malformed(
        "EXTEND", "Not accepted: more than 1 hour at once is refused. Nothing changed.")
    assert parse_command("EXTEND 60", max_minutes=60) == Extend(DueIn(60), more_time=True)
    assert MAX_EXTEND_MINUTES == 240


def test_note_keeps_the_text_as_received():
    assert parse_command("  Running 5 mins late, sorry!  ") == Note("Running 5 mins late, sorry!")


def test_out_place_keeps_case_and_accents_but_not_control_characters():
    assert parse_command("OUT 3 Rue\u200b Bérénice\x1b until 4pm") == Out("3 Rue Bérénice", DueAt(16, 0, True))


def test_command_words_are_the_first_words_recognised():
    assert {"ok", "back", "help", "extend", "out", "ack", "in", "done"} <= COMMAND_WORDS
    for word in COMMAND_WORDS:
        assert not isinstance(parse_command(word), Note), word


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_parse_command_never_raises_on_any_text(text):
    result = parse_command(text)
    assert isinstance(result, (Out, Arrived, CheckIn, Extend, Leaving, Back, Status, Sos, Commands,
                               Ack, Note, Malformed))
    if isinstance(result, Malformed):
        assert fits_one_segment(result.reason)


_words = st.sampled_from(["out", "OUT", "until", "til", "+", "-", "back", "at", "in", "extend", "ack",
                          "15:30", "3.30pm", "25:99", "1h30", "45m", "99999", "0", "4", "12", "?",
                          "Elm", "Rd", "14", "pm", "half", "an", "hour", "mins", "#", ":", ".", "é",
                          "\u200b", "\x00", "ＯＫ"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.lists(_words, max_size=8).map(" ".join), st.lists(_words, max_size=8).map("".join),
                 st.lists(_words, max_size=8).map(lambda ws: "out" + "".join(ws))))
def test_parse_command_never_raises_on_command_like_text(text):
    result = parse_command(text)
    if isinstance(result, Extend) and isinstance(result.due, DueIn):
        assert 0 < result.due.minutes <= MAX_EXTEND_MINUTES
    if isinstance(result, (Extend, Out)) and isinstance(result.due, DueAt):
        assert 0 <= result.due.hour <= 23 and 0 <= result.due.minute <= 59
    if isinstance(result, Malformed):
        assert fits_one_segment(result.reason)
