"""`kiosk demo`: the simulator, the real gateway process and the board on a throwaway database.

It seeds a temporary folder's database with a few staff (code words, alert receivers) and visits in
different states, starts the modem simulator in this process, runs `kiosk gateway` as a child
process on the simulator's pty (as systemd would run it), and then either the reception UI or, with
`--headless`, the simulator's injection console on stdin. It must never touch a real modem or a
real database: everything lives in the temporary folder and is removed afterwards (unless kept).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from kiosk.clock import Clock, clock_from_env
from kiosk.config import Config
from kiosk.simulator.console import SimConsole
from kiosk.simulator.modem import ModemSimulator
from kiosk.services import add_staff, board, sign_out
from kiosk.services.context import Context
from kiosk.services.reception import set_reception_pin
from kiosk.store import open_database
from kiosk.security.pins import hash_pin

DEMO_STAFF = [  # name, mobile (Ofcom drama range), code word, receives alerts, role
    ("Ann Lee", "+447700900001", "bluebird", False, "attendance officer"),
    ("Ben Ode", "+447700900002", "marigold", False, "family support"),
    ("Cat Roy", "+447700900003", "lanterns", False, "SENCo"),
    ("Dan Fry", "+447700900004", "pinecone", False, "teaching assistant"),
    ("Eve Kay", "+447700900005", "kingfisher", False, "education welfare officer"),  # in: O signs them out
    ("Fay Lim", "+447700900006", "hawfinch", False, "family support"),
    ("Head Teacher", "+447700900100", None, True, "head"),
    ("Safeguarding Lead", "+447700900101", None, True, "DSL"),
]

RECEPTION_INITIALS, RECEPTION_PIN = "AB", "1234"  # throwaway demo data: shown on its board
ADMIN_PIN = "2468"

HELP = """\
demo commands (plus the simulator's; type help):
  board                 the board as the gateway left it
  wait-sent N           wait (up to 15 s) until the kiosk has sent N texts in all
The staff: Ann 07700 900001 (code word bluebird), Ben 900002 (marigold), Cat 900003 (lanterns),
Dan 900004 (pinecone) are out; Eve 900005 (kingfisher) and Fay 900006 (hawfinch) are in;
alert receivers Head 900100, Safeguarding Lead 900101. Reception PIN: AB 1234; admin PIN 2468.
Try: sms +447700900002 OK   |   sms +447700900001 OK running late bluebird   |   call +447700900002"""


def demo_notes() -> str:
    """What the demo's board and help show first: the code words and PINs to try it with (all
    throwaway demo data, never a real school's)."""
    words = ", ".join(f"{name.split()[0]} {word}" for name, _, word, _, _ in DEMO_STAFF if word)
    return (f"DEMO code words: {words}. PINs: reception {RECEPTION_INITIALS} {RECEPTION_PIN}, admin {ADMIN_PIN}. "
            "F9 sends a text.")


def with_demo_admin_pin(config: Config) -> Config:
    """The config with the demo's admin PIN, unless the config given already sets one."""
    if config.security.admin_pin_hash:
        return config
    from dataclasses import replace


    return replace(config, security=replace(config.security, admin_pin_hash=hash_pin(ADMIN_PIN)))


def seed_demo(ctx: Context, *, reception_pin: bool = False) -> dict[str, int]:
    """Staff (two of them in, so O can sign someone out at once) and three visits: due soon, about
    to go amber, a pair with 20-minute check-ins. `reception_pin` (as `kiosk demo` runs it): the
    reception user AB with PIN 1234; without it, initials alone are asked (the acknowledgement
    tests replay the key sequences observed that way)."""
    now = ctx.now()
    for name, mobile, word, alerts, role in DEMO_STAFF:
        add_staff(ctx, name, mobile, alerts=alerts, code_word=word, role=role, approver=role in ("head", "DSL"),
                  actor="demo")
    if reception_pin:
        set_reception_pin(ctx, RECEPTION_INITIALS, RECEPTION_PIN, name="Demo Reception", actor="demo")
    visits = {
        "due-soon": sign_out(ctx, ["Ann Lee"], "14 Elm Road, Luton LU4 9AB", now + timedelta(minutes=8),
                             approved_by="Head Teacher", purpose="attendance", started_by="demo").visit.id,
        "amber-soon": sign_out(ctx, ["Ben Ode"], "3 Mill Lane, Luton LU2 7XY", now + timedelta(minutes=1),
                               approved_by="Head Teacher", purpose="family-support", started_by="demo").visit.id,
        "pair": sign_out(ctx, ["Cat Roy", "Dan Fry"], "Flat 2, 40 Park Street, Luton LU1 3ET",
                         now + timedelta(minutes=90), check_in_minutes=20, approved_by="Safeguarding Lead",
                         purpose="safeguarding", started_by="demo").visit.id,
    }
    return visits


@dataclass
class Demo:
    """One running demo: the folder, the simulator and the gateway process."""

    folder: Path
    config_path: str | None = None
    clock: Clock = field(default_factory=lambda: clock_from_env(long_running=True))
    sim: ModemSimulator | None = None
    gateway: subprocess.Popen | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def db_path(self) -> Path:
        return self.folder / "kiosk.db"

    def start(self, config: Config) -> None:
        db = open_database(self.db_path, create=True)  # the demo's own throwaway database
        try:
            seed_demo(Context(config, self.clock), reception_pin=True)
        finally:
            db.close()
        self.sim = ModemSimulator(clock=self.clock, link_path=self.folder / "modem", ring_interval=1.0)
        self.sim.start()
        env = {**os.environ, "KIOSK_CONFIG": self.config_path or os.devnull}
        env.pop("NOTIFY_SOCKET", None)
        repo = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = repo + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        with open(self.folder / "gateway.log", "a") as log:
            self.gateway = subprocess.Popen(
                [sys.executable, "-m", "kiosk", "gateway", "--db", str(self.db_path), "--port", self.sim.port],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
        threading.Thread(target=self._read, daemon=True, name="demo-gateway-stdout").start()
        deadline = time.monotonic() + 30
        while "ready" not in self.lines:
            if self.gateway.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the gateway did not start; see {self.folder / 'gateway.log'}")
            time.sleep(0.05)

    def _read(self) -> None:
        assert self.gateway is not None and self.gateway.stdout is not None
        for line in self.gateway.stdout:
            self.lines.append(line.strip())

    def board_text(self, config: Config) -> str:
        db = open_database(self.db_path)
        try:
            ctx = Context(config, self.clock)
            rows = board(ctx)
            out = []
            for r in rows:
                due = r.due_back.astimezone(ctx.tz).strftime("%H:%M")
                alarms = f" alarms {','.join(map(str, r.alarms))}" if r.alarms else ""
                out.append(f"{r.level.upper():<8} {r.label:<18} {', '.join(r.staff):<20} {r.state:<8} due {due}{alarms}")
            return "\n".join(out) or "no visits out"
        finally:
            db.close()

    def inject(self, line: str, *, wait: float = 8.0) -> str:
        """A simulator console line (the UI's demo panel), answered by the simulator and then by
        the kiosk: for a text or call from a number, the kiosk's reply texts to it within `wait`
        seconds (real time: the gateway is another process), as "kiosk replied: ...". """
        assert self.sim is not None
        before = len(self.sim.sent)
        answer = SimConsole(self.sim).execute(line)
        words = line.split()
        if len(words) < 2 or words[0].lower() not in ("sms", "push", "call") or answer.startswith(("error", "usage")):
            return answer
        number = words[1]
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            replies = [m.text for m in self.sim.sent[before:] if m.number == number]
            if replies:
                return "\n".join([answer] + [f"kiosk replied: {text}" for text in replies])
            time.sleep(0.1)
        return f"{answer}\nno reply from the kiosk yet (a text that needs none, or see the board)"

    def console(self, config: Config, stdin: TextIO, stdout: TextIO) -> None:
        """The simulator's console on stdin, plus `board` and `wait-sent N`."""
        assert self.sim is not None
        sim_console = SimConsole(self.sim)
        for line in stdin:
            words = line.split()
            if not words:
                continue
            verb = words[0].lower()
            if verb in ("quit", "exit"):
                break
            if verb == "board":
                answer = self.board_text(config)
            elif verb == "wait-sent":
                answer = self._wait_sent(words[1:])
            elif verb == "help":
                answer = sim_console.execute(line) + "\n" + HELP
            else:
                answer = sim_console.execute(line)
            if answer:
                print(answer, file=stdout, flush=True)

    def _wait_sent(self, args: list[str]) -> str:
        assert self.sim is not None
        try:
            wanted = int(args[0])
        except (IndexError, ValueError):
            return "wait-sent N: N must be a whole number"
        deadline = time.monotonic() + 15
        while len(self.sim.sent) < wanted and time.monotonic() < deadline:
            time.sleep(0.05)
        return f"{len(self.sim.sent)} text(s) sent"

    def stop(self) -> int:
        code = 0
        if self.gateway is not None and self.gateway.poll() is None:
            self.gateway.terminate()
            try:
                code = self.gateway.wait(15)
            except subprocess.TimeoutExpired:
                self.gateway.kill()
                code = self.gateway.wait(5)
        if self.sim is not None:
            self.sim.stop()
        return code
