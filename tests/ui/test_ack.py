"""The acknowledge dialog under stress (issue 15): the key sequences that recorded "stood down" when
"police called" was meant, replayed from the demo's F9 panel, and the other mistaken keys (Enter
twice, digits in a field, Shift+Tab). Each checks what was stored, not just what was shown."""

from __future__ import annotations

from kiosk.app import build_app
from kiosk.gateway.demo import seed_demo
from kiosk.screens.ack import AckDialog
from kiosk.screens.alarm import AlarmScreen
from kiosk.screens.board import BoardScreen
from kiosk.services import sms_in
from kiosk.store.models import Alarm, Message
from tests.ui.conftest import settle


def keys(text: str) -> list[str]:
    """What typing `text` presses (a space is the key "space")."""
    return ["space" if ch == " " else ch for ch in text]


def demo_app(ctx):
    """The demo's school (Ann Lee's code word is bluebird; two alert receivers) with an F9 panel
    whose texts take the gateway's path into the database."""
    seed_demo(ctx)

    def inject(line: str) -> str:
        _, number, text = line.split(maxsplit=2)
        sms_in(ctx, number, text)
        return f"SMS from {number} delivered"

    app = build_app(ctx, live=False, demo=True, inject=inject)
    app.bell = lambda: None
    return app


async def duress_from_the_panel(app, pilot) -> Alarm:
    """F9, then 2: Ann texts her code word; the alarm view takes over."""
    await settle(app, pilot)
    await pilot.press("f9")
    await settle(app, pilot)
    await pilot.press("2")
    await settle(app, pilot)
    app.reload()  # the database watcher's job (off in tests)
    await settle(app, pilot, loads=2)
    assert isinstance(app.screen, AlarmScreen)
    return Alarm.get(Alarm.kind == "duress")


async def open_dialog(app, pilot, initials: str = "AB") -> AckDialog:
    await pilot.press("a")
    await settle(app, pilot)
    await pilot.press(*initials, "enter")  # no reception PINs in the demo: initials alone
    await settle(app, pilot)
    assert isinstance(app.screen, AckDialog)
    return app.screen


def said(dialog: AckDialog) -> str:
    return str(dialog.query_one("#ack-error").render())


def stand_downs() -> int:
    return Message.select().where(Message.kind == "stand-down").count()


async def test_the_observed_sequence_now_records_police_called_with_its_reference(ctx):
    """F9, code word, a, AB Enter, 3, Tab (the reference went into Note), "CAD 1234" Enter ("Give the
    police reference."), Shift+Tab (the action list), "CAD 1234" Enter. Twice this recorded "stood
    down" with no reference and texted the receivers that it was over."""
    app = demo_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        alarm = await duress_from_the_panel(app, pilot)
        dialog = await open_dialog(app, pilot)
        await pilot.press("3")
        assert dialog.action == "police" and dialog.focused.id == "ack-ref"  # the reference takes the focus
        assert dialog.query_one("#ack-ref-row").display
        await pilot.press("tab")
        await pilot.press(*keys("CAD 1234"), "enter")
        assert "Give the police reference" in said(dialog) and dialog.focused.id == "ack-ref"
        assert dialog.query_one("#ack-note").value == "CAD 1234"
        await pilot.press("shift+tab")
        assert dialog.focused.id == "ack-action"
        await pilot.press(*keys("CAD 1234"), "enter")  # the digits no longer choose "4 Stood down"
        await settle(app, pilot, loads=3)
        alarm = Alarm.get_by_id(alarm.id)
        assert (alarm.action, alarm.police_ref, alarm.acknowledged_by) == ("police", "CAD 1234", "AB")
        assert alarm.resolved_at is None  # police called: still open
        assert stand_downs() == 0  # nobody was told it was over


async def test_a_resolving_action_is_confirmed_on_a_line_naming_the_alarm_the_person_and_the_texts(ctx, clock):
    app = demo_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        alarm = await duress_from_the_panel(app, pilot)
        dialog = await open_dialog(app, pilot)
        await pilot.press("4", "enter", "enter")  # stood down, Enter twice: the second is a bounce
        line = str(dialog.query_one("#ack-confirm").render())
        assert (f"This ends alarm {alarm.id}, DURESS, Ann Lee, and texts 2 receivers that it is over. "
                "Enter = confirm, Esc = change") in line
        assert "Enter again to confirm" in said(dialog)
        assert Alarm.get_by_id(alarm.id).acknowledged_by is None and stand_downs() == 0
        clock.advance(2)
        await pilot.press("enter")
        await settle(app, pilot, loads=3)
        alarm = Alarm.get_by_id(alarm.id)
        assert (alarm.action, alarm.resolved_by) == ("stood-down", "AB") and alarm.resolved_at is not None
        assert stand_downs() == 2
        assert isinstance(app.screen, BoardScreen) or not isinstance(app.screen, AckDialog)


async def test_esc_on_the_confirmation_goes_back_to_choosing_and_a_digit_chooses_again(ctx, clock):
    app = demo_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        alarm = await duress_from_the_panel(app, pilot)
        dialog = await open_dialog(app, pilot)
        await pilot.press("5", "enter")  # false alarm: asks
        assert dialog.confirming
        await pilot.press("escape")  # change
        assert isinstance(app.screen, AckDialog) and not dialog.confirming and dialog.action is None
        assert dialog.focused.id == "ack-action"
        await pilot.press("3", *keys("LU 77"), "enter")
        await settle(app, pilot, loads=3)
        alarm = Alarm.get_by_id(alarm.id)
        assert (alarm.action, alarm.police_ref, alarm.resolved_at) == ("police", "LU 77", None)
        assert stand_downs() == 0


