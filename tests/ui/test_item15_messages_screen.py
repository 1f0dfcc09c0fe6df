"""Issue 14 item 15 on the messages screen: an undecodable SMS is listed, state `undecodable`,
its raw PDU as its text, the sender if known (else "(unknown)"), the error in the detail line."""

from __future__ import annotations

from kiosk.screens.messages import MessagesScreen
from kiosk.services.undecodable import store_undecodable
from tests.ui.forms_harness import Host, pilot_test, school, settle  # noqa: F401


@pilot_test
async def test_item15_the_messages_screen_lists_an_undecodable_sms(school):
    store_undecodable(school.ctx, "+447700900123", "0791447758100650040C9144", "undecodable PDU: truncated",
                      fingerprint="a")
    store_undecodable(school.ctx, None, "0004FFFF", "undecodable PDU: read twice", fingerprint="b")
    app = Host(lambda: MessagesScreen(school.ctx))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#messages-table")
        rows = [[c.plain for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [(r[2], r[3], r[6]) for r in rows] == [("(unknown)", "undecodable", "0004FFFF"),
                                                        ("07700 900123", "undecodable", "0791447758100650040C9144")]
        await pilot.press("down")
        await settle(pilot)
        assert "undecodable PDU: truncated" in app.screen.query_one("#whole").render().plain
