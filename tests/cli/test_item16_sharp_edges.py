"""Issue 14 item 16: small CLI sharp edges.

- output cut by a closed pipe (`kiosk messages | head -2`): no BrokenPipeError traceback;
- `staff add ... --alerts` does not warn NO ALERT RECEIVER about the member it adds;
- `ack --by` follows the one initials rule the board's dialog uses (2-4 letters);
- a wide character (emoji, CJK) in a name does not shift the columns of `staff list` or `board`.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from rich.cells import cell_len

from kiosk import services as svc
from kiosk.cli import main
from kiosk.cli._session import cell
from kiosk.clock import FakeClock
from kiosk.services import alarms, reception
from kiosk.store import open_database
from tests.services.conftest import make_config
from tests.conftest import REPO

NOW = "2026-11-24T14:00:00+00:00"


@pytest.fixture
def kiosk(db_path, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_CONFIG", "/dev/null")
    monkeypatch.setenv("KIOSK_NOW", NOW)

    def run(*args: str):
        code = main(["--db", str(db_path), *args])
        out, err = capsys.readouterr()
        return code, out, err
    return run


@pytest.fixture
def school(kiosk):
    assert kiosk("staff", "add", "--name", "Ann Lee", "--mobile", "07700 900123", "--code-word", "bluebird")[0] == 0
    assert kiosk("staff", "add", "--name", "Hana Head", "--mobile", "07700 900200", "--alerts")[0] == 0
    return kiosk


# --- a closed pipe ---------------------------------------------------------------------------------

OUTPUT_COMMANDS = [("messages",), ("messages", "--json"), ("board",), ("board", "--json"), ("alarms",),
                   ("staff", "list"), ("staff", "list", "--json"), ("register", "list"), ("config",)]


@pytest.mark.parametrize("command", OUTPUT_COMMANDS, ids=" ".join)
def test_item16_output_into_a_closed_pipe_ends_quietly(school, db_path, command):
    """The reader is gone before kiosk writes (what `| head -2` does to a long listing): no
    traceback, no 'Exception ignored', exit 141 as any Unix tool ended by SIGPIPE."""
    school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd", "--due", "15:30")
    school("visit", "duress", "1", "--by", "RC")
    school("register", "add", "--address", "3 Mill Lane, Luton", "--reason", "dog")
    env = {**os.environ, "PYTHONPATH": str(REPO), "KIOSK_CONFIG": os.devnull, "KIOSK_NOW": NOW}
    read, write = os.pipe()
    os.close(read)  # nobody will ever read: the first write (or the final flush) meets a closed pipe
    try:
        done = subprocess.run([sys.executable, "-m", "kiosk", "--db", str(db_path), *command], stdout=write,
                              stderr=subprocess.PIPE, text=True, env=env, cwd=REPO, timeout=60)
    finally:
        os.close(write)
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr and "Exception" not in done.stderr
    assert done.returncode == 141, done.stderr


def test_item16_kiosk_messages_piped_into_head_2(school, db_path):
    """The shell pipeline itself, with a listing longer than a pipe holds, so kiosk is still
    writing when head leaves."""
    for n in range(150):
        school("sms-in", "--from", "07700 900123", "x" * 300 + str(n))
    env = {**os.environ, "PYTHONPATH": str(REPO), "KIOSK_CONFIG": os.devnull, "KIOSK_NOW": NOW}
    done = subprocess.run(["bash", "-c", f'"{sys.executable}" -m kiosk --db "{db_path}" messages | head -2'],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=60)
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 2
    assert done.stderr == ""


# --- the warning about the very member added ---------------------------------------------------------

def test_item16_staff_add_alerts_does_not_warn_about_itself(kiosk):
    code, out, err = kiosk("staff", "add", "--name", "Hana Head", "--mobile", "07700 900200", "--alerts")
    assert code == 0 and out.startswith("staff 1: Hana Head")
    assert "NO ALERT RECEIVER" not in err


def test_item16_staff_add_without_alerts_still_warns(kiosk):
    code, _, err = kiosk("staff", "add", "--name", "Ann Lee", "--mobile", "07700 900123", "--code-word", "bluebird")
    assert code == 0 and "NO ALERT RECEIVER" in err


def test_item16_warnings_are_of_the_state_a_command_leaves(db_path):
    """The service: no receiver -> the warning; once one is added -> nothing to warn about."""
    ctx = svc.Context(make_config(), FakeClock(NOW))
    db = open_database(db_path)
    try:
        assert svc.warnings(ctx)[0].startswith("NO ALERT RECEIVER")
        svc.add_staff(ctx, "Hana Head", "07700 900200", alerts=True)
        assert svc.warnings(ctx) == []
    finally:
        db.close()


def test_item16_warning_still_said_when_a_command_is_refused(kiosk):
    kiosk("staff", "add", "--name", "Ann Lee", "--mobile", "07700 900123", "--code-word", "bluebird")
    code, _, err = kiosk("visit", "back", "9", "--by", "AB")
    assert code == 2 and "no visit 9" in err and "NO ALERT RECEIVER" in err


# --- one initials rule for ack -----------------------------------------------------------------------

def test_item16_ack_by_follows_the_boards_initials_rule(school):
    school("visit", "out", "--staff", "Ann Lee", "--place", "14 Elm Rd", "--due", "15:30")
    school("visit", "duress", "1", "--by", "RC")
    for bad in ("A", "ABCDE", "A1", "R.C.", "  "):
        code, _, err = school("ack", "1", "--by", bad, "--action", "answered")
        assert code == 2 and "initials must be 2 to 4 letters" in err, bad
    code, out, _ = school("ack", "1", "--by", "rc", "--action", "answered")
    assert code == 0 and out == "alarm 1 answered by RC: resolved\n"


def test_item16_ack_service_and_board_dialog_share_one_definition(db_path):
    from kiosk.screens import pin

    assert alarms.normalise_initials is reception.normalise_initials is pin.normalise_initials
    ctx = svc.Context(make_config(), FakeClock(NOW))
    db = open_database(db_path)
    try:
        for bad in ("A", "Anna Smith", "A1"):
            with pytest.raises(svc.Invalid, match="2 to 4 letters"):
                svc.acknowledge(ctx, 1, by=bad, action="answered")
    finally:
        db.close()


# --- display width -------------------------------------------------------------------------------------

def test_item16_cell_pads_by_display_width():
    for text in ("Ann Lee", "Zoë Fox", "Ann 🦊 Lee", "李小龙", "Cafe\u0301 Owner"):
        assert cell_len(cell(text, 24)) == 24, text
    assert cell("x" * 30, 24) == "x" * 30  # longer values are never cut
    assert cell("a\x1b[31mb", 5) == "ab   "  # made terminal-safe before it is measured


def test_item16_wide_names_do_not_shift_staff_list_columns(kiosk):
    for name, mobile in (("Ann Lee", "07700 900123"), ("Zoë 🦊 Fox", "07700 900124"), ("李小龙", "07700 900125"),
                         ("Cafe\u0301 Owner", "07700 900126")):
        assert kiosk("staff", "add", "--name", name, "--mobile", mobile, "--role", "📚 tutor")[0] == 0
    code, out, _ = kiosk("staff", "list")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 4
    mobile_at = {cell_len(line[:line.index("+447700")]) for line in lines}
    flags_at = {cell_len(line[:line.index("tutor")]) for line in lines}
    assert mobile_at == {31} and len(flags_at) == 1


def test_item16_wide_names_do_not_shift_board_columns(kiosk):
    for name, mobile in (("Ann Lee", "07700 900123"), ("Zoë 🦊 Fox", "07700 900124")):
        kiosk("staff", "add", "--name", name, "--mobile", mobile, "--code-word", "bluebird" if "A" in name else "kestrel")
        kiosk("visit", "out", "--staff", name, "--place", "14 Elm Rd", "--due", "15:30")
    code, out, _ = kiosk("board")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert len({cell_len(line[:line.index(" out ")]) for line in lines}) == 1
