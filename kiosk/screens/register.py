"""The "don't visit alone" register, for admins: flagged places, add and deactivate. Admin PIN.

`RegisterScreen(ctx)` -> Screen[None] (an AdminScreen). `RegisterFormScreen(ctx)` ->
ModalScreen[int | None]: the new entry's id, None if cancelled. An entry flags an address (its
words, in order) and/or a postcode (full, or a district such as LU4); "prohibited" means no visit
at all, not even in pairs. Reasons and addresses are shown literally. Keys: A add, D deactivate.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Static

from kiosk.domain.visits import normalise_postcode
from kiosk.services.context import Context
from kiosk.screens._form import FORMS_CSS, Banner, ErrorLine, Field, LiveErrors, errors_banner, first_error, row
from kiosk.screens._work import Failure, in_db_thread
from kiosk.screens.admin import Activity, AdminListScreen
from kiosk.screens.confirm import ConfirmDialog
from kiosk.screens.safe import cell
from kiosk.security.idle import IdleTimer
from kiosk.services.people import add_register_entry
from kiosk.services.staff_admin import deactivate_register_entry
from kiosk.services.admin_view import EntryRow, load_register
from kiosk.widgets.footer import KioskFooter


def check_register_form(values: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for key, limit in (("address", 200), ("reason", 200)):
        text = " ".join((values.get(key) or "").split())
        if not text.isprintable():
            errors[key] = "contains control characters"
        elif len(text) > limit:
            errors[key] = f"too long (at most {limit} characters)"
    if "reason" not in errors and not (values.get("reason") or "").strip():
        errors["reason"] = "say why (shown when a sign-out is refused or warned)"
    postcode = (values.get("postcode") or "").strip()
    if postcode and not normalise_postcode(postcode):
        errors["postcode"] = "not a UK postcode or district (e.g. LU4 9AB or LU4)"
    if not postcode and not (values.get("address") or "").strip() and "address" not in errors:
        errors["address"] = "give an address or a postcode to flag"
    return errors


class RegisterSaved(Message):
    def __init__(self, outcome: Any) -> None:
        super().__init__()
        self.outcome = outcome


class RegisterScreen(AdminListScreen):
    NAME = "register"
    HEADING = "Register: places not to visit alone"
    HINT = "A lone visit to a flagged place is refused; a pair is warned; a prohibited place is refused."
    TABLE_ID = "register-table"
    EMPTY = "the register is empty: A to flag a place"
    BINDINGS = [
        Binding("a", "add", "Add", key_display="A"),
        Binding("d", "deactivate", "Remove", key_display="D"),
    ]

    def read_rows(self) -> list[EntryRow]:
        return load_register()

    def columns(self) -> tuple[tuple[str, int], ...]:
        return (("Address", 30), ("Postcode", 9), ("Reason", 30), ("Rule", 10))

    def cells(self, r: EntryRow) -> tuple[Any, ...]:
        return (cell(r.address or "-"), cell(r.postcode or "-"), cell(r.reason),
                cell("PROHIBITED" if r.prohibited else "not alone"))

    def action_add(self) -> None:
        def added(entry_id: int | None) -> None:
            if entry_id:
                self.query_one(Banner).show("added", "info")
                self.load()

        self.open_child(RegisterFormScreen(self.ctx), added)

    def action_deactivate(self) -> None:
        entry = self.selected()
        if entry is None:
            return

        def decided(yes: bool | None) -> None:
            if yes:
                self.change("removed from the register", deactivate_register_entry, self.ctx, entry.id,
                            actor="kiosk:admin")

        self.open_child(ConfirmDialog("Remove this place from the register?",
                                      f"{entry.address or entry.postcode}: {entry.reason}"), decided)


class RegisterFormScreen(LiveErrors, Activity, ModalScreen[int | None]):
    CSS_PATH = FORMS_CSS
    DEFAULT_CSS = "RegisterFormScreen { align: center middle; }"
    BINDINGS = [
        Binding("f9", "save", "Save", key_display="F9"),
        Binding("escape", "cancel", "Cancel", key_display="Esc"),
    ]

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        self.idle = IdleTimer(ctx.clock.monotonic)
        self.saving = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Flag a place", classes="dialog-title")
            yield Banner()
            yield row("Address", Field(id="address", placeholder="e.g. 9 Oak Lane", limit=200))
            yield ErrorLine("address")
            yield row("Postcode", Field(id="postcode", placeholder="LU4 9AB, or LU4 for a district", max_length=10))
            yield ErrorLine("postcode")
            yield row("Reason", Field(id="reason", placeholder="why (no names)", limit=200))
            yield ErrorLine("reason")
            yield row("Rule", Checkbox("prohibited: no visit at all", id="prohibited", compact=True))
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one("#address", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if self.saving:
            return
        values = {name: self.query_one(f"#{name}", Input).value for name in ("address", "postcode", "reason")}
        values["prohibited"] = self.query_one("#prohibited", Checkbox).value
        errors = check_register_form(values)
        for line in self.query(ErrorLine):
            line.show(errors.get(line.field_id, ""))
        if errors:
            fields = ("address", "postcode", "reason")
            self.query_one(Banner).show(errors_banner(self, fields, errors), "refused")
            first = first_error(fields, errors)
            if first:
                self.query_one(f"#{first}").focus()
            return
        self.saving = True
        self.save(values)

    @work(thread=True, exclusive=True, group="register-form-save")
    def save(self, values: dict[str, Any]) -> None:
        ctx = self.ctx

        def run() -> int:
            return add_register_entry(ctx, reason=values["reason"], address=values["address"],
                                      postcode=values["postcode"], prohibited=values["prohibited"],
                                      actor="kiosk:admin").id

        self.post_message(RegisterSaved(in_db_thread(ctx, run)))

    def on_register_saved(self, message: RegisterSaved) -> None:
        self.saving = False
        if isinstance(message.outcome, Failure):
            self.query_one(Banner).show(f"{message.outcome.message}. Nothing saved.", "refused")
            return
        self.dismiss(message.outcome)
