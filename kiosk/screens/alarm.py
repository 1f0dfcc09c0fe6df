"""The red alarm view: takes over the screen, rings the bell until acknowledged, and says what to do.

`AlarmScreen(alarm_id)` is a modal with no way out but acknowledgements (the reception PIN dialog
says who, `kiosk.screens.ack.AckDialog` asks for the action taken; the service records it). It
shows one red alarm and names every other open one (N switches). Left alone for
`ui.alarm_privacy_seconds` it falls back to names and the instruction; the details are one key
away and each showing after that is audited. It must never show a code word, and never interpret
text from SMS or forms.
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

from kiosk.domain.alarm_words import instruction, kind_word
from kiosk.domain.display import ago
from kiosk.screens._work import Failure, in_db_thread
from kiosk.screens.ack import AckDialog, AckRequest  # noqa: F401 - AckRequest: callers import it here
from kiosk.services import alarms
from kiosk.services.board_view import (
    AlarmDetail, AlarmLine, BoardView, alarm_detail, reveal_alarm_details, urgency,
)
from kiosk.widgets.footer import KioskFooter
from kiosk.widgets.look import local_hhmm, plain

BELL_SECONDS = 5  # the alarm view rings the terminal bell this often while it is open


class DetailLoaded(Message):
    def __init__(self, detail: AlarmDetail) -> None:
        super().__init__()
        self.detail = detail


class Acknowledged(Message):
    def __init__(self, alarm_id: int, error: str | None) -> None:
        super().__init__()
        self.alarm_id, self.error = alarm_id, error


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
    if detail.nobody_in_charge(now):
        out.append("NOBODY HAS TAKEN CHARGE: CALL 999 NOW\n", style="bold")
    told = told_text(detail, tz)
    if told:
        line("Told", plain(told, 300))
    sent = detail.delivery_lines(tz)  # delivery reports are a hint: words only, nothing held back
    if sent:
        line("Alert texts", plain("; ".join(sent), 300))
    undelivered = detail.delivery_warning(now)
    if undelivered:
        out.append(undelivered.upper() + "\n", style="bold")
    if len(detail.steps) > 1:  # every acknowledgement in order, not only the latest
        ack = Text()
        for n, (at, who, action, ref) in enumerate(detail.steps):
            ack.append(("; " if n else "") + f"{local_hhmm(at, tz)} ")
            ack.append_text(plain(who, 40))
            ack.append(f": {action}" + (" (police ref recorded)" if ref else ""))
        line("At the kiosk", ack)
    elif detail.acknowledged_by:
        ack = plain(detail.acknowledged_by, 40)
        ack.append(f": {detail.action}" + (" (police ref recorded)" if detail.police_ref else ""))
        line("At the kiosk", ack)
    return out


def told_text(detail: AlarmDetail, tz) -> str:
    """Who has been told of the alarm, by tier, how and when first: "tier 1 Head Teacher (text 14:02);
    tier 2 Safeguarding Lead (text 14:07)". Empty where tiers are not in use and nobody was rung:
    the "Alert texts" line already names everyone texted."""
    if not any((a.tier or 1) != 1 or a.how != "sms" for a in detail.alerted):
        return ""
    how = {"sms": "text", "call": "call"}
    return "; ".join(f"{'tier ' + str(a.tier) + ' ' if a.tier else ''}{a.who} ({how.get(a.how, a.how)} "
                     f"{local_hhmm(a.at, tz)})" for a in detail.alerted)


ACTION_WORDS = {"no-answer": "no answer", "police": "police called", "other": "acknowledged"}


def others_text(others: list[AlarmLine], tz, *, can_switch: bool) -> Text:
    """The line under the title: how many other red alarms are open, which, and the key to the next."""
    if not others:
        return Text("No other red alarm open.")
    out = Text(f"+{len(others)} more red alarm{'s' if len(others) != 1 else ''}: ", style="bold")
    for n, alarm in enumerate(others):
        if n:
            out.append(" | ")
        out.append(f"{kind_word(alarm.kind)} ", style="bold")
        out.append_text(plain(", ".join(alarm.names) or "?", 40))
        out.append(f" {local_hhmm(alarm.raised_at, tz)}")
        if alarm.acknowledged_by:  # still open: no answer, police called, other
            out.append(f" ({ACTION_WORDS.get(alarm.action or '', 'acknowledged')})")
    if can_switch:
        out.append("   N = next", style="bold")
    return out


class AlarmScreen(ModalScreen[None]):
    """Keys: A or Enter acknowledge, D show/hide details, N the next red alarm (with more than one).
    There is no Escape: only acknowledgements end it.

    One view for every red alarm waiting at the kiosk: it shows one (the most urgent when it
    opens), says how many others are open, and N switches between those still waiting. A new red
    alarm rings at once and is named at once; one more urgent than the one shown takes over (a
    duress over an SOS over a no-reply), one as urgent or less does not pull the screen away from
    someone reading an address out to the police. Acknowledged, the view moves on to the next one."""

    FOLLOWS_BOARD = True  # the app hands it every board it loads (it closes when acknowledged elsewhere)
    BINDINGS = [
        Binding("a", "acknowledge", "Acknowledge"),
        Binding("enter", "acknowledge", "Acknowledge", show=False),
        Binding("d", "details", "Show/hide details"),
        Binding("n", "next_alarm", "Next red alarm"),
    ]

    def __init__(self, alarm_id: int, detail: AlarmDetail | None = None, *, view: BoardView | None = None) -> None:
        """`detail` (read by the app's board worker with the board) saves a second read before the
        first frame; without it the screen reads it in a worker. `view`: the board that opened it."""
        super().__init__(classes="alarm-screen")
        self.alarm_id = alarm_id
        self.detail: AlarmDetail | None = detail if detail is not None and detail.id == alarm_id else None
        self.rings = 0
        self.full = True  # details visible
        self.acknowledged = False  # no red alarm waits any more: silent
        self._activity = 0.0
        self.view = view
        self.seen: set[int] = {a.id for a in view.waiting_reds()} if view is not None else {alarm_id}

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="alarm-box"):
            yield Static(Text(f"RED ALARM {self.alarm_id}", style="bold"), id="alarm-title", markup=False)
            yield Static("", id="alarm-others", markup=False)
            yield Static("", id="alarm-instruction", markup=False)
            yield Static("", id="alarm-body", markup=False)
            yield Static("", id="alarm-hint", markup=False)
        yield KioskFooter()

    def on_mount(self) -> None:
        app = self.app
        self._activity = app.ctx.clock.monotonic()
        if self.detail is None:
            self.load()
        else:
            self.render_detail()
        self.render_others()
        self.ring()
        if app.options.live:
            self.set_interval(BELL_SECONDS, self.ring)
            self.set_interval(1, self.check_privacy)

    # --- attention ------------------------------------------------------------------------------
    def ring(self) -> None:
        """The terminal bell, until every red alarm is acknowledged (the gateway also plays the alarm sound)."""
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

    # --- which alarm ----------------------------------------------------------------------------
    def waiting(self) -> list[AlarmLine]:
        return self.view.waiting_reds() if self.view is not None else []

    def others(self) -> list[AlarmLine]:
        return [a for a in (self.view.open_reds() if self.view is not None else []) if a.id != self.alarm_id]

    def line_of(self, alarm_id: int) -> AlarmLine | None:
        return next((a for a in self.waiting() if a.id == alarm_id), None)

    def switch_to(self, alarm_id: int) -> None:
        """Show another waiting red alarm: its title and instruction at once, its details read anew
        (never a moment of one alarm's number over another's facts)."""
        if alarm_id == self.alarm_id:
            return
        self.alarm_id = alarm_id
        self.detail = None
        self.full = True
        self._activity = self.app.ctx.clock.monotonic()
        line = self.line_of(alarm_id)
        title = Text(f" {self.app.glyphs.red} RED ALARM {alarm_id}", style="bold")
        if line is not None:
            title.append(f": {kind_word(line.kind)} ")
            title.append_text(plain(f"- {', '.join(line.names)}", 120, style="bold"))
            self.query_one("#alarm-instruction", Static).update(Text(instruction(line.kind).upper(), style="bold"))
        self.query_one("#alarm-title", Static).update(title)
        self.query_one("#alarm-body", Static).update(Text("Reading the details..."))
        self.render_others()
        self.load()

    def show(self, view: BoardView) -> None:
        """Each board reload: ring and name a new red alarm (a more urgent one takes over); move on
        when the one shown was acknowledged or resolved (here or elsewhere); close when none waits."""
        self.view = view
        waiting = view.waiting_reds()
        new = [a for a in waiting if a.id not in self.seen]
        self.seen.update(a.id for a in waiting)
        current = self.line_of(self.alarm_id)
        if current is None:
            if not waiting:
                self.acknowledged = True
                if self.app.screen is self:
                    self.notify(f"Alarm {self.alarm_id} was acknowledged.", markup=False)
                    self.dismiss(None)
                return
            self.notify(f"Alarm {self.alarm_id} was acknowledged.", markup=False)
            self.switch_to(waiting[0].id)
        elif new and urgency(new[0]) < urgency(current):
            self.switch_to(new[0].id)
        for alarm in new:
            self.app.bell()
            kind = kind_word(alarm.kind)
            self.notify(f"New red alarm {alarm.id}: {kind} {', '.join(alarm.names)}"
                        + ("" if alarm.id == self.alarm_id else " (N shows it)"),
                        title="RED ALARM", severity="error", markup=False)
        self.render_others()
        self.load()

    def render_others(self) -> None:
        can_switch = len(self.waiting()) > 1
        self.query_one("#alarm-others", Static).update(
            others_text(self.others(), self.app.ctx.tz, can_switch=can_switch))
        hint = Text("A = acknowledge (who, what you did)   D = " + ("hide" if self.full else "show")
                    + " details" + ("   N = next alarm" if can_switch else ""))
        self.query_one("#alarm-hint", Static).update(hint)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_alarm":
            return len(self.waiting()) > 1
        return True

    def action_next_alarm(self) -> None:
        waiting = [a.id for a in self.waiting()]
        if len(waiting) > 1:
            at = waiting.index(self.alarm_id) if self.alarm_id in waiting else -1
            self.switch_to(waiting[(at + 1) % len(waiting)])

    # --- data -------------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="alarm-detail")
    def load(self, audited: bool = False) -> None:
        ctx, alarm_id = self.app.ctx, self.alarm_id
        if audited:
            detail = in_db_thread(ctx, reveal_alarm_details, ctx, alarm_id, actor="kiosk")
        else:
            detail = in_db_thread(ctx, alarm_detail, ctx, alarm_id)
        if isinstance(detail, Failure):
            self.app.notify(detail.message, title="Alarm details not read", severity="error", markup=False)
            return
        self.post_message(DetailLoaded(detail))

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        if message.detail.id != self.alarm_id:
            return  # read for the alarm shown before a switch
        self.detail = message.detail
        self.render_detail()

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
        """D shows the details again (audited) or hides them from a passer-by at once."""
        self._activity = self.app.ctx.clock.monotonic()
        self.full = not self.full
        if self.full:
            self.load(audited=True)
        else:
            self.render_detail()
        self.render_others()

    def action_acknowledge(self) -> None:
        """Who is at the keyboard (initials + reception PIN), then what they did."""
        from kiosk.screens.pin import ReceptionPinScreen  # on first use, not at the top: start-up time (the board's first frame does not need it)

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
        alarm_id = request.alarm_id or self.alarm_id
        done = in_db_thread(ctx, alarms.acknowledge, ctx, alarm_id, by=request.by, action=request.action,
                            ref=request.ref, note=request.note, actor="kiosk")
        # a Failure is one plain line (the service's refusal, or "could not save"): the alarm stays on screen
        self.post_message(Acknowledged(alarm_id, done.message if isinstance(done, Failure) else None))

    def on_acknowledged(self, message: Acknowledged) -> None:
        if message.error:
            self.notify(message.error, title="Not recorded", severity="error", markup=False)
            return
        self.notify(f"Alarm {message.alarm_id} acknowledged.", markup=False)
        rest = [a for a in self.waiting() if a.id != message.alarm_id]
        if not rest:
            self.acknowledged = True
            self.dismiss(None)
        elif message.alarm_id == self.alarm_id:
            self.switch_to(rest[0].id)  # the next most urgent; the reload below confirms it
        self.app.reload()
