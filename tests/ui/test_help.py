"""The help screen lists the keys of the screen it was opened from, and the SMS commands.

Issue 5: "Keyboard first, mouse welcome: every action on a key shown in the footer; a help screen."
"""

from __future__ import annotations

import pytest

from kiosk.domain import commands as C
from kiosk.domain.parser import parse_command
from kiosk.screens.help import SMS_COMMANDS, HelpScreen
from kiosk.screens.staff import StaffScreen
from tests.ui.forms_harness import Host, pilot_test, rendered, school, settle  # noqa: F401

EXPECTED = {
    "OUT 14 Elm Rd UNTIL 15:30": C.Out, "ARRIVED": C.Arrived, "OK": C.CheckIn, "EXTEND 20": C.Extend,
    "LATE 20": C.Extend, "+20": C.Extend, "BACK AT 16:15": C.Extend, "BACK IN 20": C.Extend,
    "LEAVING": C.Leaving, "BACK": C.Back, "STATUS": C.Status, "HELP": C.Sos, "SOS": C.Sos,
    "COMMANDS": C.Commands, "?": C.Commands, "ACK": C.Ack, "ACK 12": C.Ack,
}


@pytest.mark.parametrize("text, kind", sorted(EXPECTED.items()))
def test_every_sms_example_means_what_the_help_says(text, kind):
    assert isinstance(parse_command(text), kind)


def test_the_help_table_lists_every_checked_example():
    examples = {part.strip() for text, _ in SMS_COMMANDS[:-1] for part in text.split("/")}
    assert examples == set(EXPECTED)


@pilot_test
async def test_help_lists_the_keys_of_the_screen_beneath(school):
    app = Host(lambda: StaffScreen(school.ctx))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        app.push_screen(HelpScreen())
        await settle(pilot)
        help_screen = app.screen
        keys = dict(help_screen.keys)
        assert keys["A"] == "Add" and keys["E"] == "Edit" and keys["Esc"] == "Board"
        assert "F6" not in keys  # Staff is this screen: its key is not offered
        assert keys["F7"] == "Register" and keys["F8"] == "Messages"
        shown = rendered(app)
        assert "SOS" in shown and "Deactivate/reactivate" in shown
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.screen_under_test


@pilot_test
async def test_f1_on_the_sign_out_form_lists_its_keys(school):
    from kiosk.screens.signout import SignOutScreen

    app = Host(lambda: SignOutScreen(school.ctx))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        keys = dict(app.screen.keys)
        assert keys["F9"] == "Save" and keys["F2"] == "+30" and keys["F5"] == "+90" and keys["Esc"] == "Cancel"
        await pilot.press("f1")  # F1 again closes help
        await settle(pilot)
        assert app.screen is app.screen_under_test


@pilot_test
async def test_at_80x24_help_shows_every_key_and_every_whole_description(school):
    """Found by QA at 80x24: the keys table showed five rows (the rest scrolled inside a tiny table)
    and each description was cut at the right edge. Now nothing is cut; the whole help scrolls."""
    from textual.widgets import DataTable

    app = Host(lambda: StaffScreen(school.ctx))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(HelpScreen())
        await settle(pilot)
        help_screen = app.screen
        for table_id in ("#keys", "#sms"):
            table = help_screen.query_one(table_id, DataTable)
            assert table.region.height == table.virtual_size.height  # every row, no inner scrolling
            assert table.virtual_size.width <= 80 - 2
        body = help_screen.query_one("#help-body")
        body.scroll_end(animate=False)
        await settle(pilot)
        shown = " ".join(rendered(app).split())
        for _, does in SMS_COMMANDS[-4:]:
            assert " ".join(does.split()[:3]) in shown
        assert "silent duress: red alarm, the reply looks normal" in shown
