"""Issue 14, items 1, 2, 5 and 7, through the CLI with KIOSK_NOW: `kiosk sms-in --from N TEXT`,
then what `board|alarms|messages --json` say. Most steps run `kiosk.cli.main` in-process (fast);
each item also runs the real `python -m kiosk` once, as the outside acceptance run does."""

from __future__ import annotations

import json

import pytest

from kiosk.cli import main
from tests.conftest import run_kiosk

NOW = "2026-11-24T14:00:00+00:00"
ANN, STRANGER = "07700 900123", "07700 900999"


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


@pytest.fixture
def school(kiosk):
    for args in (["--name", "Ann Lee", "--mobile", ANN, "--code-word", "bluebird"],
                 ["--name", "Bob Cole", "--mobile", "07700 900124", "--code-word", "kestrel"],
                 ["--name", "Hana Head", "--mobile", "07700 900200", "--alerts", "--role", "head",
                  "--approver"]):
        assert kiosk("staff", "add", *args)[0] == 0
    return kiosk


def real(db_path, *args: str, now: str = NOW):
    """The real `python -m kiosk`, as a user (or the acceptance run) calls it."""
    done = run_kiosk("--db", str(db_path), *args, env={"KIOSK_NOW": now})
    assert done.returncode == 0, done.stderr
    return done.stdout


def as_json(school, what: str):
    code, out, _ = school(what, "--json")
    assert code == 0
    return json.loads(out)


def out_with_amber(school):
    """Ann out until 14:30, then overdue at 14:30: amber alarm 1 open."""
    assert school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd, Luton LU4 9AB", "--due", "14:30",
                  "--approved-by", "HH")[0] == 0
    assert school("tick", now="2026-11-24T14:30:00+00:00")[1] == "alarm 1 raised\n"


# --- item 2 --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["B-L-U-E-B-I-R-D", "b l u e b i r d", "K.E.S.T.R.E.L", "bluebirds",
                                  "xbluebirdx"])
def test_item2_cli_any_spelling_of_a_code_word_is_duress_and_never_stored(school, text):
    out_with_amber(school)
    code, out, _ = school("sms-in", "--from", ANN, text, now="2026-11-24T14:31:00+00:00")
    # the reply the text would have got without the code word, but nothing is applied
    assert code == 0 and out == "Thanks, noted - now due back 14:46. Text ? for commands.\n"
    alarms = as_json(school, "alarms")
    assert [(a["kind"], a["level"], a["resolved_at"]) for a in alarms] == [
        ("duress", "red", None), ("overdue", "amber", None)]  # the amber is not cleared as contact
    stored = [m["text"] for m in as_json(school, "messages") if m["direction"] == "in"]
    assert stored == ["[code word]"]
    assert as_json(school, "board")[0]["due_back"] == "2026-11-24T14:30:00+00:00"


def test_item2_cli_real_process(school, db_path):
    out_with_amber(school)
    assert real(db_path, "sms-in", "--from", ANN, "B.L.U.E.B.I.R.D", "running", "late",
                now="2026-11-24T14:31:00+00:00") == "Thanks, noted - now due back 14:46. Text ? for commands.\n"
    assert "bluebird" not in real(db_path, "messages", "--json").lower().replace("[code word]", "")
    assert [a["kind"] for a in json.loads(real(db_path, "alarms", "--json"))] == ["duress", "overdue"]


# --- item 1 --------------------------------------------------------------------------------------

OVERT = "Alarm raised 14:31. The office is calling you now. If you can, call 999.\n"


@pytest.mark.parametrize("text", ["I need help call 999", "pls help", "call the police", "emergency", "🆘",
                                  "police station car park"])
def test_item1_cli_a_plea_raises_red_sos_and_never_counts_as_contact(school, text):
    out_with_amber(school)
    code, out, _ = school("sms-in", "--from", ANN, text, now="2026-11-24T14:31:00+00:00")
    assert (code, out) == (0, OVERT)
    alarms = as_json(school, "alarms")
    assert [(a["kind"], a["level"], a["resolved_at"]) for a in alarms] == [
        ("sos", "red", None), ("overdue", "amber", None)]  # the amber stays: not contact
    board = as_json(school, "board")[0]
    assert (board["due_back"], board["last_contact"], board["level"]) == ("2026-11-24T14:30:00+00:00", None, "red")


@pytest.mark.parametrize("text", ["helpful neighbour", "she helped me"])
def test_item1_cli_helpful_and_helped_are_contact(school, text):
    out_with_amber(school)
    code, out, _ = school("sms-in", "--from", ANN, text, now="2026-11-24T14:31:00+00:00")
    assert out == "Thanks, noted - now due back 14:46. Text ? for commands.\n"
    assert [a["resolved_at"] is not None for a in as_json(school, "alarms")] == [True]


