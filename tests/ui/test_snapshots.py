"""Snapshots of what reception sees (pytest-textual-snapshot), on a FakeClock at 14:00 with every
timer and the database watcher off (`build_app(..., live=False)`).

Update after a deliberate change with `pytest tests/ui/test_snapshots.py --snapshot-update`, then
look at the SVGs in tests/ui/__snapshots__/ before committing them.
"""

from __future__ import annotations

from kiosk.app import build_app
from kiosk.widgets.visits import VisitsTable
from tests.ui.conftest import settle
from tests.ui.school import busy


async def _settled(pilot) -> None:
    await settle(pilot.app, pilot)


def test_empty_board(ctx, snap_compare):
    assert snap_compare(build_app(ctx, live=False, console=False), terminal_size=(80, 24), run_before=_settled)


def test_busy_board_80x24(ctx, clock, snap_compare):
    busy(ctx, clock)
    assert snap_compare(build_app(ctx, live=False, console=False), terminal_size=(80, 24), run_before=_settled)


def test_busy_board_160x48(ctx, clock, snap_compare):
    busy(ctx, clock)
    assert snap_compare(build_app(ctx, live=False, console=False), terminal_size=(160, 48), run_before=_settled)


def test_busy_board_console_theme(ctx, clock, snap_compare):
    busy(ctx, clock)
    assert snap_compare(build_app(ctx, live=False, console=True), terminal_size=(80, 24), run_before=_settled)


def test_duress_alarm_view(ctx, clock, snap_compare):
    busy(ctx, clock, pending_duress=True)
    app = build_app(ctx, live=False, console=False)
    app.bell = lambda: None
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settled)


def test_privacy_reveal(ctx, clock, snap_compare):
    ids = busy(ctx, clock)

    async def reveal(pilot) -> None:
        await settle(pilot.app, pilot)
        table = pilot.app.screen.query_one(VisitsTable)
        table.move_cursor(row=table.get_row_index(str(ids["ann"])))
        await pilot.press("a")
        await settle(pilot.app, pilot)

    assert snap_compare(build_app(ctx, live=False, console=False), terminal_size=(80, 24), run_before=reveal)


def test_alarm_view_left_alone_shows_names_and_the_instruction_only(ctx, clock, snap_compare):
    busy(ctx, clock, pending_duress=True)
    app = build_app(ctx, live=False, console=False)
    app.bell = lambda: None

    async def left_alone(pilot) -> None:
        await settle(pilot.app, pilot)
        clock.advance(60)
        pilot.app.screen.check_privacy()
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=left_alone)
