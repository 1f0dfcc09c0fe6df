"""A small App that shows one kiosk screen over a test school, and records what it dismisses with.

Tests build exactly the screen users get (the same class, the same Context over a temporary
database, a FakeClock); nothing is mocked.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any, Callable

import pytest
from textual.app import App
from textual.screen import Screen

from kiosk.config import config_from_mapping
from kiosk.security.pins import hash_pin
from kiosk.services import Context, add_register_entry, add_staff
from kiosk.services.reception import set_reception_pin
from kiosk.store import open_database

ADMIN_PIN = "246810"
RECEPTION_PIN = "4821"
_ADMIN_HASH = hash_pin(ADMIN_PIN)  # once per test run: scrypt is deliberately slow


class School:
    """Ann (bluebird, with a car) and Bob (kestrel) go out; Cy has no code word; Hana gets alerts
    and approves visits;
    Eve has left. Reception user AB has PIN 4821. The register flags 9 Oak Lane, LU5 1AA."""

    def __init__(self, path, clock, *, visits: dict | None = None, pins: bool = True) -> None:
        self.clock = clock
        self.db = open_database(path)
        settings: dict[str, Any] = {"security": {"admin_pin_hash": _ADMIN_HASH}}
        if visits:
            settings["visits"] = visits
        self.ctx = Context(config_from_mapping(settings), clock)
        self.ann = add_staff(self.ctx, "Ann Lee", "07700 900123", code_word="bluebird", vehicle_reg="AB12 CDE",
                             vehicle_make="Ford Fiesta", vehicle_colour="blue")
        self.bob = add_staff(self.ctx, "Bob Cole", "07700 900124", code_word="kestrel")
        self.cy = add_staff(self.ctx, "Cy Dunn", "07700 900125")
        self.hana = add_staff(self.ctx, "Hana Head", "07700 900200", alerts=True, role="head", approver=True)
        eve = add_staff(self.ctx, "Eve Gone", "07700 900126", code_word="heron")
        eve.active = False
        eve.save()
        self.flag = add_register_entry(self.ctx, reason="dog; known aggression", address="9 Oak Lane",
                                       postcode="LU5 1AA")
        if pins:
            set_reception_pin(self.ctx, "AB", RECEPTION_PIN, name="Amy Bell")

    def close(self) -> None:
        self.db.close()


class Host(App):
    """Pushes `make_screen()` on mount; `results` collects what it was dismissed with."""

    ENABLE_COMMAND_PALETTE = False  # as in the real app

    def __init__(self, make_screen: Callable[[], Screen], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.make_screen = make_screen
        self.results: list[Any] = []
        self.screen_under_test: Screen | None = None

    def on_mount(self) -> None:
        self.screen_under_test = self.make_screen()
        self.push_screen(self.screen_under_test, self.results.append)


async def settle(pilot, rounds: int = 2) -> None:
    """Let workers finish and their messages be handled."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[_key(ch) for ch in text])


_NAMED = {" ": "space", "+": "plus", ":": "colon", ".": "full_stop", ",": "comma", "-": "minus",
          "[": "left_square_bracket", "]": "right_square_bracket", "/": "slash", "@": "at", "=": "equals_sign",
          "'": "apostrophe", "(": "left_parenthesis", ")": "right_parenthesis", "#": "number_sign"}


def _key(ch: str) -> str:
    return _NAMED.get(ch, ch)


def error_text(screen: Screen, field: str) -> str:
    return screen.query_one(f"#{field}-error").message


@pytest.fixture
def school(tmp_path, clock):
    """The test school (import this fixture into a test module)."""
    s = School(tmp_path / "kiosk.db", clock)
    yield s
    s.close()


def pilot_test(fn):
    """Run an async pilot test on a fresh event loop (no async pytest plugin needed); fixtures work
    as usual because the signature is the wrapped function's."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        return asyncio.run(fn(*args, **kwargs))

    return run


HOSTILE = (
    "[bold red]x[/]",
    "[@click=app.quit]quit[/]",
    "\x1b[31mred\x1b[0m \x1b[2J",
    "\x1b]0;pwned\x07 \x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "\u202eevil\u202c \u2066iso\u2069",
    "nul\x00 bs\x08 del\x7f csi\x9b31m",
    "zero\u200bwidth",
    "line\nbreak\rreturn\ttab",
)
"""Strings that must show as themselves on every screen that shows user text, and change nothing."""


def rendered(app) -> str:
    """What the terminal shows, as text (from Textual's own screenshot)."""
    import html
    import re

    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")
