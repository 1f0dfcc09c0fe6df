"""Test helpers for the gateway: a seeded database, the real `kiosk gateway` process, polling.

The gateway runs as `python -m kiosk gateway` (a subprocess, as systemd runs it) on the pty of an
in-process ModemSimulator; tests read the database and the simulator's sent messages.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.clock import FakeClock
from kiosk.config import Config, config_from_mapping
from kiosk.services import add_staff, sign_out
from kiosk.services.context import Context
from kiosk.store import open_database
from tests.polling import wait_for  # the gateway tests import it from here too

REPO = Path(__file__).resolve().parents[2]

STAFF = [  # name, mobile, code word, alerts
    ("Ann Lee", "+447700900001", "bluebird", False),
    ("Ben Ode", "+447700900002", "marigold", False),
    ("Cat Roy", "+447700900003", "lanterns", False),
    ("Head Teacher", "+447700900100", None, True),
    ("Safeguarding Lead", "+447700900101", None, True),
]


def texts(sent, number: str | None = None) -> list[str]:
    """What the simulator recorded as sent, with the parts of each multi-part SMS joined."""
    out: list[str] = []
    open_parts: dict[tuple[str, int], dict[int, str]] = {}
    for s in sent:
        if number is not None and s.number != number:
            continue
        c = s.concat
        if c is None:
            out.append(s.text)
            continue
        parts = open_parts.setdefault((s.number, c.ref), {})
        parts[c.seq] = s.text
        if len(parts) == c.total:
            out.append("".join(parts[i] for i in sorted(parts)))
            del open_parts[(s.number, c.ref)]
    return out


def make_config(**sections) -> Config:
    data = {"gateway": {"tick_seconds": 1, "sweep_seconds": 5, "health_seconds": 5,
                        "heartbeat_stale_seconds": 30},
            "sound": {"enabled": False},
            # the loop-back self-test texts the simulator's own number (AT+CNUM) at start and daily:
            # tests that count texts have it off; tests/gateway/test_selftest.py turns it on
            "selftest": {"enabled": False},
            # these tests run on the real clock: staffed all day, every day, so the time of day a run
            # happens at (after the default 17:30 end: the end-of-day list to the alert receivers;
            # out of hours: amber also texts them) never changes what a test counts
            "staffed_hours": {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                              "start": "00:00", "end": "23:59"},
            # the crash tests send ~17 texts a minute per number and expect every reply: flood
            # control (tests/security/test_flood.py) must not hold any back here
            "security": {"flood_texts_per_minute": 1000}}
    for name, values in sections.items():
        data.setdefault(name, {}).update(values)
    return config_from_mapping(data)


def write_config(path: Path, **sections) -> Path:
    config = make_config(**sections)
    lines = []
    for name, values in config.to_toml_dict().items():
        if name not in ("gateway", "sound", "ladder", "staffed_hours", "security", "selftest"):
            continue
        lines.append(f"[{name}]")
        for key, value in values.items():
            lines.append(f"{key} = {value!r}".replace("True", "true").replace("False", "false")
                         if not isinstance(value, (list, str)) else f'{key} = {_toml(value)}')
        lines.append("")
    path.write_text("\n".join(lines))
    return path


def _toml(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def seed(db_path: Path | str, now: datetime, *, config: Config | None = None, visits: bool = True,
         staff=STAFF, due=lambda i: timedelta(hours=2 + i)) -> dict[str, int]:
    """Staff (three who go out, two alert receivers) and, optionally, one visit each for the three,
    due back in 2, 3 and 4 hours."""
    db = open_database(db_path)
    ctx = Context(config or make_config(), FakeClock(now))
    ids = {}
    for name, mobile, word, alerts in staff:
        ids[name] = add_staff(ctx, name, mobile, alerts=alerts, code_word=word, approver=name == "Head Teacher").id
    if visits:
        for i, (name, _, _word, _) in enumerate(s for s in staff if s[2]):
            v = sign_out(ctx, [name], f"{10 + i} Elm Road, Luton LU4 9AB", now + due(i),
                         approved_by="HT").visit
            ids[f"visit:{name}"] = v.id
    db.close()
    return ids


class GatewayProcess:
    """`python -m kiosk gateway` as a child process; stdout lines collected by a thread."""

    def __init__(self, db_path: Path | str, port: str, *, config_path: Path | None = None,
                 env: dict[str, str] | None = None, log_path: Path | None = None) -> None:
        self.db_path, self.port = db_path, port
        self.config_path = config_path
        self.env = env or {}
        if log_path is None:  # beside the SQLite file, or beside the config for a PostgreSQL URL
            beside = Path(db_path) if isinstance(db_path, Path) else Path(config_path or REPO / "x").parent / "kiosk"
            log_path = beside.with_suffix(".gateway.log")
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.lines: list[str] = []

    def start(self, wait_ready: bool = True, timeout: float = 20) -> "GatewayProcess":
        env = {**os.environ, "PYTHONPATH": str(REPO), "KIOSK_CONFIG": str(self.config_path or os.devnull)}
        env.pop("KIOSK_NOW", None)
        env.pop("NOTIFY_SOCKET", None)
        env.update(self.env)
        self.lines = []
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen([sys.executable, "-m", "kiosk", "gateway", "--db", str(self.db_path),
                                      "--port", self.port], stdout=subprocess.PIPE, stderr=log, text=True,
                                     env=env, cwd=REPO)
        log.close()
        threading.Thread(target=self._read, args=(self.proc,), daemon=True).start()
        if wait_ready:
            wait_for(lambda: "ready" in self.lines or self.proc.poll() is not None, timeout, what="ready")
            assert "ready" in self.lines, f"gateway exited {self.proc.returncode}: {self.log()}"
        return self

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stdout:
            self.lines.append(line.strip())

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def terminate(self, timeout: float = 10) -> int:
        self.proc.terminate()
        return self.proc.wait(timeout)
