"""What keeps the board cheap to repaint and quick to show an alarm: a changed cell repaints its
own row only, board reads never pile up or starve, a long-lived footer does not leak, and the
garbage-collection policy gives everything back when the app stops."""

from __future__ import annotations

import gc

from kiosk.app import build_app
from kiosk.gcpolicy import NO_AUTOMATIC_FULL, Quiet
from kiosk.screens.alarm import AlarmScreen
from kiosk.screens.help import HelpScreen
from kiosk.widgets.footer import Footer
from kiosk.widgets.visits import VisitsTable
from tests.ui.conftest import settle
from tests.ui.school import busy


def lines(table: VisitsTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


def counting_cell_renders(table: VisitsTable) -> list[int]:
    rendered: list[int] = []
    render_cell = table._render_cell

    def counted(row_index, *args, **kwargs):
        rendered.append(row_index)
        return render_cell(row_index, *args, **kwargs)

    table._render_cell = counted
    return rendered


async def test_a_changed_cell_repaints_its_row_and_no_other(ctx, clock):
    busy(ctx, clock)
    app = build_app(ctx, live=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(VisitsTable)
        clock.advance(1)
        app.screen.tick()  # 14:00:01: the countdowns due at whole minutes change ("in 1h00m" -> "in 59m")
        before = lines(table)
        rendered = counting_cell_renders(table)
        assert lines(table) == before and rendered == []  # nothing changed: every line from the cache
        clock.advance(59)
        app.screen.tick()  # 14:01:00: only the two overdue visits' countdowns change (6m, 1h21m over)
        after = lines(table)
        changed = [y for y, (a, b) in enumerate(zip(before, after)) if a != b]
        assert len(changed) == 2
        assert [c in after[y] for y, c in zip(changed, ("1h21m over", "6m over"))] == [True, True]
        assert sorted(set(rendered)) == sorted(y - 1 for y in changed)  # rows under the header line
        rendered.clear()
        assert lines(table) == after and rendered == []


async def test_reloads_asked_for_during_a_read_run_once_after_it(ctx, clock):
    busy(ctx, clock)
    app = build_app(ctx, live=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        loads = app.loads
        for _ in range(5):
            app.reload()
        await settle(app, pilot, loads=loads + 2)
        await settle(app, pilot)
        assert app.loads == loads + 2  # the one started, then one more for the four asked meanwhile
        assert not app._loading


async def test_the_alarm_view_opens_with_its_details_read_with_the_board(ctx, clock):
    ids = busy(ctx, clock, pending_duress=True)
    app = build_app(ctx, live=False)
    opened = []
    push = app.push_screen

    def watching(screen, *args, **kwargs):
        if isinstance(screen, AlarmScreen):
            opened.append(screen.detail)
        return push(screen, *args, **kwargs)

    app.push_screen = watching
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(app, pilot)
        assert [d.id for d in opened] == [ids["duress_alarm"]]  # no second read before its first frame
        assert "CALL 999 NOW" in str(app.screen.query_one("#alarm-instruction").render())


async def test_the_board_footer_keeps_no_keys_of_closed_screens(ctx, clock):
    app = build_app(ctx, live=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        footer = app.screen.query_one(Footer)
        for _ in range(4):
            await app.push_screen(HelpScreen())
            await pilot.pause()
            app.pop_screen()
            await pilot.pause()
        await pilot.pause()
        watchers = getattr(footer, "__watchers", {}).get("compact", [])
        keys = len(footer.query("FooterKey"))
        assert keys and len(watchers) <= keys  # Textual's own Footer kept 4 more sets of keys here


def test_quiet_collection_freezes_start_up_and_gives_everything_back():
    quiet = Quiet()
    saved = gc.get_threshold()
    frozen = gc.get_freeze_count()
    try:
        quiet.start()
        assert quiet.active and gc.get_threshold()[2] == NO_AUTOMATIC_FULL
        assert gc.get_freeze_count() > frozen
        assert gc.get_threshold()[:2] == saved[:2]  # the young generations stay automatic

        class Cycle:
            pass

        a, b = Cycle(), Cycle()
        a.other, b.other = b, a
        del a, b
        assert quiet.collect() >= 2
    finally:
        quiet.stop()
    assert not quiet.active and gc.get_threshold() == saved and gc.get_freeze_count() == frozen
    assert quiet.collect() == 0  # stopped: the app's timer firing late does nothing
