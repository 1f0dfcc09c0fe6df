"""The demo panel (`kiosk demo` only): type or pick a text to "send" from a staff phone to the
simulated modem, and watch the board and the alarm view react through the real gateway.

`DemoPanel(inject)` -> ModalScreen[None]; `inject(line)` hands a simulator console line such as
`sms +447700900001 OK` to the simulator and returns its answer. It must never exist outside the
demo (the app only binds it when built with demo=True) and never write to the database itself.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from kiosk.widgets.footer import KioskFooter
from kiosk.widgets.look import plain

Inject = Callable[[str], str]

# (key, what it shows, the simulator line): the demo's staff (kiosk.gateway.demo.DEMO_STAFF)
PICKS = (
    ("1", "Ben texts OK (a check-in)", "sms +447700900002 OK"),
    ("2", "Ann texts her code word (duress: red at once)", "sms +447700900001 OK running late bluebird"),
    ("3", "Cat texts SOS (red at once)", "sms +447700900003 SOS"),
    ("4", "Ben texts BACK (visit over)", "sms +447700900002 BACK"),
    ("5", "Dan texts markup and escapes (shown literally)", "sms +447700900004 [bold red]x[/] \x1b[31mred"),
    ("6", "Ben rings the kiosk's number (a call counts as contact)", "call +447700900002"),
)


def fifo_injector(path: Path) -> Inject | None:
    """Write lines to the demo's injection FIFO (`kiosk demo` reads it), if there is one."""
    try:
        if not stat.S_ISFIFO(os.stat(path).st_mode):
            return None
    except OSError:
        return None

    def inject(line: str) -> str:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        try:
            os.write(fd, (line.rstrip("\n") + "\n").encode("utf-8"))
        finally:
            os.close(fd)
        return f"handed to the simulator: {line}"

    return inject


class Injected(Message):
    def __init__(self, answer: str) -> None:
        super().__init__()
        self.answer = answer


class DemoPanel(ModalScreen[None]):
    """Digits 1-6 send a ready-made text; T, then a simulator line and Enter. Esc closes."""

    BINDINGS = [Binding("escape", "close", "Close", key_display="Esc"),
                Binding("t", "type", "Type a line", key_display="T")] + [
        Binding(key, f"pick('{key}')", show=False) for key, _, _ in PICKS
    ]

    AUTO_FOCUS = None  # digits pick; T to type a line

    def __init__(self, inject: Inject) -> None:
        super().__init__(classes="dialog-screen")
        self.inject = inject
        self.sent: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="demo"):
            yield Static(Text("Demo: send a text to the kiosk", style="bold"), classes="dialog-title",
                         markup=False)
            picks = Text()
            for key, label, _ in PICKS:
                picks.append(f" {key} ", style="bold reverse")
                picks.append(f" {label}\n")
            yield Static(picks, markup=False)
            yield Static(Text("or T and a simulator line (sms NUMBER TEXT, call NUMBER, help), then Enter:"),
                         markup=False)
            line = Input(placeholder="sms +447700900002 OK", id="demo-line", compact=True)
            line.can_focus = False  # until T: the digits pick
            yield line
            yield Static("", id="demo-answer", markup=False)
        yield KioskFooter()

    def action_type(self) -> None:
        line = self.query_one(Input)
        line.can_focus = True
        line.focus()

    def action_pick(self, key: str) -> None:
        self.send(next(line for k, _, line in PICKS if k == key))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        line = event.value.strip()
        if line:
            event.input.value = ""
            self.send(line)

    @work(thread=True, group="demo")
    def send(self, line: str) -> None:
        self.sent.append(line)
        try:
            answer = self.inject(line)
        except Exception as exc:  # noqa: BLE001 - a demo panel reports and carries on
            answer = f"error: {exc}"
        self.post_message(Injected(answer))

    def on_injected(self, message: Injected) -> None:
        self.query_one("#demo-answer", Static).update(plain(message.answer, 300))

    def action_close(self) -> None:
        self.dismiss(None)
