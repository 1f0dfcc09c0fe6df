"""The whiteboard driven by keys: what it shows, what it hides, what reception can record."""

from __future__ import annotations

from datetime import timedelta

from kiosk.app import build_app
from kiosk.screens.alarm import AlarmScreen
from kiosk.screens.board import BoardScreen
from kiosk.screens.confirm import ConfirmDialog
from kiosk.screens.pin import ReceptionPinScreen
from kiosk.store.models import Alarm, Event, Visit
from kiosk.widgets.reveal import RevealPanel
from kiosk.widgets.visits import VisitsTable
from tests.ui.conftest import settle
from tests.ui.school import busy, staff


def table_text(app) -> list[list[str]]:
    table = app.screen.query_one(VisitsTable)
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def test_empty_board_says_no_one_is_out(ctx):
    app = build_app(ctx, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        assert app.screen.query_one("#empty").display
        assert not app.screen.query_one(VisitsTable).display


async def test_busy_board_most_urgent_first_labels_not_addresses(ctx, clock):
    busy(ctx, clock)
    app = build_app(ctx, live=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        rows = table_text(app)
        statuses = [r[0] for r in rows]
        assert statuses == ["■ NO REPLY", "■ DURESS", "▲ OVERDUE", "◔ DUE SOON", "● OK"]
        everything = " ".join(" ".join(r) for r in rows)
        assert "Elm Rd" not in everything and "High St" not in everything  # addresses stay hidden
        assert "Visit 3 · LU4" in everything and "Ann Lee + Bob Cole" in everything
        pair = next(r for r in rows if "Ann Lee" in r[1])
        assert "pair" in pair[-1] and "FLAGGED" in pair[-1] and "check-in 30m" in pair[-1]


async def test_data_changes_update_only_changed_cells_and_ticks_only_countdowns(ctx, clock):
    busy(ctx, clock)
    app = build_app(ctx, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(VisitsTable)
        before = table.cell_updates
        app.reload()
        await settle(app, pilot, loads=2)
        assert table.cell_updates == before  # nothing changed: nothing repainted
        clock.advance(1)
        app.screen.tick()  # 14:00:01: the countdowns due at whole minutes change ("in 1h00m" -> "in 59m")
        before = table.cell_updates
        clock.advance(58)
        app.screen.tick()  # 14:00:59: to the minute, so nothing changed
        assert table.cell_updates == before
        clock.advance(1)
        app.screen.tick()  # 14:01:00: only the overdue ones, counted from whole minutes: Eve and Ivy
        assert table.cell_updates == before + 2
        assert table.row_count == 5


async def test_reveal_shows_the_address_is_audited_and_hides_after_30_seconds(ctx, clock):
    ids = busy(ctx, clock)
    app = build_app(ctx, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(VisitsTable)
        table.move_cursor(row=table.get_row_index(str(ids["ann"])))
        await pilot.press("a")
        await settle(app, pilot)
        panel = app.screen.query_one(RevealPanel)
        assert panel.display and "14 Elm Rd, Luton LU4 9AB" in str(panel.render())
        events = list(Event.select().where(Event.kind == "address-revealed"))
        assert [(e.visit_id, e.actor) for e in events] == [(ids["ann"], "kiosk")]
        assert "(hides in 30 s)" in str(panel.render())
        clock.advance(1)
        app.screen.tick()  # found in the demo: "(hides in 30 s)" stood still until it hid
        assert "(hides in 29 s)" in str(panel.render())
        clock.advance(28)
        app.screen.tick()
        assert panel.display and "(hides in 1 s)" in str(panel.render())
        clock.advance(1)
        app.screen.tick()
        assert not panel.display and "Elm Rd" not in str(panel.render())


async def test_phoned_in_ok_records_a_check_in_with_initials(ctx, clock):
    ids = busy(ctx, clock)
    app = build_app(ctx, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(VisitsTable)
        table.move_cursor(row=table.get_row_index(str(ids["eve"])))
        await pilot.press("p")
        await settle(app, pilot)
        assert isinstance(app.screen, ReceptionPinScreen)
        await pilot.press("enter")  # no initials: refused, nothing written
        await settle(app, pilot)
        assert "initials" in app.screen.query_one("#initials-error").message
        assert Visit.get_by_id(ids["eve"]).last_contact_at is None
        await pilot.press("J", "R", "enter")
        await settle(app, pilot, loads=2)
        visit = Visit.get_by_id(ids["eve"])
        assert visit.last_contact_at == clock.now()
        assert Event.select().where((Event.kind == "contact") & (Event.actor == "kiosk:JR")).count() == 1
        assert not Alarm.select().where((Alarm.visit == ids["eve"]) & Alarm.resolved_at.is_null()).exists()


async def test_code_word_heard_on_a_call_raises_red_at_once_and_the_alarm_takes_over(ctx, clock):
    people = staff(ctx)
    from kiosk.services import sign_out

    visit = sign_out(ctx, [people["ann"], people["bob"]], "14 Elm Rd, Luton LU4 9AB",
                     clock.now() + timedelta(minutes=60)).visit
    app = build_app(ctx, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("c")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")  # not confirmed: nothing raised
        assert not Alarm.select().exists()
        await pilot.press("c", "y")
        await settle(app, pilot)
        await pilot.press("escape")  # nobody said who: nothing raised
        assert not Alarm.select().exists()
        await pilot.press("c", "y")
        await settle(app, pilot)
        await pilot.press("J", "R", "enter")
        await settle(app, pilot, loads=2)
        alarm = Alarm.get()
        assert (alarm.kind, alarm.level, alarm.visit_id) == ("duress", "red", visit.id)
        assert isinstance(app.screen, AlarmScreen) and app.screen.alarm_id == alarm.id


async def test_code_word_reveal_needs_the_admin_pin_is_audited_and_hides(db_path, clock):
    from kiosk.security.pins import hash_pin
    from kiosk.screens.pin import AdminPinScreen
    from kiosk.store import open_database
    from tests.ui.school import make_context

    open_database(db_path)
    ctx = make_context(clock, security={"admin_pin_hash": hash_pin("2468")})
    ids = busy(ctx, clock)
    app = build_app(ctx, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(VisitsTable)
        table.move_cursor(row=table.get_row_index(str(ids["ann"])))
        await pilot.press("k")
        await settle(app, pilot)
        assert isinstance(app.screen, AdminPinScreen)
        await pilot.press("escape")
        panel = app.screen.query_one(RevealPanel)
        assert not panel.display
        await pilot.press("k")
        await settle(app, pilot)
        await pilot.press(*"2468", "enter")
        await settle(app, pilot)
        shown = str(panel.render())
        assert "bluebird" in shown and "kestrel" in shown
        event = Event.get(Event.kind == "code-word-revealed")
        assert event.visit_id == ids["ann"] and "bluebird" not in event.summary
        clock.advance(30)
        app.screen.tick()
        assert not panel.display and "bluebird" not in str(panel.render())


async def test_board_keys_open_the_forms(ctx, clock):
    from kiosk.screens.help import HelpScreen
    from kiosk.screens.pin import AdminPinScreen
    from kiosk.screens.signout import SignOutScreen
    from kiosk.screens.visit_back import VisitBackScreen
    from kiosk.screens.visit_details import VisitDetailsScreen
    from kiosk.screens.visit_extend import VisitExtendScreen

    busy(ctx, clock)
    app = build_app(ctx, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for key, screen in (("o", SignOutScreen), ("b", VisitBackScreen), ("e", VisitExtendScreen),
                            ("enter", VisitDetailsScreen), ("f1", HelpScreen), ("f6", AdminPinScreen)):
            await pilot.press(key)
            await settle(app, pilot)
            assert isinstance(app.screen, screen), key
            await pilot.press("escape")
            await settle(app, pilot)
            assert isinstance(app.screen, BoardScreen), key
