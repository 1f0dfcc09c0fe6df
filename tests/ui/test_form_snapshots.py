"""Snapshots (pytest-textual-snapshot): the sign-out form with errors, and the staff admin screen.

A FakeClock, a fresh database and no blinking cursor make them repeatable. Update after a deliberate
change of look with `python -m pytest tests/ui/test_form_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from kiosk.screens.signout import SignOutScreen
from kiosk.screens.staff import StaffScreen
from tests.ui.forms_harness import Host, school, settle  # noqa: F401


def test_sign_out_form_with_errors(snap_compare, school):
    async def fill_badly(pilot):
        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#staff").value = school.ann.id
        screen.query_one("#place").value = "9 Oak Lane, Luton"
        screen.query_one("#due").value = "25:99"
        screen.query_one("#code_word").value = "ok"
        await pilot.press("f9")
        await settle(pilot)

    assert snap_compare(Host(lambda: SignOutScreen(school.ctx)), terminal_size=(80, 24), run_before=fill_badly)


def test_staff_admin_screen(snap_compare, school):
    async def loaded(pilot):
        await settle(pilot)

    assert snap_compare(Host(lambda: StaffScreen(school.ctx)), terminal_size=(100, 24), run_before=loaded)
