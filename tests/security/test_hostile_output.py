"""Hostile text never hijacks a terminal: every string of the shared corpus, put everywhere user
text is stored (through the SMS path, and straight into the database as a tampered or future
writer would), then every CLI listing that shows user text, plain and `--json`: no escape,
control, bidi or zero-width character reaches the terminal, markup is printed as characters,
and `--json` still carries the exact text.
"""

from __future__ import annotations

import json

import pytest

from kiosk import services as svc
from kiosk.cli import main
from kiosk.domain.display import json_safe, terminal_line
from kiosk.store.models import Alarm, Message, Phone, RegisterEntry, Staff, Visit
from tests.security.hostile import HOSTILE, forbidden_in
from tests.services.conftest import ANN, School

LISTINGS = [["board"], ["messages", "--limit", "1000"], ["alarms"], ["staff", "list"], ["register", "list"], ["phone", "list"]]
JSON_LISTINGS = [["board", "--json"], ["messages", "--json", "--limit", "1000"], ["alarms", "--json"], ["staff", "list", "--json"],
                 ["register", "list", "--json"]]


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    """One school whose every user-text column holds every hostile string."""
    from kiosk.clock import FakeClock

    path = tmp_path_factory.mktemp("hostile") / "kiosk.db"
    clock = FakeClock("2026-11-24T14:00:00+00:00")
    school = School(path, clock)
    visit = school.out(school.ann, school.bob)
    for i, text in enumerate(HOSTILE.values()):
        clock.advance(seconds=7)
        svc.sms_in(school.ctx, ANN, text)  # the real path: stored (redacted if need be) and answered
        Message.create(direction="in", number=text, text=text, state="ignored", created_at=clock.now())
        Staff.create(name=f"{i} {text}", mobile=f"+4477009010{i:02d}", role=text, vehicle_reg=text,
                     code_word=None, created_at=clock.now())
        alarm = svc.duress_by_phone(school.ctx, visit.id, by="RC")
        Alarm.update(summary=text, acknowledged_by=text, action=text, note=text).where(Alarm.id == alarm.id).execute()
        RegisterEntry.create(address=text, postcode="", reason=text, created_at=clock.now())
        Phone.create(number=f"+4477009020{i:02d}", label=text, created_at=clock.now())
    Visit.update(label=HOSTILE["osc-title"] + HOSTILE["bidi-rlo"]).where(Visit.id == visit.id).execute()
    Alarm.update(owner=Staff.get(Staff.name.startswith("0 "))).execute()
    school.db.close()
    return path


def run(capsys, monkeypatch, path, argv):
    monkeypatch.setenv("KIOSK_CONFIG", "/dev/null")
    monkeypatch.setenv("KIOSK_NOW", "2026-11-24T15:00:00+00:00")
    code = main([*argv, "--db", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv", LISTINGS, ids=" ".join)
def test_plain_listings_print_no_terminal_controls(hostile_db, capsys, monkeypatch, argv):
    code, out, err = run(capsys, monkeypatch, hostile_db, argv)
    assert code == 0, err
    assert forbidden_in(out) == [] and forbidden_in(err) == []
    assert len(out.splitlines()) >= 2


def test_markup_is_printed_as_characters_never_obeyed(hostile_db, capsys, monkeypatch):
    _, out, _ = run(capsys, monkeypatch, hostile_db, ["staff", "list"])
    for key in ("rich-markup", "textual-action", "textual-link", "sql", "json-breaker"):
        assert HOSTILE[key] in out
    assert "😀👍🏽" in out  # emoji are text; only the zero-width joiners inside a sequence are shown as �


def test_a_newline_in_a_text_cannot_fake_a_row(hostile_db, capsys, monkeypatch):
    _, out, _ = run(capsys, monkeypatch, hostile_db, ["register", "list"])
    rows = out.splitlines()
    assert len(rows) == len(HOSTILE)  # one row per entry, whatever its text holds
    assert not any(row.startswith("    9 14:00 <-") for row in rows)


@pytest.mark.parametrize("argv", JSON_LISTINGS, ids=" ".join)
def test_json_listings_escape_controls_and_keep_the_exact_text(hostile_db, capsys, monkeypatch, argv):
    code, out, err = run(capsys, monkeypatch, hostile_db, argv)
    assert code == 0, err
    assert forbidden_in(out) == [] and forbidden_in(err) == []
    assert out.count("\n") == 1
    rows = json.loads(out)
    assert isinstance(rows, list) and rows
    seen = {v for row in rows for v in row.values() if isinstance(v, str)}
    seen |= {v for row in rows for value in row.values() if isinstance(value, list) for v in value
             if isinstance(v, str)}
    if argv[0] in ("messages", "alarms", "register"):
        assert set(HOSTILE.values()) <= seen  # nothing lost or altered for a program
    if argv[0] == "staff":
        assert {f"{i} {t}" for i, t in enumerate(HOSTILE.values())} <= seen
    if argv[0] == "board":
        assert rows[0]["label"] == HOSTILE["osc-title"] + HOSTILE["bidi-rlo"]


@pytest.mark.parametrize("key", list(HOSTILE))
def test_the_sanitisers_leave_nothing_a_terminal_obeys(key):
    text = HOSTILE[key]
    assert forbidden_in(terminal_line(text)) == []
    assert "\n" not in terminal_line(text)
    encoded = json_safe(json.dumps({"t": text}, ensure_ascii=False))
    assert forbidden_in(encoded) == [] and json.loads(encoded) == {"t": text}
