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
