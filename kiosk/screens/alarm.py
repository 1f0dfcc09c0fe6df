"""The red alarm view: takes over the screen, rings the bell until acknowledged, and says what to do.

`AlarmScreen(alarm_id)` is a modal with no way out but an acknowledgement (the reception PIN dialog
says who, `kiosk.screens.ack.AckDialog` asks for the action taken; the service records it). Left alone for `ui.alarm_privacy_seconds`
it falls back to names and the instruction; the details are one key away and each showing after
that is audited. It must never show a code word, and never interpret text from SMS or forms.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from kiosk.domain.alarm_words import kind_word
from kiosk.domain.display import ago
from kiosk.screens.ack import AckDialog, AckRequest  # noqa: F401 - AckRequest: callers import it here
from kiosk.services import alarms
from kiosk.services.board_view import (
    AlarmDetail, BoardView, alarm_detail, release_connection, reveal_alarm_details,
)
from kiosk.widgets.footer import KioskFooter
from kiosk.widgets.look import local_hhmm, plain

BELL_SECONDS = 5  # the alarm view rings the terminal bell this often while it is open


class DetailLoaded(Message):
    def __init__(self, detail: AlarmDetail) -> None:
        super().__init__()
        self.detail = detail


class Acknowledged(Message):
    def __init__(self, error: str | None) -> None:
        super().__init__()
        self.error = error


def alarm_text(detail: AlarmDetail, now: datetime, tz, *, full: bool) -> Text:
    """The body of the alarm view. `full` False: names and the instruction only (privacy)."""
    out = Text()

    def line(label: str, value: Text | str) -> None:
        out.append(f"{label:<14}", style="bold")
        out.append_text(value if isinstance(value, Text) else Text(value))
        out.append("\n")

    def when(at: datetime | None) -> str:
        return "never" if at is None else f"{local_hhmm(at, tz)} ({ago((now - at).total_seconds())})"

    if full:
        people = Text()
        for n, name in enumerate(detail.names):
            if n:
                people.append("; ")
            people.append_text(plain(name, 60, style="bold"))
            if n < len(detail.phones):
                people.append(" ")
                people.append_text(plain(detail.phones[n], 30))
        line("Staff", people if detail.names else Text("?"))
        line("Address", plain(detail.place or "not recorded", 300, style="bold"))
        if detail.home_phone:
            line("Home phone", plain(detail.home_phone, 40))
        car = " ".join(x for x in (detail.vehicle_reg, detail.vehicle_colour, detail.vehicle_make) if x)
        line("Vehicle", plain(car or detail.vehicle or "none recorded", 120))
        times = Text(f"left {local_hhmm(detail.left_at, tz)}   due back {local_hhmm(detail.due_back, tz)}   "
                     f"last contact {when(detail.last_contact)}")
        line("Times", times)
        trigger = plain(detail.summary, 200)
        trigger.append(f"  at {when(detail.raised_at)}")
        line("Triggered by", trigger)
    else:
        line("Staff", plain(", ".join(detail.names) or "?", 200, style="bold"))
        out.append("Details hidden from passers-by: press D to show them again (recorded).\n", style="italic")
    owner = plain(detail.owner, 60) if detail.owner else Text("nobody yet (no alert receiver has replied ACK)")
    line("Taken charge", owner)
    if detail.acknowledged_by:
        ack = plain(detail.acknowledged_by, 40)
        ack.append(f": {detail.action}" + (" (police ref recorded)" if detail.police_ref else ""))
        line("At the kiosk", ack)
    return out


class AlarmScreen(ModalScreen[None]):
    """Keys: A or Enter acknowledge, D details. There is no Escape: only an acknowledgement ends it."""

    FOLLOWS_BOARD = True  # the app hands it every board it loads (it closes when acknowledged elsewhere)
    BINDINGS = [
        Binding("a", "acknowledge", "Acknowledge"),
        Binding("enter", "acknowledge", "Acknowledge", show=False),
        Binding("d", "details", "Details"),
    ]

    def __init__(self, alarm_id: int, detail: AlarmDetail | None = None) -> None:
        """`detail` (read by the app's board worker with the board) saves a second read before the
        first frame; without it the screen reads it in a worker."""
        super().__init__(classes="alarm-screen")
        self.alarm_id = alarm_id
        self.detail: AlarmDetail | None = detail if detail is not None and detail.id == alarm_id else None
        self.rings = 0
        self.full = True  # details visible
        self.acknowledged = False
        self._activity = 0.0

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="alarm-box"):
            yield Static(Text(f"RED ALARM {self.alarm_id}", style="bold"), id="alarm-title", markup=False)
            yield Static("", id="alarm-instruction", markup=False)
            yield Static("", id="alarm-body", markup=False)
            yield Static(Text("A = acknowledge (initials and what you did)   D = details"), id="alarm-hint",
                         markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        app = self.app
        self._activity = app.ctx.clock.monotonic()
        if self.detail is None:
            self.load()
        else:
            self.render_detail()
        self.ring()
        if app.options.live:
            self.set_interval(BELL_SECONDS, self.ring)
            self.set_interval(1, self.check_privacy)

    # --- attention ------------------------------------------------------------------------------
    def ring(self) -> None:
        """The terminal bell, until someone acknowledges (the gateway also plays the alarm sound)."""
        if not self.acknowledged:
            self.rings += 1
            self.app.bell()

    def on_key(self) -> None:
        self._activity = self.app.ctx.clock.monotonic()

    def check_privacy(self) -> None:
        """After `alarm_privacy_seconds` untouched, fall back to names and the instruction."""
        seconds = self.app.ctx.config.ui.alarm_privacy_seconds
        if self.full and seconds and self.app.ctx.clock.monotonic() - self._activity >= seconds:
            self.full = False
            self.render_detail()

    # --- data -------------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="alarm-detail")
    def load(self, audited: bool = False) -> None:
        ctx = self.app.ctx
        try:
            detail = (reveal_alarm_details(ctx, self.alarm_id, actor="kiosk") if audited
                      else alarm_detail(ctx, self.alarm_id))
        finally:
            release_connection(ctx)
        self.post_message(DetailLoaded(detail))

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        self.detail = message.detail
        self.render_detail()

    def show(self, view: BoardView) -> None:
        """Each board reload: close if it was acknowledged or resolved elsewhere, else refresh."""
        line = next((a for a in view.alarms if a.id == self.alarm_id), None)
        if line is None or line.acknowledged_by is not None:
            self.acknowledged = True
            if self.app.screen is self:
                self.notify(f"Alarm {self.alarm_id} was acknowledged.", markup=False)
                self.dismiss(None)
            return
        self.load()

    def render_detail(self) -> None:
        detail = self.detail
        if detail is None:
            return
        app = self.app
        kind = kind_word(detail.kind)
        who = ", ".join(detail.names)
        title = Text(f" {app.glyphs.red} RED ALARM {detail.id}: {kind} ", style="bold")
        if who:
            title.append_text(plain(f"- {who}", 120, style="bold"))
        self.query_one("#alarm-title", Static).update(title)
        self.query_one("#alarm-instruction", Static).update(Text(detail.instruction.upper(), style="bold"))
        self.query_one("#alarm-body", Static).update(alarm_text(detail, app.ctx.now(), app.ctx.tz, full=self.full))

    # --- actions ------------------------------------------------------------------------------
    def action_details(self) -> None:
        self._activity = self.app.ctx.clock.monotonic()
        if not self.full:
            self.full = True
            self.load(audited=True)

    def action_acknowledge(self) -> None:
        """Who is at the keyboard (initials + reception PIN), then what they did."""
        from kiosk.screens.pin import ReceptionPinScreen

        alarm_id = self.alarm_id  # the one on screen now: the view may move on while the dialogs are open

        def chosen(request: AckRequest | None) -> None:
            if request is not None:
                self.record(request)

        def who(initials: str | None) -> None:
            if initials:
                self.app.push_screen(AckDialog(alarm_id, initials), chosen)

        self.app.push_screen(ReceptionPinScreen(self.app.ctx, action=f"acknowledge alarm {alarm_id}"), who)

    @work(thread=True, group="write")
    def record(self, request: AckRequest) -> None:
        ctx = self.app.ctx
        try:
            alarms.acknowledge(ctx, request.alarm_id or self.alarm_id, by=request.by, action=request.action,
                               ref=request.ref, note=request.note, actor="kiosk")
        except Exception as exc:  # noqa: BLE001 - shown to reception, the alarm stays on screen
            self.post_message(Acknowledged(str(exc)))
            return
        finally:
            release_connection(ctx)
        self.post_message(Acknowledged(None))

    def on_acknowledged(self, message: Acknowledged) -> None:
        if message.error:
            self.notify(message.error, title="Not recorded", severity="error", markup=False)
            return
        self.acknowledged = True
        self.notify(f"Alarm {self.alarm_id} acknowledged.", markup=False)
        self.dismiss(None)
        self.app.reload()
