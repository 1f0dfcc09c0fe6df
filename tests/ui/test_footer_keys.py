"""Keys do what the footer says (issue 15 item 8): on each reception screen every key the footer
lists is pressed and must change something a person can see; keys it does not list (Ctrl+\\ among
them) must change nothing; and letters typed into a text field stay in the field, never firing a
screen's shortcut. "Something a person can see" is the fingerprint below: the screens open, the
focus, the fields' text, the alarm shown and whether its details show, the address reveal, the
messages shown."""

from __future__ import annotations

import string

import pytest
from textual.widgets import DataTable, Input, Static
from textual.widgets._footer import FooterKey

from kiosk.app import build_app
from kiosk.screens.alarm import AlarmScreen
from kiosk.services import sms_in
from kiosk.widgets.reveal import RevealPanel
from kiosk.widgets.visits import VisitsTable
from tests.ui.conftest import settle
from tests.ui.school import busy

STRAY = tuple(string.ascii_lowercase + string.digits) + (
    "ctrl+backslash", "ctrl+b", "ctrl+z", "ctrl+d", "ctrl+w", "ctrl+p", "ctrl+q", "ctrl+c", "f11", "f12")


def fingerprint(app) -> tuple:
    screen = app.screen
    reveal = next(iter(screen.query(RevealPanel)), None)
    return (
        tuple(type(s).__name__ for s in app.screen_stack),
        getattr(app.focused, "id", None),
        tuple((w.id, w.value) for w in screen.query(Input)),
        tuple(str(w.render()) for w in screen.query(Static) if w.display),  # errors, banners, hints
        tuple(t.row_count for t in screen.query(DataTable)),
        getattr(screen, "alarm_id", None), getattr(screen, "full", None),
        bool(reveal and reveal.showing),
        len(app._notifications),
        app.return_code,
    )


def stack(app) -> tuple:
    return tuple(type(s).__name__ for s in app.screen_stack), getattr(app.screen, "alarm_id", None), \
        getattr(app.screen, "full", None)


def listed(screen) -> list[str]:
    return [k.key for k in screen.query(FooterKey)]


async def back_to(app, pilot, depth: int) -> None:
    while len(app.screen_stack) > depth:
        app.pop_screen()
        await pilot.pause()


async def on_gus(app, pilot):
    """The board with Gus Hill's visit selected (an acknowledged, still open, duress alarm)."""
    await back_to(app, pilot, 2)
    board = app.screen
    table = board.query_one(VisitsTable)
    table.move_cursor(row=table.get_row_index(str(app._ids["gus"])), animate=False)
    await pilot.pause()
    return board


async def press_to(app, pilot, *keys: str):
    screen = await on_gus(app, pilot)
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)
    assert app.screen is not screen, keys
    return app.screen


BOARD_SCREENS = {  # name: the keys from the board (Gus's visit selected) that open it
    "board": (),
    "sign-out form": ("o",),
    "back": ("b",),
    "extend": ("e",),
    "visit details": ("enter",),
    "help": ("f1",),
    "reception PIN": ("p",),
    "admin PIN": ("f10",),
    "demo panel": ("f9",),
    "staff": ("f6", *"2468", "enter"),
    "staff form": ("f6", *"2468", "enter", "a"),
    "register": ("f7", *"2468", "enter"),
    "register form": ("f7", *"2468", "enter", "a"),
    "messages": ("f8", *"2468", "enter"),
}


async def open_screen(app, pilot, name: str):
    keys = BOARD_SCREENS[name]
    if not keys:
        return await on_gus(app, pilot)
    return await press_to(app, pilot, *keys)


def board_app(ctx, clock, name: str = ""):
    """The busy school; in the demo (F9 listed, F10 quits at once) only for the demo panel."""
    from kiosk.security.pins import hash_pin
    from tests.ui.school import make_context

    ids = busy(ctx, clock)
    demo = name == "demo panel"
    ctx = make_context(clock, security={"admin_pin_hash": hash_pin("2468")})  # the admin screens' PIN
    app = build_app(ctx, live=False, demo=demo, inject=(lambda line: "sent") if demo else None)
    app.bell = lambda: None
    app._ids = ids
    return app


def _phoned_in(app) -> None:
    from kiosk.services import check_in_by_phone

    check_in_by_phone(app.ctx, app._ids["gus"], by="JR", actor="test")


