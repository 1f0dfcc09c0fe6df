"""Names, places and reasons from the database are shown literally on the forms and admin screens.

Issue 8: "all text from SMS, forms, config and the database is rendered as plain text". The rows are
written straight into the database (as an import or another tool might), past the services' checks.
"""

from __future__ import annotations

from kiosk.screens.safe import visible
from kiosk.screens.signout import SignOutScreen
from kiosk.screens.staff import StaffScreen
from kiosk.store.models import RegisterEntry, Staff
from tests.ui.forms_harness import HOSTILE, Host, pilot_test, rendered, school, settle  # noqa: F401

WORDS = ["plover", "curlew", "dunlin", "godwit", "avocet", "bittern", "shrike", "linnet"]


def _hostile_staff(school):
    for n, name in enumerate(HOSTILE):
        Staff.create(name=name, mobile=f"+4477009003{n:02d}", code_word=WORDS[n], vehicle_reg=name[:12],
                     created_at=school.clock.now())
        RegisterEntry.create(address=name, reason=name, created_at=school.clock.now())


@pilot_test
async def test_hostile_staff_names_in_the_sign_out_picker(school):
    _hostile_staff(school)
    app = Host(lambda: SignOutScreen(school.ctx))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        picker = app.screen.query_one("#staff")
        prompts = {str(prompt): value for prompt, value in picker._options if isinstance(value, int)}
        for name in HOSTILE:
            assert visible(name) in prompts
        picker.focus()
        await pilot.press("enter")  # the open list renders every name
        await settle(pilot)
        shown = rendered(app)
        assert "[bold red]x[/]" in shown and "\x1b" not in shown and "\u202e" not in shown
        await pilot.press("escape", "escape")
        await settle(pilot)
    assert app.results == [None]  # nothing in a name quit the app or saved anything


@pilot_test
async def test_hostile_staff_names_in_the_staff_table(school):
    _hostile_staff(school)
    app = Host(lambda: StaffScreen(school.ctx))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#staff-table")
        names = {table.get_row_at(i)[0].plain for i in range(table.row_count)}
        assert {visible(name) for name in HOSTILE} <= names
        shown = rendered(app)
        assert "[@click=app.quit]" in shown and "\x1b" not in shown and "\x00" not in shown
        await pilot.click("#staff-table", offset=(5, 3))
        await settle(pilot)
    assert Staff.select().count() == 5 + len(HOSTILE)  # nothing changed
