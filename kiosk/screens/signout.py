"""The sign-out form: who goes, where, why, until when; checked against the register before saving.

`SignOutScreen(ctx)` -> ModalScreen[SignOutResult | None]: the new visit (id, public label, any
warning reception agreed to), or None if reception cancelled (Escape). Nothing is written until
every field is valid and the rules allow the visit: a refused visit (a lone visit to a flagged
place, a prohibited place, `lone_visits = "refuse"`) says why and saves nothing; a warning (a pair
at a flagged place, `lone_visits = "warn"`) needs an explicit Y. The code word is typed masked and
never shown; left empty, each member's standing code word applies. The public label is made from
the address by the domain (never typed), and the full address never leaves this form.

Keys: F2-F5 due back in 30/45/60/90 minutes, F9 save, Esc cancel, Tab/Enter next field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static

from kiosk.domain import limits
from kiosk.domain.codewords import CodeWordError, validate_code_word
from kiosk.domain.times import format_local
from kiosk.domain.visits import (PURPOSES, REFUSE, WARN, matching_flags, near_flags, postcode_district,
                                 sign_out_verdict)
from kiosk.services.context import Context
from kiosk.screens._due import TypedDueError, parse_typed_due
from kiosk.screens._idle import IdleClose
from kiosk.screens._form import FORMS_CSS, Banner, ErrorLine, Field, LiveErrors, errors_banner, first_error, row
from kiosk.screens._work import Failure, in_db_thread
from kiosk.screens.confirm import ConfirmDialog
from kiosk.screens.safe import plain
from kiosk.services import lookup
from kiosk.services.visit_view import Choices, StaffChoice, load_choices  # noqa: F401 - StaffChoice: callers import it here
from kiosk.services.visits import sign_out
from kiosk.widgets.footer import KioskFooter

PURPOSE_NAMES = {
    "attendance": "Attendance", "safeguarding": "Safeguarding / welfare", "send": "SEND",
    "transition": "Transition", "family-support": "Family support", "other": "Other",
}
CHECK_IN_CHOICES = (0, 15, 20, 30, 45, 60)
QUICK_PICKS = {"f2": 30, "f3": 45, "f4": 60, "f5": 90}
CODE_WORD_HERE = "this holds a code word: type it only in the Code word field"
MAX_PLACE, MAX_REF, MAX_VEHICLE, MAX_BY = limits.PLACE, limits.FAMILY_REF, limits.VEHICLE, limits.BY


@dataclass(frozen=True)
class SignOutResult:
    visit_id: int
    label: str
    warnings: tuple[str, ...] = ()


@dataclass
class Draft:
    """The form's values, checked: `errors` maps field id -> message (empty: valid)."""

    staff_ids: list[int] = field(default_factory=list)
    place: str = ""
    family_ref: str = ""
    purpose: str = ""
    due_back: datetime | None = None
    check_in: int | None = None
    vehicle: str = ""
    code_word: str | None = None
    approved_by: str = ""
    errors: dict[str, str] = field(default_factory=dict)


def _text(value: str, what: str, limit: int, errors: dict[str, str], key: str, *, required: str = "") -> str:
    try:
        cleaned = limits.clean_text(value, what, limit)
    except limits.TextError as exc:
        errors[key] = str(exc)
        return ""
    if not cleaned and required:
        errors[key] = required
    return cleaned


