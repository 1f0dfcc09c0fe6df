"""Hostile text (markup, escapes, controls, bidi, 1,000 characters) on the board and the alarm view:
shown literally, interpreted never: the app keeps running and its title does not change."""

from __future__ import annotations

from kiosk.app import build_app
from kiosk.domain.display import HOSTILE, safe_text
from kiosk.screens.alarm import AlarmScreen
from kiosk.store.models import Alarm, GatewayHealth, Staff, Visit
from kiosk.widgets.visits import VisitsTable
from tests.ui.conftest import settle
from tests.ui.school import busy, make_context

NAMES = ("Ann Lee", "Bob Cole", "Cara Diaz", "Eve Fox", "Gus Hill", "Ivy Jones")


def poison(ids: dict[str, int]) -> dict[str, str]:
    """Give the staff hostile names, the visits hostile places and the duress alarm a hostile summary,
    as if they had been typed at a form or come in by SMS."""
    names = {}
    for n, name in enumerate(NAMES):
        hostile = HOSTILE[n] + " " + name
        Staff.update(name=hostile).where(Staff.name == name).execute()
        names[name] = hostile
    Visit.update(place=HOSTILE[3] + " 5 High St " + HOSTILE[4] + HOSTILE[5]).where(Visit.id == ids["gus"]).execute()
    Alarm.update(summary=HOSTILE[1] + HOSTILE[2] + "x" * 1000).where(Alarm.id == ids["duress_alarm"]).execute()
    GatewayHealth.update(operator="[bold red]Vodafone[/]\x1b]0;pwned\x07").execute()
    return names


def assert_harmless(text: str) -> None:
    assert "\x1b" not in text and "\x07" not in text and "\x00" not in text and "\u202e" not in text


async def test_board_shows_hostile_names_literally(db_path, clock):
    from kiosk.store import open_database

    db = open_database(db_path)
    ctx = make_context(clock, school={"name": "[bold red]St Nic[/] [@click=app.quit]x[/]"})
    ids = busy(ctx, clock)
    names = poison(ids)
    app = build_app(ctx, live=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        title = app.title
        table = app.screen.query_one(VisitsTable)
        staff_cells = [table.get_row_at(i)[1].plain for i in range(table.row_count)]
        assert any(safe_text(names["Gus Hill"], 120) in cell for cell in staff_cells)
        assert any("[bold red]x[/] Ann Lee" in cell for cell in staff_cells)
        assert any("[@click=app.quit]quit[/] Bob Cole" in cell for cell in staff_cells)
        for cell in staff_cells:
            assert_harmless(cell)
        school = str(app.screen.query_one("#school").render())
        assert "[bold red]St Nic[/] [@click=app.quit]x[/]" in school
        status = str(app.screen.query_one("#status").render())
        assert "[bold red]Vodafone[/]" in status
        assert_harmless(status)
        await pilot.click(VisitsTable, offset=(20, 2))
        await pilot.press("a")
        await settle(app, pilot)
        reveal = str(app.screen.query_one("#reveal").render())
        assert_harmless(reveal)
        assert app.is_running and app.title == title
    db.close()


async def test_alarm_view_shows_hostile_text_literally(db_path, clock):
    from kiosk.store import open_database

    db = open_database(db_path)
    ctx = make_context(clock)
    ids = busy(ctx, clock, pending_duress=True)
    poison(ids)
    app = build_app(ctx, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, AlarmScreen)
        title = app.title
        text = str(app.screen.query_one("#alarm-body").render())
        heading = str(app.screen.query_one("#alarm-title").render())
        assert "[@click=app.quit]quit[/]" in text and "\ufffdevil\ufffd" in text and "nul\ufffd" in text
        assert "title" in text and "pwned" not in text  # the OSC title sequence is removed whole
        assert "\u2026" in text  # the 1,000-character summary is cut
        assert safe_text(HOSTILE[4]) + " Gus Hill" in heading
        for part in (text, heading):
            assert_harmless(part)
        assert app.is_running and app.title == title
    db.close()
