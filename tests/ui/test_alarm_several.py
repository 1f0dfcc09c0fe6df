"""No red alarm hidden behind another (issue 15 item 2): with a duress on screen an SOS raised alarm
2 and the view said nothing of it until the duress was acknowledged. The view now names every other
open red alarm, N switches, a new one rings and a more urgent one takes over, and the board counts
the same alarms."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from kiosk.screens.ack import AckDialog
from kiosk.screens.alarm import AlarmScreen
from kiosk.screens.board import BoardScreen
from kiosk.services import sms_in
from kiosk.store.models import Alarm
from kiosk.widgets.big import BigValue
from tests.ui.conftest import settle
from tests.ui.test_ack import demo_app, keys

ANN, CAT, DAN = "+447700900001", "+447700900003", "+447700900004"


async def text(app, pilot, ctx, number: str, body: str, loads: int) -> None:
    """A text arrives through the gateway's path; the database watcher (off in tests) reloads."""
    sms_in(ctx, number, body)
    app.reload()
    await settle(app, pilot, loads=loads)


def others(app) -> str:
    return str(app.screen.query_one("#alarm-others").render())


def title(app) -> str:
    return str(app.screen.query_one("#alarm-title").render())


def footer_keys(screen) -> set[str]:
    return {k.key_display for k in screen.query(FooterKey)}


def bells(app) -> list[int]:
    rung: list[int] = []
    app.bell = lambda: rung.append(1)
    return rung


