"""Issue 18, tiers, through the CLI with KIOSK_NOW as an outside run drives it: `staff add --tier`,
`staff edit --tier`, `staff list --json`, `kiosk tick` climbing by the clock, `alarms --json` 'alerted'."""

from __future__ import annotations

import json

from tests.cli.test_cli_issue14_alerts import ANN, DAVE, HELEN, LEE, alarms, kiosk, sms, texts_to  # noqa: F401


def _school(kiosk):  # noqa: F811
    for args in (["--name", "Ann Lee", "--mobile", ANN, "--code-word", "bluebird"],
                 ["--name", "Helen Head", "--mobile", HELEN, "--alerts", "--tier", "3"],
                 ["--name", "Dave Deputy", "--mobile", DAVE, "--alerts", "--approver"],
                 ["--name", "Lee Lead", "--mobile", LEE, "--alerts", "--tier", "2"]):
        assert kiosk("staff", "add", *args)[0] == 0
    return kiosk


def test_tier_on_add_edit_and_list_and_bad_tiers_change_nothing(kiosk):  # noqa: F811
    code, out, _ = kiosk("staff", "add", "--name", "Lee Lead", "--mobile", LEE, "--alerts", "--tier", "2")
    assert (code, out) == (0, "staff 1: Lee Lead +447700900202 (receives alerts, tier 2)\n")
    assert kiosk("staff", "add", "--name", "Dave Deputy", "--mobile", DAVE, "--alerts")[0] == 0
    assert [(r["name"], r["tier"]) for r in json.loads(kiosk("staff", "list", "--json")[1])] == [
        ("Dave Deputy", 1), ("Lee Lead", 2)]
    for bad in ("0", "10", "two", "", "1.5", "-1"):
        code, out, err = kiosk("staff", "edit", "Lee Lead", "--tier", bad, "--no-approver")
        assert code == 2 and out == "" and "tier" in err and err.count("\n") == 1, (bad, err)
        code, out, err = kiosk("staff", "add", "--name", "Zed", "--mobile", "07700 900299", "--alerts", "--tier", bad)
        assert code == 2 and "tier" in err, bad
    assert kiosk("staff", "edit", "dave deputy", "--tier", "3") == (0, "staff 2: Dave Deputy alert tier 3\n", "")
    assert [(r["name"], r["tier"]) for r in json.loads(kiosk("staff", "list", "--json")[1])] == [
        ("Dave Deputy", 3), ("Lee Lead", 2)]


def test_a_red_climbs_a_tier_each_tier_minutes_and_alarms_json_says_who_was_told(kiosk):  # noqa: F811
    school = _school(kiosk)
    assert school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd, Luton LU4 9AB", "--due", "14:30",
                  "--approved-by", "DD")[0] == 0
    assert school("tick", at="14:30")[1] == "alarm 1 raised\n"
    assert school("tick", at="14:45")[1] == "alarm 2 raised\n"
    assert [len(texts_to(school, n)) for n in (DAVE, LEE, HELEN)] == [1, 0, 0], "tier 1 only"
    assert school("tick", at="14:49")[1] == ""
    assert school("tick", at="14:50")[1] == "alarm 2: nobody has taken charge, next tier told\n"
    assert school("tick", at="14:50")[1] == "", "run again at once: nobody told twice"
    assert [len(texts_to(school, n)) for n in (DAVE, LEE, HELEN)] == [1, 1, 0]
    red = alarms(school)[1]
    assert red["alert_tier"] == 2
    assert [(a["who"], a["tier"], a["how"], a["at"]) for a in red["alerted"]] == [
        ("Dave Deputy", 1, "sms", "2026-11-24T14:45:00+00:00"), ("Lee Lead", 2, "sms", "2026-11-24T14:50:00+00:00")]
    sms(school, LEE, "ACK 2", at="14:52")
    assert school("tick", at="15:30")[1].count("next tier") == 0, "ACK stopped the climb"
    assert texts_to(school, HELEN) == []
    assert "Lee Lead" in texts_to(school, DAVE)[-1]


def test_sos_texts_every_tier_at_once(kiosk):  # noqa: F811
    school = _school(kiosk)
    sms(school, ANN, "SOS", at="14:10")
    assert [len(texts_to(school, n)) for n in (DAVE, LEE, HELEN)] == [1, 1, 1]
    assert alarms(school)[0]["alert_tier"] == 3
