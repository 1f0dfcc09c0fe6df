"""The red alarm view: takes over, rings, cannot be dismissed without initials and an action,
records the acknowledgement, and hides its details from passers-by after a minute."""

from __future__ import annotations

from kiosk.app import build_app
from kiosk.screens.ack import AckDialog
from kiosk.screens.alarm import AlarmScreen
from kiosk.screens.board import BoardScreen
from kiosk.store.models import Alarm, Event
from tests.ui.conftest import settle
from tests.ui.school import busy


def counting_bells(app) -> list[int]:
    rung = []
    app.bell = lambda: rung.append(1)
    return rung


async def acknowledge_as(app, pilot, *initials: str) -> None:
    """A, then who is at the keyboard (no reception PINs set up: initials alone)."""
    await pilot.press("a")
    await settle(app, pilot)
    await pilot.press(*initials, "enter")
    await settle(app, pilot)


def rendered_text(app) -> str:
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot())).replace("\xa0", " ")


def body(app) -> str:
    return str(app.screen.query_one("#alarm-body").render())


async def test_duress_takes_over_rings_and_shows_what_the_police_ask_for(ctx, clock):
    ids = busy(ctx, clock, pending_duress=True)
    app = build_app(ctx, live=False)
    rung = counting_bells(app)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AlarmScreen) and screen.alarm_id == ids["duress_alarm"]
        assert len(rung) == 1
        screen.ring()  # the repeat timer's callback
        assert len(rung) == 2
        text = body(app)
        for fact in ("Gus Hill", "07700 900127", "5 High St, Leagrave LU4 0AA", "XY19 ZZZ", "silver",
                     "Toyota Yaris", "left 14:00", "due back 15:00", "code word heard on a call",
                     "Taken charge"):
            assert fact in text, fact
        assert "heron" not in text.lower()  # never the code word
        assert "CALL 999 NOW" in str(screen.query_one("#alarm-instruction").render())


async def test_cannot_be_dismissed_without_initials_and_an_action_then_records_it(ctx, clock):
    ids = busy(ctx, clock, pending_duress=True)
    app = build_app(ctx, live=False)
    rung = counting_bells(app)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("escape", "q", "b")
        alarm_view = app.screen
        assert isinstance(alarm_view, AlarmScreen)  # no way out but an acknowledgement
        await acknowledge_as(app, pilot, "J", "R")
        assert isinstance(app.screen, AckDialog)
        app.screen.submit()  # "record" with no action chosen
        assert "choose what you did" in str(app.screen.query_one("#ack-error").render()).lower()
        await pilot.press("enter", "enter")  # nothing is highlighted until an arrow: nothing chosen
        assert app.screen.action is None
        assert Alarm.get_by_id(ids["duress_alarm"]).acknowledged_by is None
        await pilot.press("down", "down", "down", "enter")  # police called
        app.screen.submit()
        assert "police reference" in str(app.screen.query_one("#ack-error").render()).lower()
        assert Alarm.get_by_id(ids["duress_alarm"]).acknowledged_by is None
        await pilot.press("L", "U", "9", "enter")
        await settle(app, pilot, loads=2)
        alarm = Alarm.get_by_id(ids["duress_alarm"])
        assert (alarm.acknowledged_by, alarm.action, alarm.police_ref) == ("JR", "police", "LU9")
        assert alarm.resolved_at is None  # police called: still open, on the board in red
        assert isinstance(app.screen, BoardScreen)
        assert len(rung) == 1  # rang when it appeared (the repeat timer is off in tests)
        alarm_view.ring()  # the repeat timer firing late: silent once acknowledged
        assert len(rung) == 1
        assert Event.select().where((Event.kind == "alarm-acknowledged") & (Event.actor == "kiosk:JR")).exists()


