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
