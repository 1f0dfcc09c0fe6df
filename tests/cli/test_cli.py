"""The CLI contract of issue 2: exit codes, one-line errors, --json shapes, KIOSK_NOW, --db anywhere.

Most cases run `kiosk.cli.main` in-process (fast); a few run the real `python -m kiosk` to prove
the contract holds as users call it.
"""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from kiosk.cli import main
from tests.conftest import run_kiosk

NOW = "2026-11-24T14:00:00+00:00"
INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


@pytest.fixture
def kiosk(db_path, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_CONFIG", "/dev/null")
    monkeypatch.setenv("KIOSK_NOW", NOW)

    def run(*args: str, now: str | None = None):
        if now:
            monkeypatch.setenv("KIOSK_NOW", now)
        code = main(["--db", str(db_path), *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


def dump(path) -> list:
    """Every row of every table: "nothing written" means this does not change."""
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return [(t, conn.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables]
    finally:
        conn.close()


@pytest.fixture
def school(kiosk):
    assert kiosk("staff", "add", "--name", "Ann Lee", "--mobile", "07700 900123", "--code-word", "bluebird",
                 "--vehicle", "ab12 cde")[0] == 0
    assert kiosk("staff", "add", "--name", "Bob Cole", "--mobile", "+44 7700 900124", "--code-word", "kestrel")[0] == 0
    assert kiosk("staff", "add", "--name", "Hana Head", "--mobile", "447700900200", "--alerts", "--role", "head",
                 "--approver")[0] == 0
    return kiosk


def test_staff_list_json_never_shows_the_code_word(school):
    code, out, err = school("staff", "list", "--json")
    rows = json.loads(out)
    assert code == 0 and err == ""
    assert rows[0] == {"id": 1, "name": "Ann Lee", "mobile": "+447700900123", "role": "", "alerts": False,
                       "active": True, "has_code_word": True, "approver": False, "tier": 1}
    assert "bluebird" not in out
    assert [r["alerts"] for r in rows] == [False, False, True]


@pytest.mark.parametrize("args, message", [
    (["staff", "add", "--name", "X", "--mobile", "07700900123"], "duplicate mobile"),
    (["staff", "add", "--name", "X", "--mobile", "banana"], "mobile"),
    (["staff", "add", "--name", "X", "--mobile", "07700900300", "--code-word", "ok"], "code word"),
    (["staff", "add", "--name", "X", "--mobile", "07700900300", "--code-word", "password"], "too common"),
    (["staff", "add", "--mobile", "07700900300"], "--name"),
    (["visit", "back", "99"], "no visit 99"),
    (["visit", "back", "abc"], "invalid int"),
    (["ack", "99", "--by", "RC", "--action", "answered"], "no alarm 99"),
    (["ack", "1", "--by", "RC", "--action", "shrug"], "invalid choice"),
    (["visit", "out", "--staff", "Nobody", "--place", "x", "--due", "15:30"], "no member of staff"),
    (["visit", "out", "--staff", "Ann Lee", "--place", "x", "--due", "13:00"], "already passed"),
    (["visit", "out", "--staff", "Ann Lee", "--place", "x", "--due", "soon"], "--due"),
    (["visit", "out", "--staff", "Ann Lee", "--place", "x", "--due", "+99999"], "--due"),
    (["sms-in", "--from", "", "OK"], "--from"),
    (["frobnicate"], "invalid choice"),
])
def test_usage_and_validation_errors_exit_2_with_one_line_and_write_nothing(school, db_path, args, message):
    before = dump(db_path)
    code, out, err = school(*args)
    assert code == 2, err
    assert message in err and err.count("\n") == 1 and out == ""
    assert dump(db_path) == before


def test_a_lone_visit_to_a_flagged_place_exits_1(school):
    assert school("register", "add", "--postcode", "LU4 9AB", "--reason", "dog")[0] == 0
    code, out, err = school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd LU4 9AB", "--due", "15:30")
    assert code == 1 and err.startswith("kiosk: refused: don't visit alone: dog")
    assert json.loads(school("board", "--json")[1]) == []
    code, out, err = school("visit", "out", "--staff", "Ann Lee", "--staff", "Bob Cole", "--place",
                            "14 Elm Rd LU4 9AB", "--due", "15:30")
    assert code == 0 and "on the register: dog" in err


@pytest.mark.parametrize("due,shown", [("+20", "14:20"), ("+5", "14:05"), ("+1", "14:01"), ("+12", "14:12")])
def test_due_plus_minutes_is_that_many_minutes_from_now(school, due, shown):
    """`--due +20` at 14:00 said "more than 4 hours" (read as 20:00); `+1` meant 15:00."""
    code, out, err = school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd, Luton LU4 9AB",
                            "--due", due, "--approved-by", "HH")
    assert (code, out) == (0, f"visit 1 out: Visit 1 · LU4, due back {shown}\n")


def test_due_plus_zero_says_minutes_above_zero(school):
    code, out, err = school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd", "--due", "+0")
    assert code == 2 and "above 0" in err and err.count("\n") == 1


def test_a_refused_code_word_is_named_once(school):
    """Found trying `kiosk staff add --code-word OK`: "code word: code word must have at least 4 letters"."""
    code, out, err = school("staff", "add", "--name", "Zoe", "--mobile", "07700 900130", "--code-word", "OK")
    assert (code, out) == (2, "") and err == "kiosk: code word must have at least 4 letters\n"


def test_the_ladder_through_the_cli(school):
    assert school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd, Luton LU4 9AB", "--due", "+30",
                  "--approved-by", "HH")[0] == 0
    board = json.loads(school("board", "--json")[1])
    assert board == [{"id": 1, "staff": ["Ann Lee"], "label": "Visit 1 · LU4", "state": "out", "level": "ok",
                      "due_back": "2026-11-24T14:30:00+00:00", "last_contact": None, "alarms": [], "approved": True,
                      "approved_by": "Hana Head", "approved_at": "2026-11-24T14:00:00+00:00"}]
    assert school("tick", now="2026-11-24T14:30:00+00:00")[1] == "alarm 1 raised\n"
    assert school("tick")[1] == ""
    assert school("tick", now="2026-11-24T14:45:00+00:00")[1] == "alarm 2 raised\n"
    alarms = json.loads(school("alarms", "--json")[1])
    assert [(a["id"], a["kind"], a["level"], a["resolved_at"]) for a in alarms] == [
        (2, "no-reply", "red", None), (1, "overdue", "amber", None)]
    assert all(INSTANT.match(a["raised_at"]) for a in alarms)
    assert set(alarms[0]) == {"id", "visit", "kind", "level", "raised_at", "owner", "acknowledged_by", "action",
                              "resolved_at", "history", "deliveries", "alert_tier", "alerted"}
    assert alarms[0]["history"] == []
    assert {d["state"] for d in alarms[0]["deliveries"]} <= {"queued"}  # its alert texts (issue 17)
    code, out, _ = school("sms-in", "--from", "07700 900200", "ACK", "2")
    assert out == "You have alarm 2. The others are told. Record the outcome at the kiosk.\n"
    assert json.loads(school("alarms", "--json")[1])[0]["owner"] == "Hana Head"
    code, out, err = school("ack", "2", "--by", "RC", "--action", "police", "--ref", "CAD 77")
    assert (code, out) == (0, "alarm 2 police by RC: still open\n")
    code, out, _ = school("sms-in", "--from", "07700900123", "--", "BACK")
    assert "alarm is still open" in out
    assert school("visit", "back", "1")[0] == 1
    assert school("ack", "2", "--by", "RC", "--action", "stood-down")[0] == 0
    assert school("visit", "back", "1")[0] == 1  # the BACK held under red closed it once red was resolved
    assert json.loads(school("board", "--json")[1]) == []
    messages = json.loads(school("messages", "--json")[1])
    assert set(messages[0]) == {"id", "direction", "number", "text", "state", "at", "visit"}
    assert {m["direction"] for m in messages} == {"in", "out"}


def test_unregistered_sender_exits_0_and_prints_nothing(school):
    code, out, err = school("sms-in", "--from", "07700 900555", "BACK")
    assert (code, out) == (0, "")
    assert json.loads(school("messages", "--json")[1])[0]["state"] == "ignored"


def test_checkin_and_duress_by_phone(school):
    school("visit", "out", "--staff", "Ann Lee", "--place", "1 Road", "--due", "15:30", "--every", "20")
    code, out, _ = school("visit", "checkin", "1", "--by", "RC", now="2026-11-24T14:10:00+00:00")
    assert code == 0 and "check-in recorded" in out
    assert json.loads(school("board", "--json")[1])[0]["last_contact"] == "2026-11-24T14:10:00+00:00"
    code, out, _ = school("visit", "duress", "1", "--by", "RC")
    assert code == 0 and out.startswith("RED duress alarm 1")
    assert json.loads(school("board", "--json")[1])[0]["level"] == "red"
    assert school("visit", "extend", "1", "--minutes", "30", "--by", "RC")[1] == "visit 1 due back 16:00\n"
    assert school("visit", "approve", "1", "--by", "HH")[0] == 0
    assert json.loads(school("board", "--json")[1])[0]["approved"] is True


def test_no_alert_receiver_is_said_loudly(kiosk):
    assert kiosk("init")[0] == 0
    code, out, err = kiosk("board", "--json")
    assert code == 0 and json.loads(out) == []
    assert "NO ALERT RECEIVER" in err


def test_real_cli_fresh_database_options_anywhere_and_kiosk_now(tmp_path):
    db = str(tmp_path / "new" / "kiosk.db")
    env = {"KIOSK_NOW": NOW}
    add = run_kiosk("--db", db, "staff", "add", "--name", "Ann Lee", "--mobile", "07700 900123",
                    "--code-word", "bluebird", env=env)
    assert add.returncode == 0, add.stderr
    out = run_kiosk("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd", "--due", "15:30", "--db", db, env=env)
    assert out.returncode == 0, out.stderr
    reply = run_kiosk("sms-in", "--db", db, "--from", "07700 900123", "Back", "in", "20", env=env)
    assert (reply.returncode, reply.stdout) == (0, "Due back now 14:20 (was 15:30).\n")
    board = run_kiosk("board", "--json", "--db", db, env=env)
    assert json.loads(board.stdout)[0]["due_back"] == "2026-11-24T14:20:00+00:00"
    assert "NO ALERT RECEIVER" in board.stderr
    bad = run_kiosk("board", "--db", db, env={"KIOSK_NOW": "2026-11-24T15:45:00"})
    assert bad.returncode == 2 and "offset" in bad.stderr


def test_config_prints_the_file_and_effective_values(tmp_path):
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text('[ladder]\nreply_window_minutes = 20\n')
    shown = run_kiosk("config", "--config", str(cfg))
    assert shown.returncode == 0
    assert f"# config file: {cfg}" in shown.stdout and "reply_window_minutes = 20" in shown.stdout
    cfg.write_text('[ladder]\nreply_window_minutes = "soon"\n')
    bad = run_kiosk("config", "--config", str(cfg))
    assert bad.returncode == 2 and "ladder.reply_window_minutes" in bad.stderr
