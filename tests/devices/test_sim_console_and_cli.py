"""`kiosk simulator` and its injection language: a person drives a demo by typing lines on stdin."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading

import pytest

from kiosk.devices.errors import SendError
from kiosk.devices.events import IncomingCall
from kiosk.simulator.console import SimConsole

pytestmark = pytest.mark.pty

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_console_injects_an_sms_with_apostrophes_and_emoji(sim, modem):
    console = SimConsole(sim)
    assert console.execute("sms +447700900123 I'm running late 😀, back 16:30") == \
        "SMS from +447700900123 delivered in 1 part"
    got = []
    modem.drain(got.append)
    assert [m.pdu.text for m in got] == ["I'm running late 😀, back 16:30"]


def test_console_multipart_orders_and_partial(sim, modem):
    console = SimConsole(sim)
    text = "word " * 80
    assert console.execute(f"sms-reversed +447700900123 {text}").endswith("3 parts")
    got = []
    modem.drain(got.append)
    assert [m.pdu.concat.seq for m in got] == [3, 2, 1]
    assert console.execute(f"sms-partial +447700900123 {text}").endswith("3 parts")
    got = []
    modem.drain(got.append)
    assert [m.pdu.concat.seq for m in got] == [1, 2]
    assert console.execute("sms-partial +447700900123 short").startswith("error:")


def test_console_call_error_report_and_listing(sim, modem, events, wait):
    console = SimConsole(sim)
    assert console.execute("call +447700900123") == "ringing from +447700900123"
    assert wait(lambda: events.of(IncomingCall))[0].number == "+447700900123"
    modem.hang_up()
    assert console.execute("error 38") == "next send fails with +CMS ERROR: 38"
    assert console.execute("sent") == "nothing sent"
    with pytest.raises(SendError):
        modem.send("+447700900123", "x")
    [mr] = modem.send("+447700900123", "Thanks")
    assert console.execute("sent") == f"#{mr} to +447700900123: Thanks"
    assert console.execute(f"report {mr}") == f"delivery report for message {mr}"


@pytest.mark.parametrize("line", ["bogus", "sms", "sms +44", "call", "report x", "error", "signal 55",
                                  "reboot now", "silent", "plug"])
def test_console_bad_input_gets_one_line_and_changes_nothing(sim, line):
    before = (sim.stored(), list(sim.sent), sim.plugged, sim.rssi)
    answer = SimConsole(sim).execute(line)
    assert answer and "\n" not in answer
    assert answer.startswith(("error", "usage", "already"))
    assert (sim.stored(), list(sim.sent), sim.plugged, sim.rssi) == before


def test_console_help_lists_every_command(sim):
    text = SimConsole(sim).execute("help")
    for word in ("sms", "push", "call", "report", "error", "fullsim", "garbage", "reboot", "unplug",
                 "plug", "hang", "silent", "nosim", "signal", "sent", "stored", "quit"):
        assert word in text


def test_kiosk_simulator_cli_prints_the_path_and_takes_commands(tmp_path, modem_factory, clock):
    link = tmp_path / "kiosk-modem"
    env = {**os.environ, "PYTHONPATH": REPO, "KIOSK_CONFIG": os.devnull}
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "simulator", "--link", str(link)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=REPO)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in proc.stdout], daemon=True).start()
    try:
        first = lines.get(timeout=10)
        assert first.startswith("modem simulator on /dev/pts/") and f"(stable path {link})" in first
        assert lines.get(timeout=5) == "type help for commands"
        modem = modem_factory(str(link))
        proc.stdin.write("sms +447700900123 OK running late\n")
        proc.stdin.flush()
        assert lines.get(timeout=5) == "SMS from +447700900123 delivered in 1 part"
        got = []
        modem.drain(got.append)
        assert [(m.pdu.sender, m.pdu.text) for m in got] == [("+447700900123", "OK running late")]
        [mr] = modem.send("+447700900124", "Logged, thanks")
        proc.stdin.write("sent\nquit\n")
        proc.stdin.flush()
        assert lines.get(timeout=5) == f"#{mr} to +447700900124: Logged, thanks"
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_kiosk_simulator_cli_rejects_bad_options(kiosk_cli):
    result = kiosk_cli("simulator", "--capacity", "0", input="quit\n")
    assert result.returncode == 2
    assert result.stderr.strip() == "kiosk: --capacity must be 1..255"


def test_kiosk_simulator_in_the_background_stops_cleanly_on_sigterm(tmp_path):
    """Run without stdin (as `kiosk demo` or systemd would): it keeps serving, and SIGTERM removes
    the stable symlink so nothing opens a dead pty."""
    import signal
    import time

    link = tmp_path / "kiosk-modem"
    env = {**os.environ, "PYTHONPATH": REPO, "KIOSK_CONFIG": os.devnull}
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "simulator", "--link", str(link)],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=REPO)
    try:
        assert proc.stdout.readline().startswith("modem simulator on /dev/pts/")
        deadline = time.monotonic() + 5
        while not link.is_symlink() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert link.is_symlink() and proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert not link.is_symlink()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
