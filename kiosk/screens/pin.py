"""PIN dialogs: the admin PIN (admin screens, code-word reveal) and reception users' personal PINs.

`AdminPinScreen` -> ModalScreen[bool]: True once the admin PIN (config `security.admin_pin_hash`)
is typed; False on Escape. `ReceptionPinScreen` -> ModalScreen[str | None]: the initials of the
person at the keyboard once their initials and PIN match (with no reception PINs set up at all,
their initials alone), None on Escape; callers record those initials as who did it.

Never shows, logs or audits a PIN. A wrong PIN only makes the next try wait (the app-wide Throttle:
0, 1, 2, 4 ... at most 30 s); there is no lock-out, and the dialog never blocks the board or an
alarm (it is a modal the alarm screen can cover). Hash checks run in a thread worker.
"""

from __future__ import annotations

import math
from typing import Any

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from kiosk.services.context import Context
from kiosk.screens._idle import IdleClose
from kiosk.screens._form import FORMS_CSS, ErrorLine, Field, row
from kiosk.screens._work import Failure, in_db_thread
from kiosk.screens.safe import plain
from kiosk.security.pins import Throttle, is_pin_hash
from kiosk.services import audit
from kiosk.services.errors import Invalid
from kiosk.services.reception import (
    admin_pin_set, any_reception_users, check_admin_pin, check_reception_pin, normalise_initials,
)
from kiosk.widgets.footer import KioskFooter

ADMIN, RECEPTION = "admin", "reception"


def pin_throttle(app: App, ctx: Context, kind: str) -> Throttle:
    """The app-wide throttle for one kind of PIN, so closing and reopening a dialog resets nothing."""
    throttles = getattr(app, "_kiosk_pin_throttles", None)
    if throttles is None:
        throttles = {}
        setattr(app, "_kiosk_pin_throttles", throttles)  # noqa: B010 - kept off App's declared attributes
    if kind not in throttles:
        throttles[kind] = Throttle(ctx.clock.monotonic)
    return throttles[kind]


def _wait_text(seconds: float) -> str:
    return f"wait {math.ceil(seconds)} s before the next try"


class PinChecked(Message):
    """A PIN check finished: `who` is the result to dismiss with, or None if it was wrong."""

    def __init__(self, who: Any, error: str = "") -> None:
        super().__init__()
        self.who, self.error = who, error


class _PinDialog(IdleClose, ModalScreen):
    IDLE_SECONDS = 60.0
    CSS_PATH = FORMS_CSS
    DEFAULT_CSS = "_PinDialog { align: center middle; }"
    BINDINGS = [Binding("escape", "cancel", "Cancel", key_display="Esc")]
    kind = ADMIN

    def __init__(self, ctx: Context, *, throttle: Throttle | None = None) -> None:
        # a dialog-screen: what it was opened over stays in sight (a red alarm, not a black screen)
        super().__init__(classes="dialog-screen")
        self.ctx = ctx
        self._throttle = throttle
        self.checking = False

    @property
    def throttle(self) -> Throttle:
        if self._throttle is None:
            self._throttle = pin_throttle(self.app, self.ctx, self.kind)
        return self._throttle

    def _pin_input(self) -> Input:
        return Field(password=True, id="pin", max_length=12, restrict=r"[0-9]*",
                     placeholder="digits")

    def action_cancel(self) -> None:
        self.dismiss(self.cancel_result)

    cancel_result: Any = None

    def refuse(self, message: str, field: str = "pin") -> None:
        self.query_one(f"#{field}-error", ErrorLine).show(message)

    def submit(self) -> None:
        if self.checking:
            return
        wait = self.throttle.wait()
        if wait > 0:
            self.refuse(f"Wrong PIN: {_wait_text(wait)}.")
            return
        self.checking = True
        self.query_one("#pin-error", ErrorLine).show("")
        self.check(*self.values())

    def values(self) -> tuple[str, ...]:
        return (self.query_one("#pin", Input).value,)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def on_pin_checked(self, message: PinChecked) -> None:
        self.checking = False
        if message.error:
            self.refuse(message.error, "pin")
            return
        if message.who is not None and message.who is not False:
            self.throttle.success()
            self.dismiss(message.who)
            return
        delay = self.throttle.failure()
        pin = self.query_one("#pin", Input)
        pin.value = ""
        pin.focus()
        self.refuse("Wrong PIN." + (f" Please {_wait_text(delay)}." if delay > 0 else " Try again."))


