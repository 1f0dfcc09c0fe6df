"""The simulator satisfies a real SMS client: Debian's gammu (`connection = at`) on the pty.

gammu identifies the modem, sends SMS (the simulator records and decodes them) and reads back
injected ones, including a multi-part UCS-2 message it must link from our concatenation headers.
With CI set a missing gammu fails the run; outside CI it fails too (install it: apt-get install gammu).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.simulator.modem import ModemSimulator

pytestmark = pytest.mark.pty

UNICODE_REPLY = "Ça va 😀 " * 15 + "fin"
LONG = "Zoë: all fine at the Ağaç Street visit 😀, leaving now, back by 16:30. " * 3


@pytest.fixture(scope="module")
def gammu_session(tmp_path_factory):
    gammu = shutil.which("gammu")
    if gammu is None:
        where = "CI" if os.environ.get("CI") else "this machine"
        pytest.fail(f"gammu is not installed on {where}: apt-get install gammu (listed in .ci/run)")
    tmp: Path = tmp_path_factory.mktemp("gammu")
    sim = ModemSimulator(clock=FakeClock("2026-11-24T14:00:00+00:00"))
    path = sim.start()
    try:
        sim.inject_sms("+447700900123", "OK running late €")
        sim.inject_sms("+447700900124", LONG, ref=42)
        (tmp / "gammurc").write_text(f"[gammu]\ndevice = {path}\nconnection = at\n")
        (tmp / "batch").write_text(
            "identify\n"
            'sendsms TEXT +447700900125 -text "Thanks, logged 14:02"\n'
            f'sendsms TEXT +447700900126 -unicode -len 200 -text "{UNICODE_REPLY}"\n'
            "getallsms\n"
            "geteachsms\n")
        result = subprocess.run([gammu, "-c", str(tmp / "gammurc"), "batch", str(tmp / "batch")],
                                capture_output=True, text=True, timeout=60, env={**os.environ, "LANG": "C.UTF-8"})
        yield sim, result
    finally:
        sim.stop()


def test_gammu_identifies_the_simulated_modem(gammu_session):
    sim, result = gammu_session
    assert result.returncode == 0, result.stderr
    assert "Manufacturer         : KIOSK" in result.stdout
    assert f"IMEI                 : {sim.imei}" in result.stdout
    assert "KIOSK-SIM800" in result.stdout


def test_gammu_sends_an_sms_the_simulator_records(gammu_session):
    sim, result = gammu_session
    assert "message reference=" in result.stdout
    first = sim.sent[0]
    assert (first.number, first.text, first.mode) == ("+447700900125", "Thanks, logged 14:02", "pdu")
    assert first.submit is not None and first.submit.smsc == sim.smsc


def test_gammu_sends_a_multipart_ucs2_sms_we_decode(gammu_session):
    sim, _ = gammu_session
    parts = [s for s in sim.sent if s.number == "+447700900126"]
    assert len(parts) >= 2
    assert {p.submit.encoding for p in parts} == {"ucs2"}
    assert [p.concat.seq for p in parts] == list(range(1, len(parts) + 1))
    assert "".join(p.text for p in parts) == UNICODE_REPLY


def _section(result, command: str) -> str:
    """The output of one batch command."""
    chunks = result.stdout.split("Executing batch")
    return next(c for c in chunks if f": {command}" in c.splitlines()[0])


def test_gammu_reads_back_injected_messages(gammu_session):
    _, result = gammu_session
    out = _section(result, "getallsms")
    assert '"+447700900123"' in out and "OK running late €" in out
    assert "Tue Nov 24 14:00:00 2026 +0000" in out
    assert "Concatenated (linked) message, ID (8 bit) 42, part 1 of 4" in out
    assert "Concatenated (linked) message, ID (8 bit) 42, part 4 of 4" in out


def test_gammu_links_our_concatenated_parts_into_one_message(gammu_session):
    _, result = gammu_session
    out = _section(result, "geteachsms")
    assert LONG.strip() in out