async def test_the_digit_before_an_action_chooses_it_so_3_enter_never_records_answered(ctx, clock):
    """Found trying the demo: the actions are numbered 1-6, but a digit did nothing, so "3, Enter,
    Enter" recorded the highlighted first one (answered), resolving a duress alarm."""
    ids = busy(ctx, clock, pending_duress=True)
    app = build_app(ctx, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await acknowledge_as(app, pilot, "J", "R")
        await pilot.press("3")
        assert app.screen.action == "police"
        await pilot.press("enter", "enter")  # no reference yet: refused, nothing recorded
        assert "police reference" in str(app.screen.query_one("#ack-error").render()).lower()
        assert Alarm.get_by_id(ids["duress_alarm"]).acknowledged_by is None
        await pilot.press("C", "A", "D", "5", "enter")  # a digit typed into the field stays there
        await settle(app, pilot, loads=2)
        alarm = Alarm.get_by_id(ids["duress_alarm"])
        assert (alarm.action, alarm.police_ref, alarm.resolved_at) == ("police", "CAD5", None)


async def test_a_digit_picks_an_action_only_while_none_is_chosen_then_types_into_its_field(ctx, clock):
    busy(ctx, clock, pending_duress=True)
    app = build_app(ctx, live=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await acknowledge_as(app, pilot, "J", "R")
        await pilot.press("6")
        assert app.screen.action == "other" and app.screen.focused.id == "ack-note"
        for digit in "25":  # on the list again: the digits go into the note, the action stays
            app.screen.query_one("#ack-action").focus()
            await pilot.press(digit)
            assert app.screen.action == "other" and app.screen.focused.id == "ack-note"
        await pilot.press("7")  # typed into the note
        assert app.screen.query_one("#ack-note").value == "257"


async def test_escape_from_the_dialog_goes_back_to_the_alarm(ctx, clock):
    busy(ctx, clock, pending_duress=True)
    app = build_app(ctx, live=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("J", "escape")  # the PIN dialog: back to the alarm
        assert isinstance(app.screen, AlarmScreen)
        await acknowledge_as(app, pilot, "J", "R")
        await pilot.press("escape")  # the action dialog: back to the alarm
        assert isinstance(app.screen, AlarmScreen)
        assert Alarm.select().where(Alarm.acknowledged_by.is_null() & (Alarm.kind == "duress")).exists()


async def test_left_alone_it_falls_back_to_names_and_details_are_one_audited_key_away(ctx, clock):
    ids = busy(ctx, clock, pending_duress=True)
    app = build_app(ctx, live=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        clock.advance(59)
        screen.check_privacy()
        assert "5 High St" in body(app)
        clock.advance(1)
        screen.check_privacy()
        text = body(app)
        assert "Gus Hill" in text and "5 High St" not in text and "XY19" not in text and "07700" not in text
        assert "CALL 999 NOW" in str(screen.query_one("#alarm-instruction").render())
        await pilot.press("d")
        await settle(app, pilot)
        assert "5 High St" in body(app)
        shown = list(Event.select().where(Event.kind == "alarm-details-shown"))
        assert [(e.alarm_id, e.actor) for e in shown] == [(ids["duress_alarm"], "kiosk")]


async def test_amber_is_a_banner_with_the_number_to_ring_not_a_modal(ctx, clock):
    busy(ctx, clock)  # reds acknowledged; Eve and Ivy amber
    app = build_app(ctx, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)
        banner = str(app.screen.query_one("#amber").render())
        assert "OVERDUE" in banner and "Eve Fox" in banner and "07700 900126" in banner


async def test_acknowledged_elsewhere_the_alarm_view_closes(ctx, clock):
    """`kiosk ack` at another terminal (or another kiosk): the next reload closes the view."""
    from kiosk.services import acknowledge

    ids = busy(ctx, clock, pending_duress=True)
    app = build_app(ctx, live=False)
    rung = counting_bells(app)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, AlarmScreen)
        acknowledge(ctx, ids["duress_alarm"], by="HH", action="police", ref="LU-1")
        app.reload()
        await settle(app, pilot, loads=2)
        assert isinstance(app.screen, BoardScreen)
        rings = len(rung)
        assert not any(isinstance(s, AlarmScreen) for s in app.screen_stack) and len(rung) == rings


async def test_an_undelivered_reply_is_an_amber_banner_saying_what_failed(ctx, clock):
    from kiosk.services.alarms import raise_alarm

    busy(ctx, clock)
    raise_alarm(ctx, "send-failed", "amber", visit=None, actor="gateway",
                summary="reply to Ann Lee not delivered (message 7): +CMS ERROR: 500")
    app = build_app(ctx, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        banner = str(app.screen.query_one("#amber").render())
        assert "TEXT FAILED reply to Ann Lee not delivered (message 7): +CMS ERROR: 500" in banner


async def test_an_open_red_alarm_acknowledged_as_no_answer_can_be_resolved_from_the_board(ctx, clock):
    """Found by QA in the demo: after "No answer" (or "Police called") a duress alarm stays open, the
    visit cannot be marked back ("acknowledge it first"), and the board had no way to record what
    happened next. Now the board says so in its banner and R records the next action."""
    from kiosk.services import alarms
    from kiosk.widgets.footer import KioskFooter
    from textual.widgets._footer import FooterKey

    ids = busy(ctx, clock, pending_duress=True)
    alarms.acknowledge(ctx, ids["duress_alarm"], by="JR", action="no-answer", actor="test")
    for alarm in Alarm.select().where(Alarm.resolved_at.is_null() & (Alarm.id != ids["duress_alarm"])):
        alarms.acknowledge(ctx, alarm.id, by="JR", action="stood-down", actor="test")  # only Gus's stays open
    app = build_app(ctx, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)  # acknowledged: no takeover
        banner = str(board.query_one("#amber").render())
        assert f"DURESS alarm {ids['duress_alarm']} open" in banner and "Gus Hill" in banner
        assert "JR: no-answer" in banner and "R: record what was done" in banner
        assert "r" in {k.key_display for k in board.query_one(KioskFooter).query(FooterKey)}
        await pilot.press("r")
        await settle(app, pilot)
        await pilot.press("J", "R", "enter")  # who is at the keyboard (no reception PINs set up)
        await settle(app, pilot)
        assert isinstance(app.screen, AckDialog) and app.screen.alarm_id == ids["duress_alarm"]
        assert "Esc = back to the board" in rendered_text(app)
        await pilot.press("4", "enter")  # stood down: it ends the alarm, so it asks first
        assert "This ends alarm" in rendered_text(app)
        clock.advance(2)  # read the line, then confirm
        await pilot.press("enter")
        await settle(app, pilot, loads=2)
        for _ in range(50):
            await pilot.pause()
            if Alarm.get_by_id(ids["duress_alarm"]).resolved_at is not None:
                break
        alarm = Alarm.get_by_id(ids["duress_alarm"])
        assert alarm.resolved_at is not None and alarm.action == "stood-down" and alarm.resolved_by == "JR"
        await settle(app, pilot, loads=3)
        assert isinstance(app.screen, BoardScreen)
        assert "open" not in str(board.query_one("#amber").render())
        assert "r" not in {k.key_display for k in board.query_one(KioskFooter).query(FooterKey)}
        await pilot.press("r")  # gone with the alarm: the key does nothing
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)


async def test_with_several_red_alarms_open_r_takes_the_selected_visits_one(ctx, clock):
    from kiosk.widgets.visits import VisitsTable

    ids = busy(ctx, clock)  # every red alarm acknowledged as "police called": all still open
    open_reds = list(Alarm.select().where((Alarm.level == "red") & Alarm.resolved_at.is_null()))
    assert len(open_reds) >= 2
    app = build_app(ctx, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        board = app.screen
        banner = str(board.query_one("#amber").render())
        assert f"{len(open_reds)} red alarms open" in banner and len(banner.splitlines()) >= 1
        table = board.query_one(VisitsTable)
        red_visits = {a.visit_id for a in open_reds}
        calm = next(int(r.key.value) for r in table.ordered_rows if int(r.key.value) not in red_visits)
        table.move_cursor(row=table.get_row_index(str(calm)), animate=False)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, BoardScreen)
        assert any("Select the visit with the red alarm" in n.message for n in app._notifications)
        table.move_cursor(row=table.get_row_index(str(ids["gus"])), animate=False)
        await pilot.press("r")
        await settle(app, pilot)
        await pilot.press("J", "R", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, AckDialog) and app.screen.alarm_id == ids["duress_alarm"]
