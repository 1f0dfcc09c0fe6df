"""Admin screens driven by keys: staff (add with a bad mobile then a good one, edit, deactivate),
register (add, refuse garbage, remove), messages (literal text); the admin PIN in front of them all;
back to the board after inactivity.

Issue 8: "admin screens (staff, register, settings, export, code-word reveal) behind the admin PIN;
... the session returns to the board after inactivity."
"""

from __future__ import annotations

from datetime import timedelta

from textual.app import App
from textual.screen import Screen
from textual.widgets import Static

from kiosk.screens.admin import AdminScreen, open_admin
from kiosk.screens.confirm import ConfirmDialog
from kiosk.screens.messages import MessagesScreen
from kiosk.screens.pin import AdminPinScreen
from kiosk.screens.register import RegisterFormScreen, RegisterScreen
from kiosk.screens.safe import visible
from kiosk.screens.staff import StaffFormScreen, StaffScreen
from kiosk.services import sign_out
from kiosk.store.models import Event, Message, RegisterEntry, Staff
from tests.ui.forms_harness import (  # noqa: F401
    ADMIN_PIN, HOSTILE, Host, error_text, pilot_test, rendered, school, settle, type_text,
)


class Board(Screen):
    """Stands in for the board: the screen admin screens return to."""

    def compose(self):
        yield Static("BOARD")


class BoardApp(App):
    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx

    def on_mount(self):
        self.push_screen(Board())


async def _wait_until(pilot, condition, seconds=3.0):
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


@pilot_test
async def test_admin_pin_guards_the_staff_screen_and_inactivity_returns_to_the_board(school):
    app = BoardApp(school.ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        open_admin(app, school.ctx, lambda: StaffScreen(school.ctx))
        await settle(pilot)
        assert isinstance(app.screen, AdminPinScreen)
        await type_text(pilot, "000000")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AdminPinScreen)  # wrong PIN: still asking, no admin screen
        app.screen.query_one("#pin").value = ADMIN_PIN
        await pilot.press("enter")
        await settle(pilot)
        staff = app.screen
        assert isinstance(staff, StaffScreen)
        await pilot.press("a")  # a dialog of the admin session
        await settle(pilot)
        assert isinstance(app.screen, StaffFormScreen)
        school.clock.advance(100)
        await type_text(pilot, "x")  # activity in the dialog keeps the session open
        school.clock.advance(100)
        await pilot.pause(0.4)
        assert isinstance(app.screen, StaffFormScreen)
        school.clock.advance(21)
        assert await _wait_until(pilot, lambda: isinstance(app.screen, Board))
        assert staff.timed_out
    assert Staff.select().where(Staff.name == "x").count() == 0  # the half-typed form was not saved


@pilot_test
async def test_inactivity_never_closes_a_screen_it_did_not_open(school):
    app = BoardApp(school.ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        admin = StaffScreen(school.ctx)
        app.push_screen(admin)
        await settle(pilot)
        alarm = Board()  # e.g. the alarm view, pushed by the app on top of everything
        app.push_screen(alarm)
        await settle(pilot)
        school.clock.advance(600)
        await pilot.pause(0.4)
        assert app.screen is alarm and admin in app.screen_stack  # waits; the alarm stays
        app.pop_screen()
        assert await _wait_until(pilot, lambda: isinstance(app.screen, Board) and admin not in app.screen_stack)


@pilot_test
async def test_staff_add_with_a_bad_mobile_then_a_good_one(school):
    app = Host(lambda: StaffScreen(school.ctx))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, StaffFormScreen)
        await type_text(pilot, "Dee Lane")
        await pilot.press("tab")
        await type_text(pilot, "0123")
        form.query_one("#code_word").value = "robin"
        await pilot.press("f9")
        await settle(pilot)
        assert "valid phone number" in error_text(form, "mobile") or "not a" in error_text(form, "mobile")
        assert form.query_one("#banner").message.startswith("Mobile: ")  # Save names the field and goes there
        assert form.focused.id == "mobile"
        assert Staff.select().where(Staff.name == "Dee Lane").count() == 0
        form.query_one("#mobile").value = "+44 7700 900321"
        await pilot.press("f9")
        await settle(pilot)
        assert app.screen is app.screen_under_test
        table = app.screen.query_one("#staff-table")
        names = [table.get_row_at(i)[0].plain for i in range(table.row_count)]
        mobiles = [table.get_row_at(i)[1].plain for i in range(table.row_count)]
        assert "Dee Lane" in names and "07700 900321" in mobiles  # national format
        assert "robin" not in rendered(app)  # the code word is never shown, only "set"
    dee = Staff.get(Staff.name == "Dee Lane")
    assert dee.mobile == "+447700900321" and dee.code_word == "robin"


@pilot_test
async def test_staff_duplicate_mobile_and_garbage_are_refused_beside_the_field(school):
    app = Host(lambda: StaffScreen(school.ctx))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        form.query_one("#name").value = "[bold red]x[/]"
        form.query_one("#mobile").value = "07700 900123"  # Ann's
        form.query_one("#role").value = "\x1b[2J"
        form.query_one("#code_word").value = "school"
        await pilot.press("f9")
        await settle(pilot)
        assert "control characters" in error_text(form, "role")
        assert "too common" in error_text(form, "code_word")
        form.query_one("#role").value = ""
        form.query_one("#code_word").value = ""
        await pilot.press("f9")
        await settle(pilot)
        assert "duplicate mobile" in error_text(form, "mobile")
        assert form.query_one("#banner").kind == "refused"
    assert Staff.select().count() == 5


