"""PIN dialogs driven by keys: admin PIN wrong then right; reception initials + PIN.

Issue 5: "A wrong PIN only slows the next try; nothing ever blocks the board or an alarm from showing."
"""

from __future__ import annotations

from kiosk.screens.pin import AdminPinScreen, ReceptionPinScreen
from kiosk.store.models import Event
from tests.ui.forms_harness import ADMIN_PIN, RECEPTION_PIN, Host, School, error_text, pilot_test, settle, type_text  # noqa: F401
from tests.ui.forms_harness import school  # noqa: F401 - the pytest fixture


@pilot_test
async def test_admin_pin_wrong_then_right(school):
    app = Host(lambda: AdminPinScreen(school.ctx))
    async with app.run_test() as pilot:
        screen = app.screen_under_test
        await type_text(pilot, "111111")
        await pilot.press("enter")
        await settle(pilot)
        assert app.results == []
        assert "Wrong PIN" in error_text(screen, "pin")
        assert screen.query_one("#pin").value == ""
        await type_text(pilot, "222222")
        await pilot.press("enter")
        await settle(pilot)
        assert "wait 1 s" in error_text(screen, "pin")  # second failure: the next try waits
        await type_text(pilot, ADMIN_PIN)
        await pilot.press("enter")
        await settle(pilot)
        assert app.results == []  # refused without checking: still inside the wait
        assert "wait" in error_text(screen, "pin")
        school.clock.advance(1)
        await pilot.press("enter")
        await settle(pilot)
        assert app.results == [True]
    kinds = [e.kind for e in Event.select().where(Event.kind.startswith("admin-pin"))]
    assert kinds == ["admin-pin-wrong", "admin-pin-wrong", "admin-pin-ok"]
    assert all(ADMIN_PIN not in e.summary for e in Event.select())


@pilot_test
async def test_admin_pin_escape_is_false_and_keys_are_digits_only(school):
    app = Host(lambda: AdminPinScreen(school.ctx))
    async with app.run_test() as pilot:
        await type_text(pilot, "12ab[x]")
        assert app.screen_under_test.query_one("#pin").value == "12"
        await pilot.press("escape")
        await settle(pilot)
    assert app.results == [False]


@pilot_test
async def test_throttle_is_shared_by_the_app_and_never_a_lock_out(school):
    app = Host(lambda: AdminPinScreen(school.ctx))
    async with app.run_test() as pilot:
        for _ in range(8):
            school.clock.advance(30)  # every wait has passed (at most 30 s); the dialog is not idle (60 s)
            app.screen_under_test.query_one("#pin").value = "999999"
            await pilot.press("enter")
            await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        again = AdminPinScreen(school.ctx)
        app.push_screen(again, app.results.append)
        await settle(pilot)
        again.query_one("#pin").value = ADMIN_PIN
        await pilot.press("enter")
        await settle(pilot)
        assert "wait 30 s" in error_text(again, "pin")  # a new dialog does not reset the delay
        school.clock.advance(30)
        await pilot.press("enter")
        await settle(pilot)
    assert app.results == [False, True]  # slowed, never locked out


@pilot_test
async def test_without_an_admin_pin_set_the_dialog_says_how(tmp_path, clock):
    from kiosk.config import config_from_mapping
    from kiosk.services import Context

    s = School(tmp_path / "k.db", clock)
    s.ctx = Context(config_from_mapping({}), clock)
    app = Host(lambda: AdminPinScreen(s.ctx))
    async with app.run_test() as pilot:
        assert "kiosk admin set-pin" in str(app.screen_under_test.query_one("#no-admin-pin").render())
        await pilot.press("escape")
        await settle(pilot)
    s.close()
    assert app.results == [False]


@pilot_test
async def test_reception_pin_gives_the_initials(school):
    app = Host(lambda: ReceptionPinScreen(school.ctx, action="mark a visit back"))
    async with app.run_test() as pilot:
        await settle(pilot)
        screen = app.screen_under_test
        await pilot.press("enter")
        assert "2 to 4 letters" in error_text(screen, "initials")
        await type_text(pilot, "ab")
        await pilot.press("enter")  # moves on to the PIN
        await type_text(pilot, "0000")
        await pilot.press("enter")
        await settle(pilot)
        assert "Wrong PIN" in error_text(screen, "pin") and app.results == []
        await type_text(pilot, RECEPTION_PIN)
        await pilot.press("enter")
        await settle(pilot)
    assert app.results == ["AB"]
    assert Event.select().where(Event.kind == "reception-pin-wrong").count() == 1


@pilot_test
async def test_reception_initials_alone_when_no_pins_are_set_up(tmp_path, clock):
    s = School(tmp_path / "k.db", clock, pins=False)
    app = Host(lambda: ReceptionPinScreen(s.ctx, action="extend"))
    async with app.run_test() as pilot:
        await settle(pilot)
        assert not app.screen_under_test.query_one("#pin").parent.display
        await type_text(pilot, "cd")
        await pilot.press("enter")
        await settle(pilot)
    s.close()
    assert app.results == ["CD"]


@pilot_test
async def test_a_malformed_admin_hash_in_the_config_says_how_to_fix_it(tmp_path, clock):
    from kiosk.config import config_from_mapping
    from kiosk.services import Context

    s = School(tmp_path / "k.db", clock)
    s.ctx = Context(config_from_mapping({"security": {"admin_pin_hash": "246810"}}), clock)  # a PIN, not a hash
    app = Host(lambda: AdminPinScreen(s.ctx))
    async with app.run_test() as pilot:
        assert "not one kiosk made" in str(app.screen_under_test.query_one("#no-admin-pin").render())
        assert not app.screen_under_test.query("#pin")  # nothing to type a PIN into
        await pilot.press("escape")
        await settle(pilot)
    s.close()
    assert app.results == [False]


@pilot_test
async def test_a_pin_dialog_left_alone_closes_and_uncovers_the_board(school):
    app = Host(lambda: AdminPinScreen(school.ctx))
    async with app.run_test() as pilot:
        await type_text(pilot, "12")
        school.clock.advance(59)
        await pilot.pause(0.6)
        assert app.results == []
        school.clock.advance(2)
        for _ in range(100):
            if app.results:
                break
            await pilot.pause(0.05)
    assert app.results == [False]
