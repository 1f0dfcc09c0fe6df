"""The acknowledge dialog: what reception did about a red alarm, recorded so it cannot be mis-recorded.

`AckDialog(alarm_id, by)` -> ModalScreen[AckRequest | None]. Found in use (issue 15): with the list
focused again after Shift+Tab, the digits of a police reference re-chose "4 Stood down", Enter
resolved a duress alarm and both alert receivers were texted that it was over. So:

- an action is chosen on purpose: its digit while nothing is chosen yet, or arrows then Enter on
  the list. Once one is chosen a digit never changes it: typed on the list, it goes (like any
  letter) into the field the chosen action needs; typed into a field, it stays there;
- "Police called" shows its reference field straight under the list and puts the cursor in it;
- an action that RESOLVES the alarm (answered, stood down, false alarm) is confirmed on one line
  that names the alarm, the person and the texts it sends (Enter = confirm, Esc = change). An Enter
  within `CONFIRM_GUARD_SECONDS` of that line appearing is a bounce or a double press, not a
  reading of it: it only asks again;
- Enter with nothing chosen says "choose what you did".
The dialog writes nothing: its caller records the AckRequest through the alarms service.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, RadioButton, RadioSet, Static

from kiosk.domain import limits
from kiosk.screens._form import FORMS_CSS, Field, row
from kiosk.screens._work import Failure, in_db_thread
from kiosk.domain.alarm_words import kind_word
from kiosk.services.board_view import AckPreview, ack_preview
from kiosk.widgets.choice import ChoiceButton
from kiosk.widgets.footer import KioskFooter
from kiosk.widgets.look import plain
from kiosk.screens.confirm import initials_error

ACTION_LABELS = (
    ("answered", "Answered: spoke to them, all OK"),
    ("no-answer", "No answer"),
    ("police", "Police called (reference below)"),
    ("stood-down", "Stood down"),
    ("false-alarm", "False alarm"),
    ("other", "Other (give a note)"),
)
RESOLVING = ("answered", "stood-down", "false-alarm")  # as kiosk.services.alarms: these end the alarm
DIGITS = "123456"[:len(ACTION_LABELS)]
CONFIRM_GUARD_SECONDS = 1.0
CHOOSE = "Choose what you did: press its number, 1 to 6."


@dataclass(frozen=True)
class AckRequest:
    """What the acknowledge dialog returns: who, what they did, and the police reference / note."""

    by: str
    action: str
    ref: str | None = None
    note: str | None = None
    alarm_id: int | None = None  # the alarm the dialog was about (the alarm view may have moved on)


def ack_error(by: str, action: str | None, ref: str, note: str) -> tuple[str, str] | None:
    """(field id, message) for the first problem, or None when the acknowledgement can be recorded."""

    error = initials_error(by)
    if error:
        return "ack-action", error
    if action is None:
        return "ack-action", CHOOSE
    if action == "police" and not ref.strip():
        return "ack-ref", "Give the police reference."
    if action == "other" and not note.strip():
        return "ack-note", "Say what you did in the note."
    return None


def ends_text(alarm_id: int, preview: AckPreview | None) -> str:
    """The confirmation line of a resolving action: which alarm, whose, and what is texted."""
    if preview is None:
        return f"This ends alarm {alarm_id} and texts its alert receivers that it is over."
    kind = kind_word(preview.kind)
    who = ", ".join(preview.names) or "nobody named"
    if preview.receivers:
        texts = f"texts {preview.receivers} receiver{'s' if preview.receivers != 1 else ''} that it is over"
    else:
        texts = "texts nobody (no alert receiver was texted about it)"
    return f"This ends alarm {alarm_id}, {kind}, {who}, and {texts}."


class NoDefaultRadioSet(RadioSet):
    """A RadioSet with nothing highlighted until an arrow key is pressed. Textual highlights the first
    button on mount, so "Enter, Enter" chose "Answered" and resolved a duress alarm."""

    def _on_mount(self, event) -> None:
        # Textual also runs RadioSet's own mount handler (it highlights the first button); clear the
        # highlight once that is done.
        self.call_after_refresh(self._clear_highlight)

    def _clear_highlight(self) -> None:
        if self.pressed_button is None:
            self._selected = None

    @property
    def highlighted(self) -> int | None:
        return self._selected

    def clear(self) -> None:
        """Nothing chosen, nothing highlighted (Esc on the confirmation line: choose again)."""
        with self.prevent(RadioButton.Changed):
            if self._pressed_button is not None:
                self._pressed_button.value = False
        self._pressed_button = None
        self._selected = None


class ConfirmLine(Static, can_focus=True):
    """The summary of a resolving action; it holds the focus while it asks (Enter / Esc)."""


class PreviewLoaded(Message):
    def __init__(self, preview: AckPreview | None) -> None:
        super().__init__()
        self.preview = preview


class AckDialog(ModalScreen["AckRequest | None"]):
    """The action, then a police reference or a note, for the person `by` (from the reception PIN
    dialog). Esc goes back to the alarm (which stays), or from the confirmation line back to the
    choice. Returns an AckRequest only when it is complete (and, if it resolves, confirmed)."""

    CSS_PATH = FORMS_CSS
    DEFAULT_CSS = """
    AckDialog #ack { width: 76; }
    AckDialog #ack-action { width: 100%; }
    AckDialog #ack-confirm { text-style: bold reverse; padding: 0 1; margin-top: 1; }
    AckDialog #ack-hint { margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Back", key_display="Esc")]

    def __init__(self, alarm_id: int, by: str, *, back_to: str = "the alarm") -> None:
        super().__init__(classes="dialog-screen")
        self.alarm_id = alarm_id
        self.by = by
        self.back_to = back_to  # where Esc goes: the alarm view, or the board (R on an open alarm)
        self.preview: AckPreview | None = None
        self.confirming = False
        self.chosen: int | None = None  # index into ACTION_LABELS, set the moment it is chosen
        self._asked_at = 0.0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog danger", id="ack"):
            yield Static(self._title(), id="ack-title", classes="dialog-title", markup=False)
            yield Static(Text("What did you do? Press its number."), id="ack-question", markup=False)
            with NoDefaultRadioSet(id="ack-action", compact=True):
                for n, (_, label) in enumerate(ACTION_LABELS, 1):
                    yield ChoiceButton(f"{n} {label}")
            ref_row = row("Police ref", Field(placeholder="the reference the police gave", id="ack-ref",
                                              limit=limits.POLICE_REF, select_on_focus=False))
            ref_row.id = "ack-ref-row"
            ref_row.display = False
            yield ref_row
            yield row("Note", Field(placeholder="optional (needed for Other)", id="ack-note", limit=limits.NOTE,
                              select_on_focus=False))
            error = Static("", id="ack-error", classes="error", markup=False)
            error.display = False
            yield error
            confirm = ConfirmLine("", id="ack-confirm", markup=False)
            confirm.display = False
            yield confirm
            yield Static("", id="ack-hint", classes="dialog-hint", markup=False)
        yield KioskFooter()

    def _title(self) -> Text:
        title = Text(f"Acknowledge alarm {self.alarm_id}", style="bold")
        if self.preview is not None:
            kind = kind_word(self.preview.kind)
            title.append(f" ({kind}")
            if self.preview.names:
                title.append(", ")
                title.append_text(plain(", ".join(self.preview.names), 60))
            title.append(")")
        title.append(", as ")
        title.append_text(plain(self.by, 40, style="bold"))
        return title

    def on_mount(self) -> None:
        self.query_one(NoDefaultRadioSet).focus()
        self._hint()
        self.load_preview()

    @work(thread=True, exclusive=True, group="ack-preview")
    def load_preview(self) -> None:
        ctx = self.app.ctx
        result = in_db_thread(ctx, ack_preview, ctx, self.alarm_id)
        self.post_message(PreviewLoaded(None if isinstance(result, Failure) else result))

    def on_preview_loaded(self, message: PreviewLoaded) -> None:
        self.preview = message.preview
        self.query_one("#ack-title", Static).update(self._title())

    # --- state --------------------------------------------------------------------------------
    @property
    def action(self) -> str | None:
        return ACTION_LABELS[self.chosen][0] if self.chosen is not None else None

    def _field_for(self, action: str | None) -> Input:
        return self.query_one("#ack-ref" if action == "police" else "#ack-note", Input)

    def _say(self, message: str) -> None:
        error = self.query_one("#ack-error", Static)
        error.update(Text(message))
        error.display = bool(message)

    def _hint(self) -> None:
        action, focused = self.action, self.focused
        if self.confirming:
            text = "Not what you did? Esc = change"
        elif action is None:
            text = f"Press the number of what you did. Esc = back to {self.back_to}"
        elif isinstance(focused, Input) and focused.id == "ack-ref":
            text = "Type the police reference, then Enter. Tab = note"
        else:
            text = f"Enter = record, Tab = next field, Esc = back to {self.back_to}"
        self.query_one("#ack-hint", Static).update(Text(text))

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if self.confirming and not isinstance(self.focused, ConfirmLine):
            self._stop_confirming()  # Tab / Shift+Tab away from the question: back to editing
        self._hint()

    # --- keys ---------------------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        """On the action list: a digit chooses only while nothing is chosen; once something is, what
        is typed goes into the field it needs; Enter chooses the highlighted action or records. On
        the confirmation line: Enter confirms, nothing else types anywhere."""
        focused = self.focused
        if isinstance(focused, ConfirmLine):
            if event.key == "enter":
                event.stop()
                self.confirm()
            elif event.is_printable:
                event.stop()
            return
        if not isinstance(focused, NoDefaultRadioSet):
            return  # a field: typed characters stay in it (Input takes them before this handler)
        chosen = self.action
        highlighted = focused.highlighted
        if event.key == "space" and highlighted is not None and highlighted != self.chosen:
            return  # the list's own key: choose the highlighted action
        if event.key == "enter":
            event.stop()
            if highlighted is not None and highlighted != self.chosen:
                self._choose(highlighted)  # arrows then Enter: chosen on purpose
            elif chosen is None:
                self._say(CHOOSE)
            else:
                self.submit()
            return
        if not event.is_printable or not event.character:
            return
        event.stop()
        event.prevent_default()
        if chosen is None:
            if event.character in DIGITS:
                self._choose(int(event.character) - 1)
            else:
                self._say(CHOOSE)
            return
        field = self._field_for(chosen)  # e.g. a reference typed after Shift+Tab landed on the list
        field.focus()
        field.cursor_position = len(field.value)
        field.insert_text_at_cursor(event.character)

    def _question(self) -> None:
        index = self.chosen
        text = Text("What did you do? ")
        if index is None:
            text.append("Press its number.")
        else:
            text.append(f"Chosen: {index + 1} {ACTION_LABELS[index][1]}", style="bold")
        self.query_one("#ack-question", Static).update(text)

    def _choose(self, index: int) -> None:
        """Choose at once, not when the RadioSet's message comes round: typed fast, "4 Enter" had
        its Enter handled before the list knew of the 4 (it said "choose what you did")."""
        self.chosen = index
        self.query(RadioButton)[index].value = True
        self._question()
        self.query_one("#ack-ref-row").display = self.action == "police"
        self._say("")
        self._stop_confirming()
        self._field_for(self.action).focus()
        self._hint()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        if event.index != self.chosen:  # a click or the list's own space key
            self._choose(event.index)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._say("")  # the field is being corrected: no stale "give the police reference"
        if self.confirming:
            self._stop_confirming()

    # --- recording ----------------------------------------------------------------------------
    def values(self) -> tuple[str, str]:
        return self.query_one("#ack-ref", Input).value, self.query_one("#ack-note", Input).value

    def submit(self) -> None:
        """Enter in a field or on the list: check, then record, or first confirm a resolving action."""
        ref, note = self.values()
        problem = ack_error(self.by, self.action, ref, note)
        if problem:
            field, message = problem
            self._say(message)
            self.query_one(f"#{field}").focus()
            return
        self._say("")
        if self.action in RESOLVING:
            self._ask()
            return
        self._finish()

    def _ask(self) -> None:
        line = self.query_one("#ack-confirm", ConfirmLine)
        line.update(Text(ends_text(self.alarm_id, self.preview) + " Enter = confirm, Esc = change"))
        line.display = True
        self.confirming = True
        self._asked_at = self.app.ctx.clock.monotonic()
        line.focus()
        self._hint()

    def _stop_confirming(self) -> None:
        if self.confirming:
            self.confirming = False
            self.query_one("#ack-confirm", ConfirmLine).display = False

    def confirm(self) -> None:
        if not self.confirming:
            return
        if self.app.ctx.clock.monotonic() - self._asked_at < CONFIRM_GUARD_SECONDS:
            self._say("Read the line below first: Enter again to confirm, Esc to change.")
            return
        self._finish()

    def _finish(self) -> None:
        ref, note = self.values()
        self.dismiss(AckRequest(" ".join(self.by.split()), self.action, ref.strip() or None, note.strip() or None,
                                alarm_id=self.alarm_id))

    def action_cancel(self) -> None:
        """Esc: from the confirmation line back to the choice (nothing chosen, digits work again);
        otherwise back to where the dialog was opened from."""
        if self.confirming:
            self._stop_confirming()
            radios = self.query_one(NoDefaultRadioSet)
            radios.clear()
            self.chosen = None
            self._question()
            self.query_one("#ack-ref-row").display = False
            self._say("")
            radios.focus()
            self._hint()
            return
        self.dismiss(None)
