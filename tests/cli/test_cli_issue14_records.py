"""Issue 14, items 11-13, through the CLI with KIOSK_NOW: approval, the register's addresses, the car."""

from __future__ import annotations

import json

import pytest

from kiosk.cli import main

NOW = "2026-11-24T14:00:00+00:00"


@pytest.fixture
def kiosk(db_path, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_CONFIG", "/dev/null")
    monkeypatch.setenv("KIOSK_NOW", NOW)

    def run(*args: str, config: str | None = None):
        if config is not None:
            path = tmp_path / "kiosk.toml"
            path.write_text(config)
            monkeypatch.setenv("KIOSK_CONFIG", str(path))
        code = main(["--db", str(db_path), *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


@pytest.fixture
def school(kiosk):
    for args in (["--name", "Ann Lee", "--mobile", "07700 900123", "--code-word", "bluebird",
                  "--vehicle", "ab12 cde", "--vehicle-make", "Ford Fiesta", "--vehicle-colour", "blue"],
                 ["--name", "Bob Cole", "--mobile", "07700 900124", "--code-word", "kestrel"],
                 ["--name", "Hana Head", "--mobile", "07700 900200", "--alerts", "--role", "head", "--approver"]):
        assert kiosk("staff", "add", *args)[0] == 0
    return kiosk


def board(school) -> list[dict]:
    code, out, _ = school("board", "--json")
    assert code == 0
    return json.loads(out)


# --- item 12 -----------------------------------------------------------------------------------

def test_item12_cli_the_observed_case_is_refused_and_a_near_match_warns(school):
    assert school("register", "add", "--address", "22 Oak Lane, Luton", "--reason", "violent resident",
                  "--prohibited")[0] == 0
    code, out, err = school("visit", "out", "--staff", "Ann Lee", "--staff", "Bob Cole", "--place", "22 Oak Ln, Luton",
                            "--due", "15:30")
    assert (code, out) == (1, "") and err == "kiosk: refused: prohibited place on the register: violent resident\n"
    assert board(school) == []
    code, out, err = school("visit", "out", "--staff", "Ann Lee", "--staff", "Bob Cole", "--place",
                            "22 Oak Ln, Dunstable", "--due", "15:30")
    assert code == 0 and out.startswith("visit 1 out")
    assert err == ("kiosk: warning: check the address: 22 Oak Lane, Luton is a prohibited place (violent resident); "
                   "this one has the same number and street\n")


# --- item 13 -----------------------------------------------------------------------------------

def _alerts(school) -> list[str]:
    code, out, _ = school("messages", "--json")
    return [m["text"] for m in json.loads(out) if m["direction"] == "out" and "alarm" in m["text"]]


def test_item13_cli_a_visit_car_keeps_make_and_colour_in_alert_report_and_export(school):
    code, out, err = school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd, Luton LU4 9AB", "--due",
                            "15:30", "--vehicle", "HX70 AAA", "--vehicle-make", "Vauxhall Corsa",
                            "--vehicle-colour", "white")
    assert code == 0, err
    assert school("visit", "duress", "1", "--by", "RC")[0] == 0
    assert _alerts(school) and all("Car HX70 AAA white Vauxhall Corsa." in t for t in _alerts(school))
    code, out, _ = school("visit", "report", "1")
    assert code == 0 and "Vehicle:              HX70 AAA white Vauxhall Corsa\n" in out
    code, out, _ = school("export", "--from", "2026-11-24", "--to", "2026-11-24", "--format", "json")
    record = json.loads(out)[0]
    assert (record["vehicle_reg"], record["vehicle_make"], record["vehicle_colour"], record["vehicle_owner"]) == (
        "HX70 AAA", "Vauxhall Corsa", "white", "")


def test_item13_cli_the_members_own_car_is_never_a_blank_vehicle(school):
    assert school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd, Luton LU4 9AB", "--due", "15:30")[0] == 0
    assert school("visit", "duress", "1", "--by", "RC")[0] == 0
    assert all("Car AB12 CDE blue Ford Fiesta." in t for t in _alerts(school))
    code, out, _ = school("visit", "report", "1")
    assert "Vehicle:              AB12 CDE blue Ford Fiesta (Ann Lee's own car)\n" in out
    code, out, _ = school("export", "--from", "2026-11-24", "--to", "2026-11-24")
    header, row = out.splitlines()[:2]
    assert "vehicle,vehicle_reg,vehicle_make,vehicle_colour,vehicle_owner" in header
    assert "AB12 CDE blue Ford Fiesta,AB12 CDE,Ford Fiesta,blue,Ann Lee" in row


def test_item13_cli_garbage_car_details_exit_2_with_one_line(school):
    code, out, err = school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd", "--due", "15:30",
                            "--vehicle-colour", "x" * 200)
    assert (code, out) == (2, "") and err == "kiosk: the vehicle colour is too long: 200 characters, at most 80\n"
    assert board(school) == []


# --- item 11 -----------------------------------------------------------------------------------

OUT = ["visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd, Luton LU4 9AB", "--due", "15:30"]


def test_item11_cli_approvers_are_marked_with_staff_add_and_edit(school):
    code, out, _ = school("staff", "add", "--name", "Dee Lead", "--mobile", "07700 900201", "--alerts", "--approver")
    assert (code, out) == (0, "staff 4: Dee Lead +447700900201 (receives alerts, approver)\n")
    assert school("staff", "edit", "Hana Head", "--approver") == (0, "staff 3: Hana Head may approve visits\n", "")
    assert school("staff", "edit", "dee lead", "--no-approver")[1] == "staff 4: Dee Lead may not approve visits\n"
    rows = json.loads(school("staff", "list", "--json")[1])
    assert {r["name"]: r["approver"] for r in rows} == {"Ann Lee": False, "Bob Cole": False, "Dee Lead": False,
                                                        "Hana Head": True}
    code, out, err = school("staff", "edit", "Nobody", "--approver")
    assert (code, out) == (2, "") and err.count("\n") == 1 and "no member of staff" in err
    code, out, err = school("staff", "edit", "Hana Head")  # say which: --approver or --no-approver
    assert code == 2 and "--approver" in err


@pytest.mark.parametrize("approver, message", [
    ("Bob Cole", "kiosk: Bob Cole is not marked as an approver\n"),
    ("Alice Able", "kiosk: Alice Able is not a member of staff who may approve visits\n"),
    ("Ann Lee", "kiosk: Ann Lee is on this visit and cannot approve it\n"),
    ("Dee Lead", "kiosk: Dee Lead is not active and cannot approve visits\n"),
])
def test_item11_cli_refusals_exit_2_with_one_line_and_write_nothing(school, db_path, approver, message):
    from tests.cli.test_cli import dump

    assert school("staff", "edit", "Ann Lee", "--approver")[0] == 0
    assert school("staff", "add", "--name", "Dee Lead", "--mobile", "07700 900201", "--approver")[0] == 0
    _deactivate(db_path, "Dee Lead")
    before = dump(db_path)
    assert school(*OUT, "--approved-by", approver) == (2, "", message)
    assert dump(db_path) == before
    assert school(*OUT)[0] == 0  # unapproved: approving it later is refused the same way
    before = dump(db_path)
    assert school("visit", "approve", "1", "--by", approver) == (2, "", message)
    assert dump(db_path) == before


def _deactivate(db_path, name):
    from kiosk.clock import FakeClock
    from kiosk.config import config_from_mapping
    from kiosk.services import Context
    from kiosk.services.staff_admin import set_staff_active
    from kiosk.store import open_database
    from kiosk.store.models import Staff

    db = open_database(db_path)
    set_staff_active(Context(config_from_mapping({}), FakeClock(NOW)), Staff.get(Staff.name == name).id, False)
    db.close()


def test_item11_cli_who_and_when_are_kept_and_a_second_approval_does_not_erase_the_first(school, monkeypatch):
    assert school("staff", "add", "--name", "Dee Lead", "--mobile", "07700 900201", "--approver")[0] == 0
    code, out, _ = school(*OUT)
    assert out == "visit 1 out: Visit 1 · LU4, due back 15:30 (not yet approved)\n"
    assert [(r["approved"], r["approved_by"], r["approved_at"]) for r in board(school)] == [(False, None, None)]
    code, out, _ = school("board")
    assert "UNAPPROVED" in out
    assert school("visit", "approve", "1", "--by", "HH") == (0, "visit 1 approved by Hana Head at 14:00\n", "")
    monkeypatch.setenv("KIOSK_NOW", "2026-11-24T14:07:00+00:00")
    assert school("visit", "approve", "1", "--by", "Dee Lead") == (
        0, "visit 1 approval by Dee Lead recorded; first approved by Hana Head at 14:00\n", "")
    assert [(r["approved"], r["approved_by"], r["approved_at"]) for r in board(school)] == [
        (True, "Hana Head", "2026-11-24T14:00:00+00:00")]
    record = json.loads(school("export", "--from", "2026-11-24", "--to", "2026-11-24", "--format", "json")[1])[0]
    assert (record["approved_by"], record["approved_at"]) == ("Hana Head", "2026-11-24T14:00:00+00:00")
    assert [(a["by"], a["utc"]) for a in record["approvals"]] == [
        ("Hana Head", "2026-11-24T14:00:00+00:00"), ("Dee Lead", "2026-11-24T14:07:00+00:00")]
    code, out, _ = school("visit", "report", "1")
    assert "Approved by:          Hana Head at 2026-11-24 14:00 (also Dee Lead at 2026-11-24 14:07)\n" in out
    csv_out = school("export", "--from", "2026-11-24", "--to", "2026-11-24")[1]
    assert "Hana Head,2026-11-24 14:00,2026-11-24T14:00:00+00:00,Hana Head 2026-11-24 14:00; Dee Lead 2026-11-24 14:07" in csv_out


def test_item11_cli_require_refuses_reception_but_out_by_text_is_tracked_and_flagged(school):
    require = '[visits]\napproval = "require"\n'
    code, out, err = school(*OUT, config=require)
    assert (code, out) == (1, "") and err == (
        "kiosk: refused: this school requires approval before a visit: give who approved it (--approved-by)\n")
    assert board(school) == []
    code, out, _ = school("sms-in", "--from", "07700 900123", "OUT", "14", "Elm", "Rd", "LU4", "9AB", "UNTIL", "15:30")
    assert code == 0 and "Not yet approved" in out
    assert [(r["staff"], r["approved"]) for r in board(school)] == [(["Ann Lee"], False)]
    code, out, _ = school("visit", "out", "--staff", "Bob Cole", "--place", "2 Ash Grove", "--due", "15:30",
                          "--approved-by", "Hana Head")
    assert code == 0 and "(not yet approved)" not in out


def test_item11_cli_the_termly_report_lists_visits_closed_never_approved(school, monkeypatch):
    assert school(*OUT)[0] == 0
    assert school("visit", "out", "--staff", "Bob Cole", "--place", "2 Ash Grove", "--due", "15:30",
                  "--approved-by", "HH")[0] == 0
    assert school("visit", "back", "1", "--by", "RC")[0] == 0
    assert school("visit", "back", "2", "--by", "RC")[0] == 0
    code, out, _ = school("report", "--from", "2026-11-24", "--to", "2026-11-24")
    assert code == 0 and out.endswith("Visits closed never approved: 1\n  Visit 1 (2026-11-24)\n")