class AdminPinScreen(_PinDialog):
    """Ask for the admin PIN. Result: True (right PIN) or False (Escape, or no admin PIN set)."""

    kind = ADMIN
    cancel_result = False
    IDLE_RESULT = False

    def __init__(self, ctx: Context, *, purpose: str = "open the admin screens", throttle: Throttle | None = None) -> None:
        super().__init__(ctx, throttle=throttle)
        self.purpose = purpose

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -narrow"):
            yield Static("Admin PIN", classes="dialog-title")
            if admin_pin_set(self.ctx) and not is_pin_hash(self.ctx.config.security.admin_pin_hash):
                yield Static("The admin PIN hash in the config is not one kiosk made. On the kiosk computer run:\n"
                             "  kiosk admin set-pin --write\nthen restart the screen. Esc to go back.",
                             id="no-admin-pin", classes="hint")
            elif admin_pin_set(self.ctx):
                yield Static(plain(f"Type the admin PIN to {self.purpose}, then Enter."), classes="hint")
                yield row("PIN", self._pin_input())
            else:
                yield Static("No admin PIN is set. On the kiosk computer run:\n  kiosk admin set-pin --write\n"
                             "then restart the screen. Esc to go back.", id="no-admin-pin", classes="hint")
            yield ErrorLine("pin")
        yield KioskFooter()

    @work(thread=True, exclusive=True, group="pin")
    def check(self, pin: str) -> None:
        ctx = self.ctx

        def verify() -> bool:
            ok = check_admin_pin(ctx, pin)
            with ctx.atomic():
                audit.record("admin-pin-ok" if ok else "admin-pin-wrong", ctx.now(), actor="kiosk",
                             summary="admin PIN " + ("accepted" if ok else "wrong"))
            return ok

        result = in_db_thread(ctx, verify)
        if isinstance(result, Failure):
            self.post_message(PinChecked(None, result.message))
        else:
            self.post_message(PinChecked(True if result else None))


class ReceptionPinScreen(_PinDialog):
    """Who is at the keyboard: initials + personal PIN. Result: the initials (e.g. "AB") or None."""

    kind = RECEPTION
    cancel_result = None

    class UsersKnown(Message):
        def __init__(self, any_users: bool) -> None:
            super().__init__()
            self.any_users = any_users

    def __init__(self, ctx: Context, *, action: str = "do this", throttle: Throttle | None = None) -> None:
        super().__init__(ctx, throttle=throttle)
        self.action = action
        self.pins_in_use = True

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog -narrow"):
            yield Static("Who is at the keyboard?", classes="dialog-title")
            yield Static(plain(f"Your initials and PIN to {self.action}, then Enter."), id="pin-hint",
                         classes="hint")
            yield row("Initials", Field(id="initials", max_length=4, restrict=r"[A-Za-z]*",
                                        placeholder="e.g. AB"))
            yield ErrorLine("initials")
            yield row("PIN", self._pin_input())
            yield ErrorLine("pin")
        yield KioskFooter()

    def on_mount(self) -> None:
        self.find_users()

    @work(thread=True, exclusive=True, group="pin-users")
    def find_users(self) -> None:
        result = in_db_thread(self.ctx, any_reception_users, self.ctx)
        self.post_message(self.UsersKnown(result is True))

    def on_reception_pin_screen_users_known(self, message: "ReceptionPinScreen.UsersKnown") -> None:
        self.pins_in_use = message.any_users
        if not message.any_users:
            self.query_one("#pin").parent.display = False
            self.query_one("#pin-hint", Static).update(plain(
                f"No reception PINs are set up: your initials to {self.action}, then Enter."))

    def values(self) -> tuple[str, ...]:
        return self.query_one("#initials", Input).value, self.query_one("#pin", Input).value

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "initials" and self.pins_in_use and not self.query_one("#pin", Input).value:
            self.query_one("#pin", Input).focus()
            return
        self.submit()

    def submit(self) -> None:
        try:
            normalise_initials(self.query_one("#initials", Input).value)
        except Invalid as exc:
            self.query_one("#initials-error", ErrorLine).show(str(exc))
            self.query_one("#initials", Input).focus()
            return
        self.query_one("#initials-error", ErrorLine).show("")
        if self.pins_in_use and not self.query_one("#pin", Input).value:
            self.refuse("type your PIN")
            return
        super().submit()

    @work(thread=True, exclusive=True, group="pin")
    def check(self, initials: str, pin: str) -> None:
        ctx, pins_in_use = self.ctx, self.pins_in_use

        def verify() -> str | None:
            who = normalise_initials(initials)
            if not pins_in_use and not any_reception_users(ctx):
                return who
            user = check_reception_pin(ctx, who, pin)
            if user is None:
                with ctx.atomic():
                    audit.record("reception-pin-wrong", ctx.now(), actor="kiosk", summary=f"PIN wrong for {who}")
                return None
            return user.initials

        result = in_db_thread(ctx, verify)
        if isinstance(result, Failure):
            self.post_message(PinChecked(None, result.message))
        else:
            self.post_message(PinChecked(result))