async def test_tab_away_from_the_confirmation_or_an_edit_cancels_it(ctx, clock):
    app = demo_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        alarm = await duress_from_the_panel(app, pilot)
        dialog = await open_dialog(app, pilot)
        await pilot.press("1", "enter")  # answered: asks
        assert dialog.confirming and dialog.focused.id == "ack-confirm"
        await pilot.press("x")  # nothing types on the question
        assert dialog.query_one("#ack-note").value == ""
        await pilot.press("shift+tab")
        assert not dialog.confirming and not dialog.query_one("#ack-confirm").display
        clock.advance(5)
        await pilot.press("enter")  # Enter on the note asks again: nothing is recorded without the line
        assert dialog.confirming
        assert Alarm.get_by_id(alarm.id).acknowledged_by is None


async def test_enter_with_nothing_chosen_says_choose_what_you_did(ctx):
    app = demo_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        alarm = await duress_from_the_panel(app, pilot)
        dialog = await open_dialog(app, pilot)
        await pilot.press("enter", "enter")
        assert "choose what you did" in said(dialog).lower() and dialog.action is None
        await pilot.press("x")  # a letter on the list chooses nothing either
        assert dialog.action is None and "choose what you did" in said(dialog).lower()
        await pilot.press("tab", *keys("rang 999"), "enter")  # from the note: still nothing chosen
        assert "choose what you did" in said(dialog).lower() and dialog.focused.id == "ack-action"
        assert dialog.query_one("#ack-note").value == "rang 999"  # digits typed in a field stay there
        assert Alarm.get_by_id(alarm.id).acknowledged_by is None


async def test_digits_in_the_note_and_shift_tab_never_change_a_chosen_action(ctx):
    app = demo_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        alarm = await duress_from_the_panel(app, pilot)
        dialog = await open_dialog(app, pilot)
        await pilot.press("2")  # no answer: the note takes the focus
        assert dialog.action == "no-answer" and dialog.focused.id == "ack-note"
        assert not dialog.query_one("#ack-ref-row").display  # no reference field unless police
        await pilot.press(*keys("rang 4 times"))
        await pilot.press("shift+tab", "1", "5")  # back on the list: typed into the note, not chosen
        assert dialog.action == "no-answer"
        assert dialog.query_one("#ack-note").value == "rang 4 times15"
        await pilot.press("backspace", "backspace", "enter")
        await settle(app, pilot, loads=3)
        alarm = Alarm.get_by_id(alarm.id)
        assert (alarm.action, alarm.note, alarm.resolved_at) == ("no-answer", "rang 4 times", None)


async def test_arrows_then_enter_still_change_the_action_on_purpose(ctx, clock):
    app = demo_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        alarm = await duress_from_the_panel(app, pilot)
        dialog = await open_dialog(app, pilot)
        await pilot.press("3", "shift+tab", "up", "enter")  # from police to no answer, on purpose
        assert dialog.action == "no-answer" and not dialog.query_one("#ack-ref-row").display
        assert dialog.focused.id == "ack-note"
        await pilot.press("enter")
        await settle(app, pilot, loads=3)
        assert Alarm.get_by_id(alarm.id).action == "no-answer"


async def test_the_dialog_has_its_own_footer_naming_esc(ctx):
    """Under the dialog the alarm view's footer said "a Acknowledge  d Details", keys the dialog
    does not have."""
    from textual.widgets._footer import FooterKey

    app = demo_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await duress_from_the_panel(app, pilot)
        dialog = await open_dialog(app, pilot)
        shown = {(k.key_display, k.description) for k in dialog.query(FooterKey)}
        assert shown == {("Esc", "Back")}, shown


def _dialog_snapshot(ctx, clock, snap_compare, console: bool, *presses: str):
    from tests.ui.school import busy

    busy(ctx, clock, pending_duress=True)
    app = build_app(ctx, live=False, console=console)
    app.bell = lambda: None

    async def run(pilot) -> None:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("J", "R", "enter")
        await settle(app, pilot)
        await pilot.press(*presses)
        await pilot.pause()

    return snap_compare(app, terminal_size=(80, 24), run_before=run)


def test_snapshot_police_called_puts_the_reference_under_the_list(ctx, clock, snap_compare):
    assert _dialog_snapshot(ctx, clock, snap_compare, False, "3")


def test_snapshot_police_called_console_theme(ctx, clock, snap_compare):
    assert _dialog_snapshot(ctx, clock, snap_compare, True, "3")


def test_snapshot_the_confirmation_of_a_resolving_action(ctx, clock, snap_compare):
    assert _dialog_snapshot(ctx, clock, snap_compare, False, "4", "enter")


def test_snapshot_the_confirmation_console_theme(ctx, clock, snap_compare):
    assert _dialog_snapshot(ctx, clock, snap_compare, True, "4", "enter")


async def test_typed_fast_a_digit_then_enter_asks_on_the_confirmation_line(ctx, clock):
    """Found in tmux: "4" and Enter arriving in one read lost the Enter (it was handled before the
    list had heard of the 4, said "choose what you did", and the 4 then cleared that)."""
    from textual import events

    app = demo_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        alarm = await duress_from_the_panel(app, pilot)
        dialog = await open_dialog(app, pilot)
        for key, char in (("4", "4"), ("enter", "\r")):  # one burst, as a terminal delivers them
            app.post_message(events.Key(key, char))
        await settle(app, pilot)
        assert dialog.action == "stood-down" and dialog.confirming and dialog.focused.id == "ack-confirm"
        assert "This ends alarm" in str(dialog.query_one("#ack-confirm").render())
        assert Alarm.get_by_id(alarm.id).acknowledged_by is None
