"""A board that cannot read its data says so (issue 17, section 5): "not updating since HH:MM" in the
link strip, instead of a calm, stale board; it clears itself once a read works again."""

from __future__ import annotations

from sqlite3 import OperationalError

import kiosk.app as app_module
from kiosk.app import build_app
from kiosk.widgets.status import StatusStrip
from tests.ui.conftest import settle


def strip(app) -> str:
    return str(app.screen.query_one(StatusStrip).render())


async def test_failing_reads_say_not_updating_then_recover(ctx, clock, monkeypatch):
    app = build_app(ctx, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "NOT UPDATING" not in strip(app)
        real = app_module.load_board

        def broken(ctx):
            raise OperationalError("disk I/O error")
        monkeypatch.setattr(app_module, "load_board", broken)
        clock.advance(minutes=2)
        app.reload()
        await pilot.pause(0.3)
        app.screen.tick()
        text = strip(app)
        assert "NOT UPDATING SINCE 14:00: THE DATA CANNOT BE READ" in text and "last known: SMS link" in text
        assert app.screen.query_one(StatusStrip).has_class("down")
        monkeypatch.setattr(app_module, "load_board", real)
        app.reload()
        await settle(app, pilot, loads=2)
        assert "NOT UPDATING" not in strip(app)


async def test_a_board_whose_reads_stopped_says_so_after_thirty_seconds(ctx, clock):
    app = build_app(ctx, live=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        clock.advance(app_module.STALE_AFTER_SECONDS - 1)
        app.screen.tick()
        assert "NOT UPDATING" not in strip(app)
        clock.advance(2)
        app.screen.tick()
        assert "NOT UPDATING SINCE 14:00" in strip(app)


async def test_the_viewer_says_so_too(ctx, clock, monkeypatch):
    app = build_app(ctx, live=False, viewer=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        clock.advance(app_module.STALE_AFTER_SECONDS + 1)
        app.screen.tick()
        assert "NOT UPDATING SINCE 14:00" in strip(app)