def _a_text(app) -> None:
    sms_in(app.ctx, "+447700900124", "OK")  # Bob checks in


BEFORE = {("visit details", "r"): _phoned_in, ("messages", "r"): _a_text}  # R reloads: something new first


@pytest.mark.parametrize("name", list(BOARD_SCREENS))
async def test_every_key_the_footer_lists_does_something(ctx, clock, name):
    app = board_app(ctx, clock, name)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        keys = listed(await open_screen(app, pilot, name))
        assert keys, name
        for key in keys:
            await open_screen(app, pilot, name)
            if (name, key) in BEFORE:
                BEFORE[name, key](app)
            before = fingerprint(app)
            await pilot.press(key)
            await settle(app, pilot)
            assert fingerprint(app) != before, f"{name}: {key} is listed and did nothing"


@pytest.mark.parametrize("name", list(BOARD_SCREENS))
async def test_keys_the_footer_does_not_list_change_nothing(ctx, clock, name):
    """Found in use: Ctrl+\\ opened the Back dialog. Every unlisted letter, digit and control key on
    each screen now leaves the screens as they were (keys described in F1 Help aside: K, F6-F8)."""
    app = board_app(ctx, clock, name)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = await open_screen(app, pilot, name)
        allowed = set(listed(screen)) | {k for k, _ in help_keys(screen)}
        if isinstance(app.focused, Input):
            app.set_focus(None)  # typing into a field is the next test's
            await pilot.pause()
        before = stack(app)
        for key in STRAY:
            if key in allowed:
                continue
            await pilot.press(key)
            await pilot.pause()
            assert stack(app) == before and app.is_running, f"{name}: {key} is not listed but did something"
        await settle(app, pilot)
        assert stack(app) == before


def help_keys(screen) -> list[tuple[str, str]]:
    """Keys that are not in the footer but that F1 Help lists for this screen (key names)."""
    from kiosk.screens.help import screen_keys

    shown = {label for _, label in screen_keys(screen)}
    return [(key, active.binding.description) for key, active in screen.active_bindings.items()
            if not active.binding.show and active.binding.description in shown]


@pytest.mark.parametrize("name", ["sign-out form", "back", "extend", "demo panel", "staff form", "register form"])
async def test_letters_typed_into_a_field_stay_in_the_field(ctx, clock, name):
    app = board_app(ctx, clock, name)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = await open_screen(app, pilot, name)
        if name == "demo panel":
            await pilot.press("t")  # the panel's line takes typing after T
        fields = [w for w in screen.query(Input) if w.can_focus and w.display and not w.password]
        assert fields, name
        shortcuts = sorted({k for k in listed(screen) + [k for k, _ in help_keys(screen)] if len(k) == 1}
                           | set("obepcark123456"))
        for field in fields:
            field.focus()
            field.value = ""
            await pilot.pause()
            before = stack(app)
            await pilot.press(*shortcuts)
            await settle(app, pilot)
            assert stack(app) == before, f"{name}: a shortcut fired inside {field.id}"
            assert app.focused is field


async def test_the_alarm_view_lists_a_d_and_n_and_each_works(ctx, clock):
    """`d Details` did nothing while the details showed: D now hides and shows them; N is listed
    only with another red alarm waiting, and shows it."""
    busy(ctx, clock, pending_duress=True)
    sms_in(ctx, "+447700900123", "SOS")  # Ann Lee: a second red alarm
    app = build_app(ctx, live=False)
    app.bell = lambda: None
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        view = app.screen
        assert isinstance(view, AlarmScreen)
        assert listed(view) == ["a", "d", "n"]
        shown = view.alarm_id
        await pilot.press("d")
        await settle(app, pilot)
        assert not view.full and "Details hidden" in str(view.query_one("#alarm-body").render())
        assert "D = show details" in str(view.query_one("#alarm-hint").render())
        await pilot.press("d")
        await settle(app, pilot)
        assert view.full and "Address" in str(view.query_one("#alarm-body").render())
        await pilot.press("n")
        await settle(app, pilot)
        assert view.alarm_id != shown
        await pilot.press("a")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ReceptionPinScreen"
        await pilot.press("escape")
        for key in ("ctrl+backslash", "b", "o", "escape", "q", "1"):
            before = stack(app)
            await pilot.press(key)
            await settle(app, pilot)
            assert stack(app) == before, key
