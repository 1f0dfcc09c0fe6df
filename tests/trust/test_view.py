"""The trust view's rules and screens without a server: freshness and STALE, the board level, the
text/JSON printouts and the read-only Textual app (pilot).

Issue 9: "`kiosk trust` shows every site's board from the trust database, read-only, with how
fresh each site's data is; it is never the reception screen's default."
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from kiosk.domain.display import HOSTILE
from kiosk.trust.board import SiteBoard, TrustAlarm, TrustView, TrustVisit, freshness, visit_level
from kiosk.trust.pgconn import TrustError, Unreachable, check_url, shown
from kiosk.trust.render import view_json, view_lines
from kiosk.trust.server import SiteState

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc)
LONDON = ZoneInfo("Europe/London")


def state(name="north", *, enabled=True, connected=True, heard=2.0, ready=6, total=6) -> SiteState:
    return SiteState(name=name, database=f"kiosk_site_{name}", enabled=enabled, connected=connected,
                     heard_seconds=heard, tables_ready=ready, tables_total=total, source="postgresql://r@h/k")


@pytest.mark.parametrize("site, stale, words", [
    (state(heard=2.0), False, "live: heard 2 s ago"),
    (state(heard=119.0), False, "live: heard 119 s ago"),
    (state(heard=121.0), True, "STALE: nothing received from this site for 2 min"),
    (state(connected=False, heard=None), True, "STALE: the trust server is not connected"),
    (state(enabled=False), True, "STALE: replication is disabled"),
    (state(ready=2, total=6), False, "copying the site's tables (2/6 done)"),
    (state(heard=-0.5), False, "live: heard 0 s ago"),  # the two clocks a hair apart
])
def test_freshness(site, stale, words):
    got_stale, line = freshness(site, 120)
    assert got_stale is stale
    assert words in line


def test_visit_level_as_the_reception_board_works_it_out():
    due = NOW + timedelta(minutes=10)
    soon = timedelta(minutes=15)
    assert visit_level({"red", "amber"}, due, NOW, soon) == "red"
    assert visit_level({"amber"}, due, NOW, soon) == "amber"
    assert visit_level(set(), due, NOW, soon) == "due-soon"
    assert visit_level(set(), NOW + timedelta(hours=1), NOW, soon) == "ok"


def a_view(*, stale_south: bool = True, name: str = "Ann Smith") -> TrustView:
    visit = TrustVisit(id=3, label="Visit 3 · LU4", staff=(name, "Bob Jones"), state="out", level="red",
                       due_back=NOW - timedelta(minutes=5), last_contact=NOW - timedelta(minutes=30),
                       alarm_kinds=("duress", "overdue"), approved=True)
    alarm = TrustAlarm(id=7, visit_id=3, kind="duress", level="red", raised_at=NOW - timedelta(minutes=2),
                       acknowledged_by=None, owner="Cat Lee")
    north = SiteBoard(state("north"), False, "live: heard 2 s ago", None, NOW - timedelta(seconds=20),
                      [visit], [alarm])
    south_state = state("south", connected=not stale_south, heard=None if stale_south else 1.0)
    south = SiteBoard(south_state, stale_south, freshness(south_state, 120)[1], None, NOW - timedelta(hours=1))
    return TrustView(at=NOW, stale_seconds=120, sites=[north, south])


def test_text_view_shows_each_site_its_board_and_a_stale_marker():
    lines = view_lines(a_view(), LONDON)
    text = "\n".join(lines)
    assert lines[0].startswith("kiosk trust view at 14:00: 2 site(s), STALE: south")
    assert "SITE north: 1 out, 1 overdue, 1 alarm(s) open (1 red) | live: heard 2 s ago" in text
    assert "RED      Visit 3 · LU4" in text and "Ann Smith, Bob Jones" in text and "DURESS,OVERDUE" in text
    assert "alarm 7: RED duress visit 3 raised 13:58 taken by Cat Lee" in text
    assert "SITE south: 0 out" in text and "STALE: the trust server is not connected" in text
    assert "no visits out" in text


def test_json_view_is_exact():
    rows = json.loads(json.dumps(view_json(a_view())))
    north, south = rows
    assert north["site"] == "north" and north["stale"] is False and north["replication"] == "streaming"
    assert north["visits"][0] == {"id": 3, "label": "Visit 3 · LU4", "staff": ["Ann Smith", "Bob Jones"],
                                  "state": "out", "level": "red", "due_back": "2026-11-24T13:55:00+00:00",
                                  "last_contact": "2026-11-24T13:30:00+00:00", "alarms": ["duress", "overdue"],
                                  "approved": True}
    assert north["alarms"][0]["kind"] == "duress" and north["alarms"][0]["owner"] == "Cat Lee"
    assert south["stale"] is True and south["replication"] == "not connected" and south["visits"] == []


@pytest.mark.parametrize("url, ok", [
    ("postgresql://kiosk@school-pi:5432/kiosk", True),
    ("postgres://kiosk@school-pi/kiosk", True),
    ("mysql://kiosk@school-pi/kiosk", False),
    ("postgresql://kiosk@school-pi:99999/kiosk", False),
    ("postgresql://kiosk@school-pi", False),
    ("postgresql:///kiosk", False),
    ("postgresql://kiosk@school pi/kiosk", False),
    ("", False),
    ("postgresql://k@h/k\n", True),  # a trailing newline from a pasted line is stripped
    ("postgresql://k@h/k\nDROP", False),
])
def test_check_url(url, ok):
    if ok:
        assert check_url(url, "site URL").startswith("postgresql://")
    else:
        with pytest.raises(TrustError):
            check_url(url, "site URL")


def test_shown_never_prints_a_password():
    assert shown("postgresql://kiosk_trust:s3cr:et@host:5432/kiosk") == "postgresql://kiosk_trust:***@host:5432/kiosk"
    assert "s3cret" not in shown("postgresql://u@host/kiosk?sslmode=require&password=s3cret")
    assert shown("postgresql://u@host/kiosk") == "postgresql://u@host/kiosk"


def test_app_is_read_only_shows_every_site_and_marks_stale():
    asyncio.run(_app_is_read_only())


async def _app_is_read_only():
    from textual.widgets import Static

    from kiosk.trust.app import TrustApp

    views = [a_view(), a_view(stale_south=False)]

    def load():
        return views[0]

    app = TrustApp(load, LONDON, refresh_seconds=600)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        for _ in range(50):
            if app.view is not None:
                break
            await pilot.pause(0.02)
        panels = {name: str(panel.render()) for name, panel in app.panels.items()}
        assert set(panels) == {"north", "south"}
        assert "Visit 3 · LU4" in panels["north"] and "STALE" not in panels["north"]
        assert "STALE: the trust server is not connected" in panels["south"]
        assert app.panels["south"].has_class("stale") and not app.panels["north"].has_class("stale")
        assert "STALE: south" in str(app.query_one("#status", Static).render())
        for key in ("enter", "a", "r", "space", "ctrl+r", "1"):  # no action exists: nothing changes
            await pilot.press(key)
        assert app.is_running and app.view is views[0]
        views[0] = views[1]
        app.reload()
        for _ in range(50):
            if not app.panels["south"].has_class("stale"):
                break
            await pilot.pause(0.02)
        assert not app.panels["south"].has_class("stale")
        await pilot.press("q")
    assert not app.is_running


def test_app_says_the_trust_server_is_down_and_keeps_the_last_view():
    asyncio.run(_app_trust_down())


async def _app_trust_down():
    from textual.widgets import Static

    from kiosk.trust.app import TrustApp

    calls = {"n": 0}

    def load():
        calls["n"] += 1
        if calls["n"] > 1:
            raise Unreachable("trust server postgresql://t@h/postgres unreachable: connection refused")
        return a_view()

    app = TrustApp(load, LONDON, refresh_seconds=600)
    async with app.run_test(size=(140, 40)) as pilot:
        for _ in range(50):
            if app.view is not None:
                break
            await pilot.pause(0.02)
        app.reload()
        status = app.query_one("#status", Static)
        for _ in range(50):
            if status.has_class("down"):
                break
            await pilot.pause(0.02)
        assert "TRUST SERVER UNREACHABLE" in str(status.render()) and "showing what was read at" in str(status.render())
        assert set(app.panels) == {"north", "south"}


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_names_are_shown_as_text_not_obeyed(hostile):
    from kiosk.trust.app import site_text

    view = a_view(name=hostile)
    text = site_text(view.sites[0], view, LONDON)
    assert "Bob Jones" in text.plain
    assert not any(ch in text.plain for ch in "\x1b\x9b\x07\x00\u202e\u200b\r")
    if hostile.startswith("["):
        assert hostile in text.plain  # markup shown as typed, not applied


def test_kiosk_config_never_prints_the_trust_servers_password():
    from kiosk.config import ConfigError, config_from_mapping, render_toml

    config = config_from_mapping({"trust": {"database_url": "postgresql://admin:s3cret@trust-server/postgres",
                                            "stale_seconds": 300}})
    shown_toml = render_toml(config)
    assert "s3cret" not in shown_toml and "postgresql://admin:***@trust-server/postgres" in shown_toml
    assert config.trust.stale_seconds == 300
    for bad in ({"stale_seconds": 5}, {"stale_seconds": "2m"}, {"database_url": "mysql://x/y"},
                {"refresh_seconds": 0}, {"database_url": "postgresql://a:s3cret@h/"}):
        with pytest.raises(ConfigError) as refused:
            config_from_mapping({"trust": bad})
        assert str(refused.value).startswith("trust.") and "s3cret" not in str(refused.value)


def test_a_trust_view_whose_reads_stopped_says_not_updating_since():
    """Issue 17, section 5: reads that fail in any way, or stop, are said; the app keeps running."""
    asyncio.run(_reads_stopped())


async def _reads_stopped():
    from textual.widgets import Static

    from kiosk.clock import FakeClock
    from kiosk.trust.app import TrustApp

    clock = FakeClock("2026-11-24T14:00:00+00:00")
    calls = {"n": 0}

    def load():
        calls["n"] += 1
        if calls["n"] > 1:
            raise RuntimeError("the server went away mid-read")
        return a_view()

    app = TrustApp(load, LONDON, refresh_seconds=5, clock=clock)
    async with app.run_test(size=(140, 40)) as pilot:
        for _ in range(50):
            if app.view is not None:
                break
            await pilot.pause(0.02)
        status = app.query_one("#status", Static)
        clock.advance(21)
        app.check_stale()
        assert "NOT UPDATING SINCE 14:00" in str(status.render()) and status.has_class("down")
        app.reload()  # an unexpected error: shown, not a crash
        for _ in range(50):
            if "RuntimeError" in str(status.render()):
                break
            await pilot.pause(0.02)
        assert "NOT UPDATING SINCE 14:00: TRUST SERVER UNREACHABLE: RuntimeError" in str(status.render())
        assert app.is_running
