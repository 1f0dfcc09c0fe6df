"""Parsers under fuzz (issue 8): random SMS texts through the whole SMS path, a random bad value for
each config key, random command lines through the CLI. No exception escapes, a clear one-line
message every time, and invalid input changes nothing."""

from __future__ import annotations

import dataclasses
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk import services as svc
from kiosk.cli import main
from kiosk.config import SECTIONS, ConfigError, load_config
from kiosk.domain.codewords import find_code_words
from kiosk.domain.commands import Sos
from kiosk.domain.text import fits_one_segment
from kiosk.store.models import Alarm, Message, Visit
from tests.security.dump import dump
from tests.security.hostile import HOSTILE
from tests.services.conftest import ANN, School

STRANGER = "+447700900999"
WORDS = ["OUT", "BACK", "IN", "DONE", "OK", "SAFE", "ARRIVED", "HERE", "LEAVING", "EXTEND", "LATE", "+20",
         "UNTIL", "TIL", "AT", "15:30", "3.30pm", "1h30", "45m", "99999", "ACK", "STATUS", "SOS", "HELP",
         "999", "?", "bluebird", "kestrel", "Bluebírd", "bluebirds", "14 Elm Rd", "-", "", "\n"]
sms_texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join),
    st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(list(HOSTILE.values()))), max_size=4).map(" ".join),
)
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def visits_and_alarms():
    return ([(v.id, v.state, v.due_back, v.last_contact_at, v.ended_at) for v in Visit.select().order_by(Visit.id)],
            [(a.id, a.kind, a.level, a.resolved_at, a.owner_id, a.acknowledged_at) for a in Alarm.select()])


@pytest.fixture(scope="module")
def fuzz_school(tmp_path_factory):
    from kiosk.clock import FakeClock

    school = School(tmp_path_factory.mktemp("fuzz") / "kiosk.db", FakeClock("2026-11-24T14:00:00+00:00"))
    school.out(school.ann)
    yield school
    school.db.close()


@FUZZ
@given(text=sms_texts, registered=st.booleans())
def test_any_text_from_anyone_through_the_whole_sms_path(fuzz_school, text, registered):
    school = fuzz_school
    school.clock.advance(seconds=7)
    if not svc.board(school.ctx):  # a BACK closed Ann's visit: send her out again
        school.out(school.ann, minutes=120)
    number = ANN if registered else STRANGER
    visits_before, alarms_before = visits_and_alarms()
    result = svc.sms_in(school.ctx, number, text)
    visits_after, alarms_after = visits_and_alarms()
    stored = Message.get_by_id(result.message.id)
    assert not find_code_words(stored.text, ["bluebird", "kestrel"])
    if not registered:  # a stranger changes no visit; only a plea or a code word raises (and a plea is answered)
        assert visits_after == visits_before
        new_alarms = alarms_after[len(alarms_before):]
        assert alarms_after[:len(alarms_before)] == alarms_before
        assert {(a[1], a[2]) for a in new_alarms} <= {("sos", "red"), ("duress", "red")} and len(new_alarms) <= 1
        replies = list(Message.select().where((Message.direction == "out") & (Message.kind == "reply")
                                              & (Message.id > result.message.id)))
        if stored.state == "ignored":
            assert not new_alarms and not replies
        else:
            assert result.command is None or isinstance(result.command, Sos) or result.duress
            assert all(fits_one_segment(r.text) and r.text.startswith("Alarm raised") for r in replies)
        return
    assert stored.state == "processed"
    if result.reply is not None:
        assert fits_one_segment(result.reply.text)
    if result.duress:  # nothing applied under duress; one red duress alarm more, or joined
        assert visits_after == visits_before
        assert {a[1] for a in alarms_after[len(alarms_before):]} <= {"duress"}
    # no text ends a red alarm, and no alarm is ever acknowledged by a text
    before = {a[0]: a for a in alarms_before}
    for alarm in alarms_after:
        old = before.get(alarm[0])
        if old and old[2] == "red":
            assert alarm[3] is None
        assert alarm[5] is None
    assert len(visits_after) <= len(visits_before) + 1


# --- config: a bad value for any key is refused with a message naming that key ----------------------

