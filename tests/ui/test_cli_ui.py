"""`kiosk ui` arguments: bad input gets one line and exit 2, before any screen opens; the screen
reaches the terminal even when stderr does not."""

import os
import pty
import select
import signal
import subprocess
import sys
import time

from tests.conftest import REPO, read_pty_until


def test_bad_theme_and_bad_config_are_refused(kiosk_cli, tmp_path):
    done = kiosk_cli("ui", "--theme", "neon", "--db", str(tmp_path / "k.db"))
    assert done.returncode == 2 and "theme" in done.stderr and len(done.stderr.splitlines()) == 1
    bad = tmp_path / "bad.toml"
    bad.write_text("[ui]\nreveal_seconds = 0\n")
    done = kiosk_cli("ui", "--config", str(bad), "--db", str(tmp_path / "k.db"))
    assert done.returncode == 2 and "reveal_seconds" in done.stderr
    assert not (tmp_path / "k.db").exists()


def test_with_stderr_not_a_terminal_the_board_is_drawn_on_stdouts_terminal(tmp_path):
    """Found trying `kiosk demo 2> file`: Textual drew the whole board into the file and the terminal
    stayed blank; kiosk-ui.service (StandardOutput=tty, StandardError=journal) does the same."""
    master, slave = pty.openpty()
    err = open(tmp_path / "err", "w")
    env = {**os.environ, "PYTHONPATH": str(REPO), "KIOSK_CONFIG": os.devnull, "TERM": "xterm-256color"}
    env.pop("KIOSK_NOW", None)
    assert subprocess.run([sys.executable, "-m", "kiosk", "init", "--db", str(tmp_path / "k.db")], env=env,
                          cwd=REPO, capture_output=True).returncode == 0  # kiosk ui never makes a database
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "ui", "--db", str(tmp_path / "k.db")],
                            stdin=slave, stdout=slave, stderr=err, env=env, cwd=REPO, close_fds=True)
    os.close(slave)
    try:
        seen = read_pty_until(master, proc, b"Our School")
        assert b"Our School" in seen
        os.write(master, b"\x11")  # Ctrl+Q never quits the board, on any terminal
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and proc.poll() is None:
            if select.select([master], [], [], 0.1)[0]:
                seen += os.read(master, 65536)
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)  # systemctl stop: a clean exit, the terminal given back
        assert proc.wait(20) == 0
        while select.select([master], [], [], 0.1)[0]:
            try:
                seen += os.read(master, 65536)
            except OSError:
                break
        assert b"\x1b[?1049l" in seen  # left the alternate screen
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
        err.close()
    assert b"\x1b[?1049h" not in (tmp_path / "err").read_bytes()  # no screen drawn into stderr


def test_ctrl_backslash_in_any_encoding_opens_nothing_on_a_real_terminal(tmp_path):
    """Issue 15 item 8: "Ctrl+\\ opens the Back dialog". The real driver and parser over a pty, with
    a visit selected: Ctrl+\\ as a plain terminal sends it (0x1c), as the kitty keyboard protocol
    (foot) and as xterm's modifyOtherKeys (tmux extended keys) send it: the board stays. B, pressed
    last, opens the Back dialog: the check can see a dialog open."""
    import re
    from datetime import timedelta

    from kiosk.clock import SystemClock
    from kiosk.services import add_staff, sign_out
    from kiosk.store import open_database
    from tests.ui.school import make_context

    db = open_database(tmp_path / "k.db")
    ctx = make_context(SystemClock())
    ann = add_staff(ctx, "Ann Lee", "07700 900123", code_word="bluebird")
    sign_out(ctx, [ann], "14 Elm Rd, Luton LU4 9AB", ctx.now() + timedelta(minutes=60))
    db.close()

    def screen_text(raw: bytes) -> str:
        return re.sub(r"\x1b\[[0-9;?<>=]*[A-Za-z~]|\x1b[()][A-Z0-9]|\x1b[=>]", "", raw.decode("utf-8", "replace"))

    def drawn_for(seconds: float) -> str:
        out = b""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and proc.poll() is None:
            if select.select([master], [], [], 0.1)[0]:
                out += os.read(master, 65536)
        return screen_text(out)

    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(REPO), "KIOSK_CONFIG": os.devnull, "TERM": "xterm-256color"}
    env.pop("KIOSK_NOW", None)
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "ui", "--db", str(tmp_path / "k.db")],
                            stdin=slave, stdout=slave, stderr=subprocess.DEVNULL, env=env, cwd=REPO, close_fds=True)
    os.close(slave)
    try:
        assert b"Ann Lee" in read_pty_until(master, proc, b"Ann Lee")
        drawn_for(1.0)
        for ctrl_backslash in (b"\x1c", b"\x1b[92;5u", b"\x1b[27;5;92~"):
            os.write(master, ctrl_backslash)
            drawn = drawn_for(1.5)
            assert "Back: visit" not in drawn and "Mark back" not in drawn, ctrl_backslash
            assert proc.poll() is None
        os.write(master, b"b")
        assert "Back: visit" in drawn_for(5.0)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