def test_item1_cli_real_process(school, db_path):
    out_with_amber(school)
    assert real(db_path, "sms-in", "--from", ANN, "OK", "call", "999", now="2026-11-24T14:31:00+00:00") == OVERT
    assert [a["kind"] for a in json.loads(real(db_path, "alarms", "--json"))] == ["sos", "overdue"]


# --- item 7 --------------------------------------------------------------------------------------

@pytest.mark.parametrize("now,text,out,due", [
    ("2026-11-24T09:05:00+00:00", "BACK AT 4", "Not accepted: 16:00 is more than 4 hours away. Nothing changed.\n",
     "2026-11-24T10:35:00+00:00"),  # morning: the observed case, read as 16:00, never '04:00 passed'
    ("2026-11-24T12:00:00+00:00", "BACK AT 4", "Due back now 16:00 (was 13:30).\n", "2026-11-24T16:00:00+00:00"),
    ("2026-11-24T12:00:00+00:00", "back at 4.30", "Not accepted: 16:30 is more than 4 hours away. Nothing changed.\n",
     "2026-11-24T13:30:00+00:00"),  # noon
    ("2026-11-24T19:00:00+00:00", "BACK AT 9", "Due back now 21:00 (was 20:30).\n", "2026-11-24T21:00:00+00:00"),
])
def test_item7_cli_a_bare_hour_is_its_next_occurrence(school, now, text, out, due):
    assert school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd", "--due", "+90",
                  "--approved-by", "HH", now=now)[0] == 0
    assert school("sms-in", "--from", ANN, text, now=now)[1] == out
    assert as_json(school, "board")[0]["due_back"] == due


def test_item7_cli_visit_out_due_5_and_out_til_5_by_text(school, db_path):
    code, out, _ = school("visit", "out", "--staff", "Bob Cole", "--place", "1 Road", "--due", "5",
                          "--approved-by", "HH", now="2026-11-24T13:30:00+00:00")
    assert code == 0 and out.endswith("due back 17:00\n")
    assert real(db_path, "sms-in", "--from", ANN, "OUT", "14", "Elm", "Rd", "til", "5",
                now="2026-11-24T13:30:00+00:00").startswith("Visit 2 started, due back 17:00.")


# --- item 5 --------------------------------------------------------------------------------------

def test_item5_cli_sos_from_an_unknown_number_raises_red_with_its_number(school, db_path):
    """Observed: 'SOS this is Alice phone died' from an unregistered number: no alarm, only a count."""
    assert real(db_path, "sms-in", "--from", STRANGER, "SOS", "this", "is", "Alice", "phone", "died") == \
        "Alarm raised 14:00. The office is calling you now. If you can, call 999.\n"
    alarms = as_json(school, "alarms")
    assert [(a["kind"], a["level"], a["visit"], a["resolved_at"]) for a in alarms] == [("sos", "red", None, None)]
    code, out, _ = school("alarms")
    assert "unknown number 07700 900999" in out
    sent = [m for m in as_json(school, "messages") if m["direction"] == "out"]
    assert [m["number"] for m in sent if m["text"].startswith("KIOSK RED")] == ["+447700900200"]
    assert all("07700 900999" in m["text"] for m in sent if m["text"].startswith("KIOSK RED"))


def test_item5_cli_a_code_word_from_an_unknown_number_is_duress_with_no_reply(school):
    code, out, err = school("sms-in", "--from", STRANGER, "its", "Bob", "K.E.S.T.R.E.L")
    assert (code, out) == (0, "")
    assert [(a["kind"], a["level"]) for a in as_json(school, "alarms")] == [("duress", "red")]
    stored = [m for m in as_json(school, "messages") if m["direction"] == "in"]
    assert [(m["text"], m["state"]) for m in stored] == [("its Bob [code word]", "processed")]


@pytest.mark.parametrize("text", ["BACK", "OK", "ACK 1", "hello"])
def test_item5_cli_anything_else_from_an_unknown_number_stays_ignored(school, text):
    assert school("sms-in", "--from", STRANGER, text)[:2] == (0, "")
    assert as_json(school, "alarms") == []
    assert school("board")[1].endswith("1 text(s) from unregistered numbers ignored\n")


def test_item5_cli_three_red_alarms_an_hour_from_one_unknown_number_then_nothing_new(school):
    for minute in (1, 2, 3):
        out = school("sms-in", "--from", STRANGER, "help", now=f"2026-11-24T14:0{minute}:00+00:00")[1]
        assert out.startswith("Alarm raised")
    assert school("sms-in", "--from", STRANGER, "help", now="2026-11-24T14:04:00+00:00")[1] == ""
    assert len(as_json(school, "alarms")) == 3
    assert [m["state"] for m in as_json(school, "messages") if m["direction"] == "in"][0] == "ignored"
    assert school("sms-in", "--from", STRANGER, "help", now="2026-11-24T15:01:30+00:00")[1].startswith("Alarm raised")
