"""Staff, for admins: list, add, edit, deactivate/reactivate. Behind the admin PIN.

`StaffScreen(ctx)` -> Screen[None] (an AdminScreen: back to the board on Esc or after inactivity).
`StaffFormScreen(ctx, staff_id=None)` -> ModalScreen[int | None]: the id saved, None if cancelled.
Mobiles are validated (kiosk.domain.phones) and shown in national format; a code word is typed
masked, validated, and never shown: the list says only whether one is set; editing leaves it as it
is unless a new one is typed. Every field's problem is shown beside it and nothing is saved.

Keys: A add, E or Enter edit, D deactivate/reactivate, F6/F7/F8 other admin screens, Esc board.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Checkbox, DataTable, Input, Static

from kiosk.domain.codewords import CodeWordError, validate_code_word
from kiosk.domain.phones import PhoneError, national_format, normalise_mobile
from kiosk.services.context import Context
from kiosk.screens._form import FORMS_CSS, Banner, ErrorLine, Field, LiveErrors, errors_banner, row
from kiosk.screens._work import Failure, in_db_thread
from kiosk.screens.admin import Activity, AdminListScreen
from kiosk.screens.confirm import ConfirmDialog
from kiosk.screens.safe import cell, plain
from kiosk.services.people import MAX_TIER, add_staff
from kiosk.services.staff_admin import set_staff_active, update_staff
from kiosk.services.admin_view import StaffRow, load_staff
from kiosk.widgets.footer import KioskFooter
from kiosk.security.idle import IdleTimer

FIELDS = ("name", "mobile", "role", "alert_tier", "code_word", "vehicle_reg", "vehicle_make", "vehicle_colour")
LIMITS = {"name": 80, "role": 80, "vehicle_reg": 12, "vehicle_make": 80, "vehicle_colour": 80}


def check_staff_form(values: dict[str, Any], *, editing: bool) -> dict[str, str]:
    """Field id -> message for every field that is wrong (pure; the service checks again)."""
    errors: dict[str, str] = {}
    for key, limit in LIMITS.items():
        text = " ".join((values.get(key) or "").split())
        if key == "name" and not text:
            errors[key] = "the name is required"
        elif not text.isprintable():
            errors[key] = "contains control characters"
        elif len(text) > limit:
            errors[key] = f"too long (at most {limit} characters)"
    mobile = (values.get("mobile") or "").strip()
    if mobile:
        try:
            normalise_mobile(mobile)
        except PhoneError as exc:
            errors["mobile"] = str(exc)
    elif values.get("alerts"):
        errors["mobile"] = "an alert receiver needs a mobile"
    tier = (values.get("alert_tier") or "").strip()
    if not (tier.isdigit() and tier.isascii() and 1 <= int(tier) <= MAX_TIER):
        errors["alert_tier"] = f"a tier from 1 to {MAX_TIER} (1 is texted first)"
    word = values.get("code_word") or ""
    if word.strip():
        try:
            validate_code_word(word)
        except CodeWordError as exc:
            errors["code_word"] = str(exc)
    return errors


class StaffSaved(Message):
    def __init__(self, outcome: Any) -> None:
        super().__init__()
        self.outcome = outcome


class StaffScreen(AdminListScreen):
    NAME = "staff"
    HEADING = "Staff"
    HINT = "Who may go out (needs a code word) and who receives alerts. Code words are never shown."
    TABLE_ID = "staff-table"
    BINDINGS = [
        Binding("a", "add", "Add", key_display="A"),
        Binding("e", "edit", "Edit", key_display="E"),
        Binding("d", "toggle_active", "Deactivate/reactivate", key_display="D"),
    ]

    def read_rows(self) -> list[StaffRow]:
        return load_staff()

    def columns(self) -> tuple[tuple[str, int], ...]:
        return (("Name", 20), ("Mobile", 12), ("Role", 8), ("Alerts", 6), ("Code word", 9), ("Vehicle", 20),
                ("Status", 6))

    def cells(self, r: StaffRow) -> tuple[Any, ...]:
        vehicle = " ".join(p for p in (r.vehicle_reg, r.vehicle_make, r.vehicle_colour) if p)
        return (cell(r.name), cell(national_format(r.mobile) if r.mobile else "-"), cell(r.role),
                cell(("yes" if r.tier == 1 else f"tier {r.tier}") if r.alerts else "-"), cell("set" if r.has_code_word else "NONE"),
                cell(vehicle), cell("active" if r.active else "left"))

    def _saved(self, staff_id: int | None) -> None:
        if staff_id:
            self.query_one(Banner).show("saved", "info")
            self.load()

    def action_add(self) -> None:
        self.open_child(StaffFormScreen(self.ctx), self._saved)

    def action_edit(self) -> None:
        row = self.selected()
        if row is None:
            self.query_one(Banner).show("no member of staff selected", "info")
            return
        self.open_child(StaffFormScreen(self.ctx, row), self._saved)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit()

    def action_toggle_active(self) -> None:
        row = self.selected()
        if row is None:
            return
        verb = "Deactivate" if row.active else "Reactivate"

        def decided(yes: bool | None) -> None:
            if yes:
                self.change("saved", set_staff_active, self.ctx, row.id, not row.active, actor="kiosk:admin")

        self.open_child(ConfirmDialog(f"{verb} {row.name}?", "They stay in the records; deactivated staff cannot "
                                      "go out or receive alerts."), decided)


class StaffFormScreen(LiveErrors, Activity, ModalScreen[int | None]):
    CSS_PATH = FORMS_CSS
    DEFAULT_CSS = "StaffFormScreen { align: center middle; }"
    BINDINGS = [
        Binding("f9", "save", "Save", key_display="F9"),
        Binding("escape", "cancel", "Cancel", key_display="Esc"),
    ]

    def __init__(self, ctx: Context, existing: StaffRow | None = None) -> None:
        super().__init__()
        self.ctx, self.existing = ctx, existing

        self.idle = IdleTimer(ctx.clock.monotonic)  # replaced by the admin screen's own when opened from it
        self.saving = False

    def compose(self) -> ComposeResult:
        e = self.existing
        with Vertical(classes="dialog"):
            yield Static(plain(f"Edit {e.name}" if e else "Add a member of staff"), classes="dialog-title")
            yield Banner()
            with VerticalScroll(classes="form"):
                yield row("Name", Field(e.name if e else "", id="name", limit=80))
                yield ErrorLine("name")
                yield row("Mobile", Field(national_format(e.mobile) if e and e.mobile else "", id="mobile",
                                          placeholder="07700 900123", max_length=40))
                yield ErrorLine("mobile")
                yield row("Role", Field(e.role if e else "", id="role", placeholder="e.g. FLO, DSL, head",
                                        limit=80))
                yield ErrorLine("role")
                yield row("Alerts", Checkbox("receives alarm texts", e.alerts if e else False, id="alerts",
                                             compact=True))
                yield row("Alert tier", Field(str(e.tier) if e else "1", id="alert_tier", max_length=2,
                                              placeholder="1 is texted first, 2 if nobody takes charge"))
                yield ErrorLine("alert_tier")
                yield row("Approver", Checkbox("may approve visits", e.approver if e else False, id="approver",
                                               compact=True))
                placeholder = "(set: type a new one to change)" if e and e.has_code_word else "one unusual word"
                yield row("Code word", Field(id="code_word", password=True, placeholder=placeholder, max_length=40))
                yield ErrorLine("code_word")
                yield row("Vehicle reg", Field(e.vehicle_reg if e else "", id="vehicle_reg", limit=12))
                yield ErrorLine("vehicle_reg")
                yield row("Make/model", Field(e.vehicle_make if e else "", id="vehicle_make", limit=80))
                yield ErrorLine("vehicle_make")
                yield row("Colour", Field(e.vehicle_colour if e else "", id="vehicle_colour", limit=80))
                yield ErrorLine("vehicle_colour")
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: self.query_one(f"#{name}", Input).value for name in FIELDS}
        out["alerts"] = self.query_one("#alerts", Checkbox).value
        out["approver"] = self.query_one("#approver", Checkbox).value
        return out

    def show_errors(self, errors: dict[str, str]) -> None:
        for line in self.query(ErrorLine):
            line.show(errors.get(line.field_id, ""))
        for name in FIELDS:
            self.query_one(f"#{name}").set_class(name in errors, "-invalid-field")
        first = next((name for name in FIELDS if name in errors), None)
        if first:
            self.query_one(f"#{first}").focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if self.saving:
            return
        values = self.values()
        errors = check_staff_form(values, editing=self.existing is not None)
        self.show_errors(errors)
        if errors:
            self.query_one(Banner).show(errors_banner(self, FIELDS, errors), "refused")
            return
        self.saving = True
        self.save(values)

    @work(thread=True, exclusive=True, group="staff-form-save")
    def save(self, values: dict[str, Any]) -> None:
        ctx, existing = self.ctx, self.existing
        kwargs = dict(role=values["role"], vehicle_reg=values["vehicle_reg"], vehicle_make=values["vehicle_make"],
                      vehicle_colour=values["vehicle_colour"], alerts=values["alerts"],
                      approver=values.get("approver", False), tier=int(values["alert_tier"]))
        word = values["code_word"] if values["code_word"].strip() else None
        mobile = values["mobile"].strip() or None

        def run() -> int:
            if existing is None:
                return add_staff(ctx, values["name"], mobile, code_word=word, actor="kiosk:admin", **kwargs).id
            return update_staff(ctx, existing.id, name=values["name"], mobile=mobile, code_word=word,
                                actor="kiosk:admin", **kwargs).id

        self.post_message(StaffSaved(in_db_thread(ctx, run)))

    def on_staff_saved(self, message: StaffSaved) -> None:
        self.saving = False
        outcome = message.outcome
        if isinstance(outcome, Failure):
            field = "mobile" if "mobile" in outcome.message else "name" if "called" in outcome.message else None
            if field:
                self.query_one(f"#{field}-error", ErrorLine).show(outcome.message)
            self.query_one(Banner).show(f"{outcome.message}. Nothing saved.", "refused")
            return
        self.dismiss(outcome)
