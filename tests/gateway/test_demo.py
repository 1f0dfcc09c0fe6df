"""`kiosk demo --headless`: simulator, real gateway process and board from one command, scripted."""

from __future__ import annotations

import pytest

from tests.conftest import run_kiosk


def test_headless_demo_answers_a_text_and_cleans_up(tmp_path):
    script = "board\nsms +447700900002 OK\nwait-sent 2\nsent\nwait-sent abc\nbogus\nquit\n"
    folder = tmp_path / "demo"
    # 10:00 on a weekday: no end-of-day report; the gateway's start-up self-test is the first text
    result = run_kiosk("demo", "--headless", "--keep", str(folder), input=script, timeout=60,
                       env={"KIOSK_NOW": "2026-11-24T10:00:00+00:00"})
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "ready; type help" in out
    assert "Ben Ode" in out and "Cat Roy, Dan Fry" in out, "seeded visits, a pair among them"
    assert "DUE-SOON" in out
    assert "to +447700900002: Check-in noted" in out
    assert "to +447700900990: kiosk self-test" in out, "the start-up loop-back self-test"
    assert "wait-sent N: N must be a whole number" in out
    log = (folder / "gateway.log").read_text()
    assert "ready" in log and "stopped" in log, "the gateway was stopped cleanly"


@pytest.mark.parametrize("args", [["--db", "x.db"], ["--nonsense"]])
def test_demo_refuses_bad_options(args):
    result = run_kiosk("demo", "--headless", *args, input="quit\n")
    assert result.returncode == 2 and result.stderr.startswith("kiosk:")


def test_the_demo_starts_with_two_members_in_a_reception_pin_and_an_admin_pin(tmp_path, clock):
    """Found in a trial: O said nobody could go out (everyone was out), F6 said no admin PIN was set."""
    from kiosk.config import config_from_mapping
    from kiosk.gateway.demo import ADMIN_PIN, RECEPTION_INITIALS, RECEPTION_PIN, seed_demo, with_demo_admin_pin
    from kiosk.services.visit_view import load_choices
    from kiosk.services.context import Context
    from kiosk.services.reception import check_admin_pin, check_reception_pin
    from kiosk.store import open_database

    db = open_database(tmp_path / "kiosk.db")
    try:
        ctx = Context(with_demo_admin_pin(config_from_mapping({})), clock)
        seed_demo(ctx, reception_pin=True)
        assert len(load_choices().staff) >= 2
        assert check_admin_pin(ctx, ADMIN_PIN) and not check_admin_pin(ctx, "0000")
        assert check_reception_pin(ctx, RECEPTION_INITIALS, RECEPTION_PIN)
    finally:
        db.close()
