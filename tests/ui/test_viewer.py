"""The read-only board (`kiosk ui --viewer`): the board as reception sees it, and nothing it can change.

Issue 9: "read-only: no sign-out, no acknowledgement, no reveal; the viewer opens the database
read-only". Each test dumps the whole database before and after and compares (an SQLite dump; the
read-only connection on both backends is tested in tests/store/test_readonly.py).
"""

from __future__ import annotations

import sqlite3

import peewee
import pytest

from kiosk.app import KioskApp, build_app
from kiosk.screens.alarm import AlarmScreen
from kiosk.screens.board import BoardScreen
from kiosk.screens.viewer import READ_ONLY, RedAlarms, ViewerBoardScreen
from kiosk.services import add_staff
from kiosk.store.migrations import LATEST
from kiosk.store.readonly import NotViewable, open_readonly
from kiosk.widgets.reveal import RevealPanel
from kiosk.widgets.visits import VisitsTable
from tests.ui.conftest import settle
from tests.ui.school import busy

pytestmark = pytest.mark.sqlite_only

# Every key the reception board, the alarm screen and the app answer to, and then some.
KEYS = sorted({b.key for cls in (BoardScreen, AlarmScreen, KioskApp) for b in cls.BINDINGS
               if b.key != "ctrl+q"} | {"enter", "escape", "tab", "space", "1", "2", "d", "down", "up", "f1"})


def dump(path) -> list[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return list(conn.iterdump())


@pytest.fixture
def viewer_db(ctx, clock, db_path):
    """The busy school with Gus Hill's duress alarm not acknowledged, reopened read-only."""
    ids = busy(ctx, clock, pending_duress=True)
    ctx.db.close()
    db = open_readonly(db_path)
    yield ids
    db.close()


async def test_viewer_shows_the_board_and_the_red_alarm_as_a_list_not_the_alarm_screen(ctx, viewer_db, db_path):
    app = build_app(ctx, live=False, console=False, viewer=True)
    rings = []
    app.bell = lambda: rings.append(1)  # noqa: E731 - the viewer's own bell must never be reached
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ViewerBoardScreen)
        assert not any(isinstance(s, AlarmScreen) for s in app.screen_stack)
        rows = [" ".join(c.plain for c in app.screen.query_one(VisitsTable).get_row_at(i))
                for i in range(app.screen.query_one(VisitsTable).row_count)]
        assert any("Gus Hill" in r for r in rows) and any("Ann Lee + Bob Cole" in r for r in rows)
        assert not any("High St" in r or "Elm Rd" in r for r in rows)  # addresses stay hidden
        red = app.screen.query_one(RedAlarms)
        assert red.display
        text = str(red.render())
        assert f"RED ALARM {viewer_db['duress_alarm']}: DURESS Gus Hill" in text
        assert "NOT ACKNOWLEDGED: acknowledged at reception only" in text
        assert "acknowledged at reception by JR" in text  # Ivy's, acknowledged at the kiosk
        assert "High St" not in text and "07700" not in text
        assert READ_ONLY in str(app.screen.query_one("#viewer-note").render())
    assert rings == []


async def test_every_reception_key_changes_nothing_and_opens_nothing(ctx, viewer_db, db_path):
    before = dump(db_path)
    app = build_app(ctx, live=False, console=False, viewer=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(VisitsTable)
        table.move_cursor(row=table.get_row_index(str(viewer_db["gus"])))
        for key in KEYS:
            await pilot.press(key)
            await pilot.pause()
            assert len(app.screen_stack) == 2 and isinstance(app.screen, ViewerBoardScreen), key
            assert not app.screen.query_one(RevealPanel).showing, key
        await app.workers.wait_for_complete()
        assert any(n.message == READ_ONLY for n in app._notifications)
    assert dump(db_path) == before


async def test_an_action_the_viewer_is_asked_to_perform_never_runs(ctx, viewer_db, db_path):
    before = dump(db_path)
    ran = []
    app = build_app(ctx, live=False, console=False, viewer=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.perform("signed out", lambda: ran.append(1))
        for action in ("screen.sign_out", "screen.back", "screen.reveal", "screen.admin('staff')",
                       "app.admin_quit", "app.demo_panel"):
            assert await app.run_action(action) is False, action
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ViewerBoardScreen)
        assert any("read-only view" in n.message for n in app._notifications)
    assert ran == [] and dump(db_path) == before


def test_a_write_through_the_viewers_connection_fails(ctx, viewer_db, db_path):
    before = dump(db_path)
    with pytest.raises(peewee.OperationalError, match="readonly|read-only|query_only"):
        add_staff(ctx, "Zed Mole", "07700 900999")
    db = ctx.db.obj
    with pytest.raises(peewee.OperationalError):
        db.execute_sql("DELETE FROM alarm")
    db.execute_sql("PRAGMA query_only = 0")  # even a bug that lifts query_only: the file is open read-only
    with pytest.raises(peewee.OperationalError, match="readonly"):
        db.execute_sql("DELETE FROM alarm")
    assert dump(db_path) == before


def test_the_viewer_refuses_a_database_it_would_have_to_create_or_migrate(ctx, db_path, tmp_path):
    missing = tmp_path / "none" / "kiosk.db"
    with pytest.raises(NotViewable, match="never creates"):
        open_readonly(missing)
    assert not missing.parent.exists()
    ctx.db.execute_sql("UPDATE schema_version SET version = ?", (LATEST - 1,))
    ctx.db.close()
    before = dump(db_path)
    with pytest.raises(NotViewable, match=f"schema v{LATEST - 1}.*never migrates"):
        open_readonly(db_path)
    assert dump(db_path) == before


def test_kiosk_ui_viewer_says_why_and_exits_on_an_old_schema(ctx, db_path, kiosk_cli, tmp_path):
    ctx.db.execute_sql("UPDATE schema_version SET version = ?", (LATEST - 1,))
    ctx.db.close()
    before = dump(db_path)
    result = kiosk_cli("ui", "--viewer", "--db", str(db_path))
    assert result.returncode == 2
    assert "never migrates" in result.stderr and result.stderr.count("\n") == 1
    assert dump(db_path) == before
    result = kiosk_cli("ui", "--viewer", "--db", str(tmp_path / "absent.db"))
    assert result.returncode == 2 and "never creates" in result.stderr
    assert not (tmp_path / "absent.db").exists()


def test_viewer_board_snapshot(ctx, viewer_db, snap_compare):
    async def settled(pilot) -> None:
        await settle(pilot.app, pilot)

    assert snap_compare(build_app(ctx, live=False, console=False, viewer=True), terminal_size=(100, 30),
                        run_before=settled)