@pilot_test
async def test_staff_edit_keeps_the_code_word_and_deactivate_refuses_someone_out(school):
    sign_out(school.ctx, [school.bob], "1 Elm Rd LU4 9AB", school.clock.now() + timedelta(hours=1))
    app = Host(lambda: StaffScreen(school.ctx))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#staff-table")
        table.move_cursor(row=[r.name for r in screen.rows].index("Ann Lee"))
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert form.query_one("#mobile").value == "07700 900123"
        assert form.query_one("#code_word").value == ""  # never filled in, never shown
        form.query_one("#role").value = "FLO"
        await pilot.press("f9")
        await settle(pilot)
        table.move_cursor(row=[r.name for r in screen.rows].index("Bob Cole"))
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert "out on a visit" in screen.query_one("#banner").message
    ann = Staff.get_by_id(school.ann.id)
    assert ann.role == "FLO" and ann.code_word == "bluebird"
    assert Staff.get_by_id(school.bob.id).active
    assert Event.select().where(Event.kind == "staff-changed").count() == 1


@pilot_test
async def test_register_add_refuses_garbage_then_adds_and_removes(school):
    app = Host(lambda: RegisterScreen(school.ctx))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RegisterFormScreen)
        form.query_one("#postcode").value = "XYZ"
        await pilot.press("f9")
        assert "not a UK postcode" in error_text(form, "postcode")
        assert "say why" in error_text(form, "reason")
        form.query_one("#postcode").value = "lu4 9ab"
        form.query_one("#reason").value = "[@click=app.quit]hostile adult"
        await pilot.press("f9")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RegisterScreen)
        table = screen.query_one("#register-table")
        assert table.row_count == 2
        assert table.get_row_at(1)[2].plain == "[@click=app.quit]hostile adult"
        assert table.get_row_at(1)[1].plain == "LU4 9AB"
        table.move_cursor(row=0)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert table.row_count == 1
    assert [e.postcode for e in RegisterEntry.select().where(RegisterEntry.active == True)] == ["LU4 9AB"]  # noqa: E712


@pilot_test
async def test_messages_show_hostile_text_literally(school):
    for n, text in enumerate(HOSTILE):
        Message.create(direction="in", number="+447700900123", text=text, state="processed",
                       created_at=school.clock.now(), fingerprint=f"h{n}")
    Message.create(direction="out", number="+447700900200", text="ALARM [b]x[/b]", state="failed", kind="alert",
                   error="no network", created_at=school.clock.now())
    app = Host(lambda: MessagesScreen(school.ctx))
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#messages-table")
        texts = [table.get_row_at(i)[6].plain for i in range(table.row_count)]
        assert texts[0] == "ALARM [b]x[/b]" and texts[1:] == [visible(t) for t in reversed(HOSTILE)]
        assert table.get_row_at(0)[3].plain == "failed" and table.get_row_at(0)[2].plain == "07700 900200"
        shown = rendered(app)
        assert "[@click=app.quit]quit[/]" in shown and "\x1b" not in shown
        await pilot.press("down")
        assert visible(HOSTILE[-1]) in app.screen.query_one("#whole").render().plain
        await pilot.click("#messages-table", offset=(60, 3))
        await pilot.press("escape")
        await settle(pilot)
    assert app.results == [None]


@pilot_test
async def test_function_keys_move_between_admin_screens_in_one_session(school):
    app = Host(lambda: StaffScreen(school.ctx))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        first = app.screen
        await pilot.press("f7")
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen) and app.screen.idle is first.idle
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, MessagesScreen) and isinstance(app.screen, AdminScreen)


async def test_keys_typed_quickly_after_tab_go_to_the_next_field(ctx):
    """Found by QA typing fast into the staff form: "Fa<Tab>07" put "Fa07" into the name, because Tab
    moved the focus only after the name field had been handed the keys typed after it. The keys are
    queued at once, as a fast typist's (or a slow Pi's) would be."""
    from textual import events

    from kiosk.app import build_app
    from kiosk.screens.staff import StaffFormScreen
    from tests.ui.conftest import settle as settle_app

    app = build_app(ctx, live=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle_app(app, pilot)
        app.push_screen(StaffFormScreen(ctx))
        await settle_app(app, pilot)
        form = app.screen
        keys = [("F", "F"), ("a", "a"), ("tab", "\t"), ("0", "0"), ("7", "7"), ("shift+tab", None)]
        for key, character in keys:
            app.post_message(events.Key(key, character))
        for _ in range(10):
            await pilot.pause()
        assert (form.query_one("#name").value, form.query_one("#mobile").value) == ("Fa", "07")
        assert app.focused is form.query_one("#name")  # Shift+Tab went back at once too


@pilot_test
async def test_staff_alert_tier_is_set_on_the_form_and_garbage_is_refused_beside_it(school):
    """Issue 18: the admin screen sets an alert receiver's tier (1 to 9); a letter, 0 or nothing is
    refused beside the field and nothing is saved."""
    receiver = next(s for s in Staff.select() if s.receives_alerts)
    app = Host(lambda: StaffScreen(school.ctx))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#staff-table")
        table.move_cursor(row=[r.name for r in screen.rows].index(receiver.name))
        await pilot.press("e")
        await settle(pilot)
        form = app.screen
        assert form.query_one("#alert_tier").value == "1"
        for bad in ("x", "0", "", "12"):
            form.query_one("#alert_tier").value = bad
            await pilot.press("f9")
            await settle(pilot)
            assert "tier from 1 to 9" in error_text(form, "alert_tier"), bad
            assert app.screen is form
        assert Staff.get_by_id(receiver.id).alert_tier == 1
        form.query_one("#alert_tier").value = "2"
        await pilot.press("f9")
        await settle(pilot)
        assert app.screen is app.screen_under_test
        row = table.get_row_at([r.name for r in screen.rows].index(receiver.name))
        assert row[3].plain == "tier 2"
    assert Staff.get_by_id(receiver.id).alert_tier == 2
