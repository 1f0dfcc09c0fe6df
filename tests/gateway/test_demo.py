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
    assert "to +447700900000: kiosk self-test" in out, "the start-up loop-back self-test"
    assert "wait-sent N: N must be a whole number" in out
    log = (folder / "gateway.log").read_text()
    assert "ready" in log and "stopped" in log, "the gateway was stopped cleanly"


@pytest.mark.parametrize("args", [["--db", "x.db"], ["--nonsense"]])
def test_demo_refuses_bad_options(args):
    result = run_kiosk("demo", "--headless", *args, input="quit\n")
    assert result.returncode == 2 and result.stderr.startswith("kiosk:")
