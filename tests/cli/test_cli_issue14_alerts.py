"""Issue 14, items 3, 4, 6, 8 and 14 through the CLI with KIOSK_NOW: `kiosk sms-in`, `kiosk tick`,
`kiosk ack`, `kiosk alarms --json`, `kiosk export`, as an outside acceptance run drives them."""

from __future__ import annotations

import json

import pytest

from kiosk.cli import main

DAY = "2026-11-24"  # a Tuesday, GMT
ANN, HELEN, DAVE, LEE = "07700 900123", "07700 900200", "07700 900201", "07700 900202"


@pytest.fixture
def kiosk(db_path, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_CONFIG", "/dev/null")

    def run(*args: str, at: str = "14:00"):
        monkeypatch.setenv("KIOSK_NOW", f"{DAY}T{at}:00+00:00" if len(at) == 5 else at)
        code = main(["--db", str(db_path), *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


@pytest.fixture
def school(kiosk):
    for args in (["--name", "Ann Lee", "--mobile", ANN, "--code-word", "bluebird"],
                 ["--name", "Helen Head", "--mobile", HELEN, "--alerts", "--code-word", "kestrel"],
                 ["--name", "Dave Deputy", "--mobile", DAVE, "--alerts", "--approver"],
                 ["--name", "Lee Lead", "--mobile", LEE, "--alerts"]):
        assert kiosk("staff", "add", *args)[0] == 0
    return kiosk


def sms(school, number: str, text: str, at: str) -> str:
    code, out, err = school("sms-in", "--from", number, *text.split(), at=at)
    assert code == 0, err
    return out.strip()


def alarms(school, at: str = "23:59") -> list[dict]:
    code, out, _ = school("alarms", "--json", at=at)
    assert code == 0
    return sorted(json.loads(out), key=lambda a: a["id"])


def texts_to(school, number: str) -> list[str]:
    code, out, _ = school("messages", "--json", "--limit", "1000", at="23:59")
    e164 = "+44" + number.replace(" ", "")[1:]
    return [m["text"] for m in sorted(json.loads(out), key=lambda m: m["id"])
            if m["direction"] == "out" and m["number"] == e164]


# --- item 3 -------------------------------------------------------------------------------------

def _out_with_helen(school, due="15:30"):
    code, out, err = school("visit", "out", "--staff", "Ann Lee", "--staff", "Helen Head", "--place",
                            "14 Elm Rd, Luton", "--due", due, "--approved-by", "Dave Deputy")
    assert code == 0, err


@pytest.mark.parametrize("kind", ["duress", "sos", "no-reply"])
def test_item3_cli_helens_ack_from_the_visit_takes_nothing(school, kind):
    _out_with_helen(school, due="14:30" if kind == "no-reply" else "15:30")
    if kind == "duress":
        sms(school, ANN, "OK bluebird", "14:05")
    elif kind == "sos":
        assert "Alarm raised" in sms(school, HELEN, "SOS", "14:05")
    else:
        assert school("tick", at="14:30")[0] == 0
        assert school("tick", at="14:45")[1] == "alarm 2 raised\n"
    red = [a for a in alarms(school) if a["kind"] == kind][0]
    answer = sms(school, HELEN, f"ACK {red['id']}", "14:50")
    assert answer.startswith("Thanks, noted") and "alarm" not in answer.lower()
    assert [a["owner"] for a in alarms(school) if a["id"] == red["id"]] == [None]
    assert all("taken charge" not in t for t in texts_to(school, DAVE))  # nobody told she has it
    code, out, _ = school("tick", at="15:10")
    assert f"alarm {red['id']} alert repeated" in out  # the repeats go on


# --- item 4 -------------------------------------------------------------------------------------

def test_item4_cli_a_second_ack_is_told_who_has_it(school):
    assert school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd", "--due", "15:30", at="14:00")[0] == 0
    assert school("visit", "duress", "1", "--by", "RC", at="14:20")[0] == 0
    assert sms(school, DAVE, "ACK 1", "14:23").startswith("You have alarm 1.")
    assert sms(school, LEE, "ACK 1", "14:30") == "Alarm 1 is already with Dave Deputy (since 14:23). Nothing changed."
    assert alarms(school)[0]["owner"] == "Dave Deputy"
    assert not any("Lee Lead" in t for t in texts_to(school, DAVE))


# --- item 8 -------------------------------------------------------------------------------------

def board(school, at: str) -> dict:
    code, out, _ = school("board", "--json", at=at)
    assert code == 0
    return json.loads(out)[0]


def test_item8_cli_visit_extend_is_not_contact_visit_checkin_is(school):
    assert school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd", "--due", "14:30", at="14:00")[0] == 0
    sms(school, ANN, "bluebird", "14:05")  # a code word: nothing applied, no contact
    code, out, err = school("visit", "extend", "1", "--minutes", "30", "--by", "RC", at="14:10")
    assert code == 0, err
    row = board(school, "14:11")
    assert (row["last_contact"], row["due_back"]) == (None, f"{DAY}T15:00:00+00:00")
    assert school("visit", "checkin", "1", "--by", "RC", at="14:20")[0] == 0
    assert board(school, "14:21")["last_contact"] == f"{DAY}T14:20:00+00:00"


# --- item 14 ------------------------------------------------------------------------------------

def test_item14_cli_every_action_in_alarms_json_export_and_report(school):
    assert school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd", "--due", "15:30", at="14:00")[0] == 0
    assert school("visit", "duress", "1", "--by", "RC", at="14:01")[0] == 0
    sms(school, DAVE, "ACK 1", "14:02")
    assert school("ack", "1", "--by", "RC", "--action", "no-answer", at="14:05")[0] == 0
    assert school("ack", "1", "--by", "HH", "--action", "police", "--ref", "CAD 1234", at="14:10")[0] == 0
    code, out, err = school("ack", "1", "--by", "RC", "--action", "answered", "--note", "spoke to her", at="14:30")
    assert (code, out) == (0, "alarm 1 answered by RC: resolved\n"), err
    history = [(s["at"], s["by"], s["action"], s["police_ref"], s["note"]) for s in alarms(school)[0]["history"]]
    assert history == [(f"{DAY}T14:02:00+00:00", "Dave Deputy", "took-charge", None, None),
                       (f"{DAY}T14:05:00+00:00", "RC", "no-answer", None, None),
                       (f"{DAY}T14:10:00+00:00", "HH", "police", "CAD 1234", None),
                       (f"{DAY}T14:30:00+00:00", "RC", "answered", None, "spoke to her")]
    code, out, _ = school("export", "--from", DAY, "--to", DAY, "--format", "json", at="15:00")
    steps = json.loads(out)[0]["alarms"][0]["history"]
    assert [(s["at_local"][-5:], s["action"], s["by"]) for s in steps] == [
        ("14:02", "took-charge", "Dave Deputy"), ("14:05", "no-answer", "RC"), ("14:10", "police", "HH"),
        ("14:30", "answered", "RC")]
    code, out, _ = school("export", "--from", DAY, "--to", DAY, "--format", "csv", at="15:00")
    assert code == 0
    assert out.index("14:05 no-answer by RC") < out.index("14:10 police by HH, police ref CAD 1234") \
        < out.index("14:30 answered by RC, note: spoke to her")
    code, out, _ = school("visit", "report", "1", at="15:00")
    assert "    2026-11-24 14:05 no-answer by RC\n    2026-11-24 14:10 police by HH, police ref CAD 1234\n" in out


# --- issue 17, section 4: alert delivery -------------------------------------------------------

def test_alarms_json_lists_each_alert_texts_delivery(school, db_path):
    from kiosk.services import delivery, outbox
    from kiosk.services.context import Context
    from kiosk.clock import FakeClock
    from kiosk.config import Config
    from kiosk.store import open_database
    from kiosk.store.models import Message

    sms(school, ANN, "SOS", at="14:10")
    (alarm,) = alarms(school)
    assert {d["to"] for d in alarm["deliveries"]} == {"Helen Head", "Dave Deputy", "Lee Lead"}
    assert {d["state"] for d in alarm["deliveries"]} == {"queued"}
    db = open_database(db_path)
    ctx = Context(Config(), FakeClock(f"{DAY}T14:11:00+00:00"))
    for ref, msg in enumerate(Message.select().where(Message.kind == "alert").order_by(Message.id)):
        outbox.mark_sending(ctx, msg.id)
        outbox.mark_sent(ctx, msg.id, ref)
    ctx = Context(Config(), FakeClock(f"{DAY}T14:12:00+00:00"))
    delivery.mark_delivered_by_ref(ctx, 1, ok=True)  # the report for Dave's text
    db.close()
    by_name = {d["to"]: d for d in alarms(school)[0]["deliveries"]}
    assert by_name["Dave Deputy"]["state"] == "delivered"
    assert by_name["Dave Deputy"]["delivered_at"] == f"{DAY}T14:12:00+00:00"
    assert by_name["Helen Head"]["state"] == "sent" and by_name["Helen Head"]["delivered_at"] is None


# --- item 6 -------------------------------------------------------------------------------------

def alerts_to_dave(school) -> list[str]:
    return [t for t in texts_to(school, DAVE) if "KIOSK" in t]


def test_item6_cli_missed_check_in_red_says_which_check_in_not_overdue(school):
    assert school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd", "--due", "17:00", "--every", "20",
                  at="14:00")[0] == 0
    assert school("tick", at="14:25")[1] == "alarm 1 raised\n"
    assert school("tick", at="14:40")[1] == "alarm 2 raised\n"
    (text,) = alerts_to_dave(school)
    assert ("KIOSK RED alarm 2: Ann Lee no reply since the check-in due 14:20 was missed, no contact since leaving "
            "14:00 (40 min).") in text
    assert "overdue" not in text


def test_item6_cli_back_under_red_is_held_named_in_the_repeat_and_closes_on_resolve(school):
    assert school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd", "--due", "14:30", at="14:00")[0] == 0
    school("tick", at="14:30")
    assert school("tick", at="14:45")[1] == "alarm 2 raised\n"
    assert sms(school, ANN, "BACK", "14:52").startswith("Back noted 14:52. An alarm is still open")
    assert school("tick", at="14:55")[1] == "alarm 2 alert repeated\n"
    assert ("REPEAT KIOSK RED alarm 2: Ann Lee no reply, 25 min overdue (due 14:30). Ring them; call 999 if "
            "concerned. Ann Lee texted BACK at 14:52: ring to confirm.") in alerts_to_dave(school)[-1]
    for at in ("15:05", "15:15", "15:25", "15:35", "15:45"):
        assert "raised" not in school("tick", at=at)[1]
    assert len([t for t in texts_to(school, ANN) if t.startswith("You were due back")]) == 1  # only the first
    assert board(school, "15:46")["state"] == "out"
    code, out, err = school("ack", "2", "--by", "RC", "--action", "answered", at="15:50")
    assert (code, out) == (0, "alarm 2 answered by RC: resolved\n"), err
    code, out, _ = school("board", "--json", at="15:51")
    assert json.loads(out) == []


def test_item6_cli_duress_repeat_keeps_the_time_it_happened(school):
    assert school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd", "--due", "16:00", at="14:00")[0] == 0
    sms(school, ANN, "OK bluebird", "14:40")
    assert school("tick", at="14:51")[1] == "alarm 1 alert repeated\n"
    first, repeat = alerts_to_dave(school)
    assert "DURESS code word from Ann Lee 14:40." in first and "DURESS code word from Ann Lee 14:40." in repeat
    assert "14:51" not in repeat


def test_item6_cli_end_of_day_text_names_the_configured_end(school):
    assert school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd", "--due", "18:00", at="14:00")[0] == 0
    assert school("tick", at="17:45")[1] == "end-of-day report queued\n"
    assert texts_to(school, DAVE)[-1].startswith("KIOSK office closing 17:30: 1 visit still open")


def test_item6_cli_the_repeated_autumn_hour_says_bst_then_gmt(school):
    assert school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd", "--due", "+120",
                  at="2026-10-25T00:30:00+00:00")[0] == 0
    sms(school, ANN, "bluebird", "2026-10-25T00:40:00+00:00")  # 01:40 BST
    assert school("tick", at="2026-10-25T01:00:00+00:00")[1] == "alarm 1 alert repeated\n"  # 01:00 GMT
    assert all("DURESS code word from Ann Lee 01:40 BST." in t for t in alerts_to_dave(school))