async def test_an_sos_while_a_duress_is_shown_rings_is_named_and_n_switches(ctx):
    app = demo_app(ctx)
    rung = bells(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await text(app, pilot, ctx, ANN, "OK running late bluebird", loads=2)
        view = app.screen
        assert isinstance(view, AlarmScreen) and "DURESS" in title(app)
        assert "No other red alarm open" in others(app) and "n" not in footer_keys(view)
        rings = len(rung)
        await text(app, pilot, ctx, CAT, "SOS", loads=3)
        sos = Alarm.get(Alarm.kind == "sos")
        assert app.screen is view and "DURESS" in title(app)  # the more urgent one stays
        line = others(app)
        assert "+1 more red alarm: SOS Cat Roy" in line and "N = next" in line, line
        assert len(rung) > rings  # the new one rings at once
        assert any(f"New red alarm {sos.id}: SOS Cat Roy" in n.message for n in app._notifications)
        assert "n" in footer_keys(view)
        await pilot.press("n")
        await settle(app, pilot)
        assert view.alarm_id == sos.id and "SOS" in title(app) and "Cat Roy" in str(view.query_one("#alarm-body").render())
        assert "+1 more red alarm: DURESS Ann Lee" in others(app)
        await pilot.press("n")
        await settle(app, pilot)
        assert "DURESS" in title(app)


async def test_a_duress_while_an_sos_is_shown_takes_over(ctx):
    app = demo_app(ctx)
    bells(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await text(app, pilot, ctx, CAT, "SOS", loads=2)
        view = app.screen
        assert isinstance(view, AlarmScreen) and "SOS" in title(app)
        await text(app, pilot, ctx, ANN, "OK running late bluebird", loads=3)
        duress = Alarm.get(Alarm.kind == "duress")
        assert app.screen is view and view.alarm_id == duress.id and "DURESS" in title(app)
        assert "Ann Lee" in str(view.query_one("#alarm-body").render())
        assert "+1 more red alarm: SOS Cat Roy" in others(app)


async def test_each_acknowledged_with_a_police_reference_then_the_board_counts_match(ctx):
    """The issue's trial: a duress, an SOS raised while it is shown, each acknowledged with a police
    reference; both stored as police called, the board's ALARMS count = the red alarms open."""
    app = demo_app(ctx)
    bells(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await text(app, pilot, ctx, ANN, "OK running late bluebird", loads=2)
        await text(app, pilot, ctx, DAN, "SOS", loads=3)  # Dan is on the pair visit with Cat
        view = app.screen
        duress, sos = Alarm.get(Alarm.kind == "duress"), Alarm.get(Alarm.kind == "sos")
        for alarm, ref, loads in ((duress, "CAD 1234", 4), (sos, "CAD 5678", 6)):
            assert app.screen is view and view.alarm_id == alarm.id
            await pilot.press("a")
            await settle(app, pilot)
            await pilot.press("A", "B", "enter")
            await settle(app, pilot)
            assert isinstance(app.screen, AckDialog) and app.screen.alarm_id == alarm.id
            await pilot.press("3", *keys(ref), "enter")
            await settle(app, pilot, loads=loads)
        await settle(app, pilot, loads=6)
        stored = {a.kind: (a.action, a.police_ref, a.acknowledged_by, a.resolved_at) for a in Alarm.select()}
        assert stored == {"duress": ("police", "CAD 1234", "AB", None), "sos": ("police", "CAD 5678", "AB", None)}
        board = app.screen
        assert isinstance(board, BoardScreen)
        shown = board.query_one("#count-alarms").query_one(BigValue)._value
        assert shown == "2" == str(app.view.counts(ctx.now())["alarms"])  # two red alarms open (police called)
        assert "2 red alarms open" in str(board.query_one("#amber").render())


def test_the_board_counts_each_red_alarm_and_each_amber_only_visit_once(ctx, clock):
    from datetime import timedelta

    from kiosk.services import add_staff, sign_out, tick
    from kiosk.services.board_view import load_board

    ann = add_staff(ctx, "Ann Lee", "07700 900123", code_word="bluebird")
    bob = add_staff(ctx, "Bob Cole", "07700 900124", code_word="kestrel")
    eve = add_staff(ctx, "Eve Fox", "07700 900126", code_word="wren")
    add_staff(ctx, "Hana Head", "07700 900200", alerts=True)
    sign_out(ctx, [ann, bob], "14 Elm Rd, Luton LU4 9AB", clock.now() + timedelta(minutes=90))
    sign_out(ctx, [eve], "9 Oak Close, Luton LU6 3BB", clock.now() + timedelta(minutes=10))
    clock.advance(minutes=11)
    tick(ctx)  # Eve: amber overdue
    view = load_board(ctx)
    assert view.counts(clock.now())["alarms"] == 1
    sms_in(ctx, "+447700900123", "running late bluebird")  # Ann: duress
    sms_in(ctx, "+447700900124", "SOS")  # Bob, the same visit: a second red alarm
    view = load_board(ctx)
    assert [a.kind for a in view.waiting_reds()] == ["duress", "sos"]
    assert view.counts(clock.now())["alarms"] == 3  # two reds on one visit + Eve's amber
    clock.advance(minutes=30)
    tick(ctx)  # Eve escalates to a red no-reply: her amber and red are one situation
    view = load_board(ctx)
    assert [a.kind for a in view.waiting_reds()] == ["duress", "sos", "no-reply"]
    assert view.counts(clock.now())["alarms"] == 3


def _two_alarms_snapshot(ctx, snap_compare, console: bool):
    from kiosk.app import build_app
    from kiosk.gateway.demo import seed_demo

    seed_demo(ctx)
    app = build_app(ctx, live=False, console=console)
    app.bell = lambda: None

    async def run(pilot) -> None:
        await settle(app, pilot)
        await text(app, pilot, ctx, ANN, "OK running late bluebird", loads=2)
        await text(app, pilot, ctx, CAT, "SOS", loads=3)
        app.clear_notifications()
        await pilot.pause()

    return snap_compare(app, terminal_size=(80, 24), run_before=run)


def test_snapshot_two_red_alarms(ctx, snap_compare):
    assert _two_alarms_snapshot(ctx, snap_compare, False)


def test_snapshot_two_red_alarms_console_theme(ctx, snap_compare):
    assert _two_alarms_snapshot(ctx, snap_compare, True)