_fields = [(section, f.name) for section, cls in SECTIONS.items() for f in dataclasses.fields(cls)]
_bad_values = st.one_of(st.integers(-10**9, 10**9), st.booleans(), st.text(max_size=40), st.floats(allow_nan=False),
                        st.lists(st.integers(), max_size=3), st.sampled_from(list(HOSTILE.values())))


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(repr, value)) + "]"
    return '"' + "".join(c if c.isprintable() and c not in '"\\' else f"\\u{ord(c):04x}" for c in value
                         if ord(c) <= 0xFFFF and not 0xD800 <= ord(c) <= 0xDFFF) + '"'


@FUZZ
@given(field=st.sampled_from(_fields), value=_bad_values)
def test_a_bad_config_value_is_a_config_error_naming_its_key(tmp_path, field, value):
    section, name = field
    path = tmp_path / "kiosk.toml"
    path.write_text(f"[{section}]\n{name} = {_literal(value)}\n", encoding="utf-8")
    try:
        load_config(str(path), env={})
    except ConfigError as error:
        message = str(error)
        assert "\n" not in message.strip() and "Traceback" not in message
        assert f"{section}.{name}" in message or f"[{section}]" in message or name in message, message


# --- the command line: exit 0, 1 or 2, never a traceback; exit 2 writes nothing ---------------------

COMMANDS = [["staff", "add"], ["staff", "list"], ["privacy", "export"], ["privacy", "erase"], ["phone", "add"],
            ["phone", "list"], ["visit", "out"], ["visit", "back"], ["visit", "checkin"], ["visit", "duress"],
            ["visit", "extend"], ["visit", "approve"], ["board"], ["messages"], ["alarms"], ["sms-in"], ["tick"],
            ["ack"], ["register", "add"], ["register", "list"], ["config"], ["staff"], ["visit"], []]
OPTIONS = ["--name", "--mobile", "--code-word", "--alerts", "--role", "--staff", "--place", "--due", "--every",
           "--by", "--from", "--action", "--ref", "--note", "--json", "--limit", "--visit", "--confirm",
           "--reason", "--postcode", "--address", "--minutes", "--approved-by", "--", "-x", "--open", "--yes"]
TOKENS = ["1", "0", "-1", "99999999999999999999", "Ann Lee", "07700 900123", "+447700900123", "bluebird",
          "15:30", "+45", "police", "answered", "other", "LU4", "", " ", "#1", "nan", "1e9"]
argv_lists = st.tuples(
    st.sampled_from(COMMANDS),
    st.lists(st.one_of(st.sampled_from(OPTIONS), st.sampled_from(TOKENS),
                       st.sampled_from(list(HOSTILE.values())), st.text(max_size=12)), max_size=7),
)


@pytest.fixture(scope="module")
def cli_db(tmp_path_factory):
    from kiosk.clock import FakeClock

    folder = tmp_path_factory.mktemp("cli-fuzz")
    school = School(folder / "kiosk.db", FakeClock("2026-11-24T14:00:00+00:00"))
    school.out(school.ann)
    school.db.close()
    return folder / "kiosk.db"


@FUZZ
@given(argv=argv_lists)
def test_random_command_lines_exit_0_1_or_2_and_exit_2_writes_nothing(cli_db, capsys, monkeypatch, argv):
    monkeypatch.setenv("KIOSK_CONFIG", os.devnull)
    monkeypatch.setenv("KIOSK_NOW", "2026-11-24T14:30:00+00:00")
    monkeypatch.chdir(cli_db.parent)
    command, rest = argv
    full = [*command, *rest, "--db", str(cli_db)]
    before = dump(cli_db)
    try:
        code = main(full)
    except SystemExit as exit_:  # --help / -h: argparse prints and exits
        code = exit_.code
    out, err = capsys.readouterr()
    assert code in (0, 1, 2), (full, code, err)
    assert "Traceback" not in err
    if code == 2:
        assert err.startswith("kiosk: ") or err.startswith("usage:") or out.startswith("usage:"), err
        assert dump(cli_db) == before, full
    if code == 1:
        assert err.startswith("kiosk: refused: ")
        assert dump(cli_db) == before, full