def check_form(values: dict[str, Any], eligible: set[int], now: datetime, tz, max_minutes: int) -> Draft:
    """Every field checked at once (pure): the Draft to save, or its errors by field id."""
    draft = Draft()
    errors = draft.errors
    first, second = values.get("staff"), values.get("second")
    if first is None:
        errors["staff"] = "choose who is going (Enter, then type a name)"
    elif first not in eligible:
        errors["staff"] = "not available: inactive, out already, or no code word"
    if second is not None:
        if second == first:
            errors["second"] = "the same person twice"
        elif second not in eligible:
            errors["second"] = "not available: inactive, out already, or no code word"
    draft.staff_ids = [s for s in (first, second) if s is not None]
    draft.place = _text(values.get("place", ""), "the address", MAX_PLACE, errors, "place",
                        required="the full address is required")
    if draft.place and "place" not in errors and not any(ch.isalnum() for ch in draft.place):
        errors["place"] = "the address needs letters or numbers"
    draft.family_ref = _text(values.get("family_ref", ""), "the reference", MAX_REF, errors, "family_ref")
    purpose = values.get("purpose")
    if purpose not in PURPOSES:
        errors["purpose"] = "choose the purpose of the visit"
    else:
        draft.purpose = purpose
    try:
        draft.due_back = parse_typed_due(values.get("due", ""), now, tz, max_minutes=max_minutes)
    except TypedDueError as exc:
        errors["due"] = str(exc)
    check_in = values.get("check_in")
    draft.check_in = check_in if isinstance(check_in, int) and check_in > 0 else None
    draft.vehicle = _text(values.get("vehicle", ""), "the vehicle", MAX_VEHICLE, errors, "vehicle")
    word = values.get("code_word", "")
    if word and word.strip():
        try:
            draft.code_word = validate_code_word(word)
        except CodeWordError as exc:
            errors["code_word"] = str(exc)
    draft.approved_by = _text(values.get("approved_by", ""), "approved by", MAX_BY, errors, "approved_by")
    return draft


class ChoicesLoaded(Message):
    def __init__(self, choices: Choices | Failure) -> None:
        super().__init__()
        self.choices = choices


class SignOutDone(Message):
    def __init__(self, outcome: SignOutResult | Failure | dict[str, str]) -> None:
        super().__init__()
        self.outcome = outcome


FIELDS = ("staff", "second", "place", "family_ref", "purpose", "due", "check_in", "vehicle", "code_word",
          "approved_by")


