"""The demo panel (`kiosk demo` only): type or pick a text to "send" from a staff phone to the
simulated modem, and watch the board and the alarm view react through the real gateway.

`DemoPanel(inject)` -> ModalScreen[None]; `inject(line)` hands a simulator console line such as
`sms +447700900001 OK` to the simulator and returns its answer (in `kiosk demo`, with the kiosk's
reply texts under it). It must never exist outside the demo (the app only binds it when built with
demo=True) and never write to the database itself.

Every line sent is listed with its answer, so none is lost from sight. After a line is sent the
panel takes the focus back (digits pick, T types a new line): found in a trial, where `T garbage
Enter` left the focus in the line, and the next `T` went into it ("tsms ... EXTEND 20", an unknown
command whose answer replaced the last one, so the text seemed swallowed). A line the simulator
did not understand stays in the field to be corrected.
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
    def __init__(self, line: str, answer: str) -> None:
        super().__init__()
        self.line, self.answer = line, answer


LOG_LINES = 3  # earlier lines sent, one line each under the newest (the panel must fit 80x24)


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
        self.history: list[tuple[str, str]] = []  # (line, answer), oldest first

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
            yield Static("", id="demo-log", markup=False)
        yield KioskFooter()

    def action_type(self) -> None:
        line = self.query_one(Input)
        line.can_focus = True
        line.focus()

    def _give_focus_back(self) -> None:
        line = self.query_one(Input)
        line.can_focus = False
        self.set_focus(None)

    def action_pick(self, key: str) -> None:
        self.send(next(line for k, _, line in PICKS if k == key))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        line = event.value.strip()
        if line:
            event.input.value = ""
            self._give_focus_back()
            self.send(line)

    @work(thread=True, group="demo")
    def send(self, line: str) -> None:
        self.sent.append(line)
        try:
            answer = self.inject(line)
        except Exception as exc:  # noqa: BLE001 - a demo panel reports and carries on
            answer = f"error: {exc}"
        self.post_message(Injected(line, answer))

    def on_injected(self, message: Injected) -> None:
        """The newest line with its answer and the kiosk's reply in full; older ones a line each."""
        answer = message.answer or "(no answer)"
        latest = Text()
        latest.append("> ", style="bold")
        latest.append_text(plain(message.line, 70))
        for said in answer.splitlines()[:3]:
            latest.append("\n  ")
            latest.append_text(plain(said, 160))
        self.query_one("#demo-answer", Static).update(latest)
        older = Text()
        for line, said in reversed(self.history):
            older.append_text(plain(f"> {line}: {said.splitlines()[0] if said else ''}", 200))
            older.append("\n")
        self.query_one("#demo-log", Static).update(older)
        self.history.append((message.line, answer))
        del self.history[:-LOG_LINES]
        field = self.query_one(Input)
        if answer.startswith(("error:", "usage:")) and not field.value:
            field.value = message.line  # not understood: kept, to be corrected
            self.action_type()

    def action_close(self) -> None:
        self.dismiss(None)
