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
                 ["--name", "Hana Head", "--mobile", "07700 900200", "--alerts", "--role", "head"]):
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
    assert (code, out) == (2, "") and err == "kiosk: vehicle colour is too long (at most 80 characters)\n"
    assert board(school) == []