class SignOutScreen(LiveErrors, IdleClose, ModalScreen[SignOutResult | None]):
    """Sign a visit out (see the module docstring)."""

    CSS_PATH = [FORMS_CSS, Path(__file__).with_name("signout.tcss")]
    BINDINGS = [
        Binding("f2", "quick(30)", "+30", key_display="F2"),
        Binding("f3", "quick(45)", "+45", key_display="F3"),
        Binding("f4", "quick(60)", "+60", key_display="F4"),
        Binding("f5", "quick(90)", "+90", key_display="F5"),
        Binding("f9", "save", "Save", key_display="F9"),
        Binding("ctrl+s", "save", "Save", show=False),
        Binding("escape", "cancel", "Cancel", key_display="Esc"),
        Binding("f1", "help", "Help", key_display="F1"),
    ]

    def __init__(self, ctx: Context) -> None:
        super().__init__()
        self.ctx = ctx
        self.choices = Choices((), ())
        self.saving = False
        self.vehicle_typed = False
        self._setting_vehicle = False

    def compose(self) -> ComposeResult:
        default_check_in = int(self.ctx.config.visits.default_check_in_minutes or 0)
        check_ins = [(plain("none"), 0)] + [(plain(f"every {m} min"), m) for m in CHECK_IN_CHOICES if m]
        if default_check_in not in CHECK_IN_CHOICES:
            check_ins.append((plain(f"every {default_check_in} min"), default_check_in))
        with Vertical(classes="dialog"):
            yield Static("Sign out a visit", classes="dialog-title")
            yield Banner()
            with VerticalScroll(classes="form"):
                yield row("Staff", Select([], id="staff", prompt="choose (Enter, then type)", compact=True))
                yield ErrorLine("staff")
                yield row("With", Select([], id="second", prompt="nobody (lone visit)", compact=True))
                yield ErrorLine("second")
                yield row("Place", Field(id="place", placeholder="full address with postcode", limit=MAX_PLACE))
                yield ErrorLine("place")
                yield row("Board label", Static(plain("Visit (number), from the postcode"), id="label"))
                yield row("Family/pupil", Field(id="family_ref", placeholder="reference (optional)",
                                                limit=MAX_REF))
                yield ErrorLine("family_ref")
                yield row("Purpose", Select([(plain(PURPOSE_NAMES[p]), p) for p in PURPOSES], id="purpose",
                                            prompt="choose", compact=True))
                yield ErrorLine("purpose")
                yield row("Due back", Field(id="due", placeholder="15:30, 3.30pm or +45", max_length=16),
                          after="F2 +30  F3 +45  F4 +60  F5 +90")
                yield Static("", id="due-shown", classes="shown -empty")
                yield ErrorLine("due")
                yield row("Check-in", Select(check_ins, id="check_in", value=default_check_in, allow_blank=False,
                                             compact=True))
                yield row("Vehicle", Field(id="vehicle", placeholder="reg, make, colour", limit=MAX_VEHICLE))
                yield ErrorLine("vehicle")
                yield row("Code word", Field(id="code_word", password=True, placeholder="standing code word",
                                             max_length=40))
                yield ErrorLine("code_word")
                yield row("Approved by", Field(id="approved_by", placeholder="initials or name of the senior leader",
                                               limit=MAX_BY))
                yield ErrorLine("approved_by")
        yield KioskFooter()

    def on_mount(self) -> None:
        self.query_one("#staff", Select).focus()
        self.load()

    @work(thread=True, exclusive=True, group="signout-load")
    def load(self) -> None:
        self.post_message(ChoicesLoaded(in_db_thread(self.ctx, load_choices)))

    def on_choices_loaded(self, message: ChoicesLoaded) -> None:
        if isinstance(message.choices, Failure):
            self.query_one(Banner).show(message.choices.message, "refused")
            return
        self.choices = message.choices
        options = [(plain(c.name), c.id) for c in self.choices.staff]
        self.query_one("#staff", Select).set_options(options)
        self.query_one("#second", Select).set_options(options)
        if not options:
            self.query_one(Banner).show("nobody can go out: add staff with a code word (admin), "
                                        "or everyone is out already", "info")

    # --- reacting to input ------------------------------------------------------------------

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "staff":
            self._prefill_vehicle(event.value)
        self.query_one(Banner).clear()

    def _prefill_vehicle(self, staff_id: Any) -> None:
        if self.vehicle_typed:
            return
        choice = next((c for c in self.choices.staff if c.id == staff_id), None)
        self._setting_vehicle = True
        self.query_one("#vehicle", Input).value = choice.vehicle if choice else ""

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "vehicle":
            if self._setting_vehicle:
                self._setting_vehicle = False
            else:
                self.vehicle_typed = True
        elif event.input.id == "place":
            district = postcode_district(event.value)
            shown = f"Visit (number) · {district}" if district else "Visit (number): no postcode found"
            self.query_one("#label", Static).update(plain(shown))
        elif event.input.id == "due":
            self._show_due()

    def _show_due(self) -> None:
        shown = self.query_one("#due-shown", Static)
        try:
            due = parse_typed_due(self.query_one("#due", Input).value, self.ctx.now(), self.ctx.tz,
                                  max_minutes=self.ctx.max_extend_minutes)
        except TypedDueError:
            shown.update("")
            shown.add_class("-empty")
            return
        shown.remove_class("-empty")
        shown.update(plain(f"= due back at {format_local(due, self.ctx.tz)}"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def action_quick(self, minutes: int) -> None:
        due = self.query_one("#due", Input)
        due.value = f"+{int(minutes)}"
        self.query_one("#due-error", ErrorLine).show("")

    def action_help(self) -> None:
        from kiosk.screens.help import HelpScreen  # on first use, not at the top: start-up time (the board's first frame does not need it)

        self.app.push_screen(HelpScreen())

    def action_cancel(self) -> None:
        self.dismiss(None)

    # --- saving -----------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        def selected(name: str) -> Any:
            select = self.query_one(f"#{name}", Select)
            return None if select.is_blank() else select.value

        out: dict[str, Any] = {name: selected(name) for name in ("staff", "second", "purpose", "check_in")}
        for name in ("place", "family_ref", "due", "vehicle", "code_word", "approved_by"):
            out[name] = self.query_one(f"#{name}", Input).value
        return out

    def show_errors(self, errors: dict[str, str]) -> None:
        """Every field's error as of now (stale ones cleared); the focus to the first wrong field."""
        for line in self.query(ErrorLine):
            line.show(errors.get(line.field_id, ""))
        for name in FIELDS:
            widget = self.query_one(f"#{name}")
            widget.set_class(name in errors, "-invalid-field")
        if "due" in errors:  # never "= due back at 16:00" beside the due-back error
            shown = self.query_one("#due-shown", Static)
            shown.update("")
            shown.add_class("-empty")
        first = first_error(FIELDS, errors)
        if first:
            self.query_one(f"#{first}").focus()

    def action_save(self) -> None:
        if self.saving:
            return
        banner = self.query_one(Banner)
        banner.clear()
        eligible = {c.id for c in self.choices.staff}
        draft = check_form(self.values(), eligible, self.ctx.now(), self.ctx.tz, self.ctx.max_extend_minutes)
        if self.ctx.config.visits.approval == "require" and not draft.approved_by and "approved_by" not in draft.errors:
            draft.errors["approved_by"] = "this school requires approval: who approved the visit?"
        self.show_errors(draft.errors)
        if draft.errors:
            banner.show(errors_banner(self, FIELDS, draft.errors), "refused")
            return
        flags = matching_flags(draft.place, self.choices.flags)
        verdict = sign_out_verdict(len(draft.staff_ids), flags, self.ctx.config.visits.lone_visits,
                                   near_flags(draft.place, self.choices.flags))
        if verdict.outcome == REFUSE:
            banner.show(f"{verdict.reason}. Nothing saved.", "refused")
            where = "second" if flags and len(draft.staff_ids) == 1 and not any(f.prohibited for f in flags) else "place"
            self.query_one(f"#{where}-error", ErrorLine).show(verdict.reason)
            return
        if verdict.outcome == WARN:
            banner.show(verdict.reason, "warning")

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self._save(draft)
                else:
                    banner.show(f"{verdict.reason}. Not signed out.", "warning")

            self.app.push_screen(ConfirmDialog("Sign out anyway?", f"{verdict.reason}."), confirmed)
            return
        self._save(draft)

    def _save(self, draft: Draft) -> None:
        self.saving = True
        self.query_one(Banner).show("saving...", "info")
        self.save(draft)

    @work(thread=True, exclusive=True, group="signout-save")
    def save(self, draft: Draft) -> None:
        ctx = self.ctx

        def run() -> SignOutResult | dict[str, str]:
            # A code word typed into the wrong field (Vehicle, Approved by: found in a trial) would
            # be stored and shown in clear: said at the field, nothing saved. sign_out refuses too.
            typed = {"place": draft.place, "family_ref": draft.family_ref, "vehicle": draft.vehicle,
                     "approved_by": draft.approved_by}
            hits = lookup.fields_with_code_words(typed, [draft.code_word] if draft.code_word else [])
            if hits:
                return {key: CODE_WORD_HERE for key in hits}
            done = sign_out(ctx, draft.staff_ids, draft.place, draft.due_back, check_in_minutes=draft.check_in,
                            approved_by=draft.approved_by or None, code_word=draft.code_word,
                            family_ref=draft.family_ref, purpose=draft.purpose, vehicle=draft.vehicle,
                            started_by="kiosk")
            return SignOutResult(done.visit.id, done.visit.label, tuple(done.warnings))

        self.post_message(SignOutDone(in_db_thread(ctx, run)))

    def on_sign_out_done(self, message: SignOutDone) -> None:
        self.saving = False
        if isinstance(message.outcome, Failure):
            kind = "refused" if message.outcome.refused else "info"
            self.query_one(Banner).show(f"{message.outcome.message}. Nothing saved.", kind)
            if "approv" in message.outcome.message:  # not an approver, inactive, on the visit
                self.query_one("#approved_by-error", ErrorLine).show(message.outcome.message)
            return
        if isinstance(message.outcome, dict):
            self.show_errors(message.outcome)
            self.query_one(Banner).show(errors_banner(self, FIELDS, message.outcome), "refused")
            return
        self.dismiss(message.outcome)
