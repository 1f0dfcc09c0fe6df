"""The demo panel: only in `kiosk demo`; a pick or a typed line reaches the simulator's console."""

from __future__ import annotations

import os
import threading
from datetime import timedelta

from kiosk.app import build_app
from kiosk.screens.alarm import AlarmScreen
from kiosk.screens.board import BoardScreen
from kiosk.screens.demo import PICKS, DemoPanel, fifo_injector
from kiosk.services import sign_out, sms_in
from tests.ui.conftest import settle
from tests.ui.school import staff


async def test_no_demo_panel_outside_the_demo(ctx):
    app = build_app(ctx, live=False, inject=lambda line: "")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f9")
        assert isinstance(app.screen, BoardScreen)


async def test_picking_a_text_sends_it_and_the_board_reacts(ctx, clock):
    people = staff(ctx)
    sign_out(ctx, [people["ann"]], "14 Elm Rd, Luton LU4 9AB", clock.now() + timedelta(minutes=60))
    lines = []

    def inject(line: str) -> str:  # what the gateway would do with the simulator's text
        lines.append(line)
        _, number, text = line.split(maxsplit=2)
        sms_in(ctx, number, text)
        return f"SMS from {number} delivered in 1 part"

    app = build_app(ctx, live=False, demo=True, inject=inject)
    app.bell = lambda: None
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f9")
        assert isinstance(app.screen, DemoPanel)
        await pilot.press("1")  # a pick: Ben is not out in this school, so only the line is checked
        await settle(app, pilot)
        assert lines == [PICKS[0][2]]
        lines.clear()
        await pilot.press("t", *"sms +447700900123 SOS", "enter")
        await settle(app, pilot)
        assert lines == ["sms +447700900123 SOS"]
        assert "delivered" in str(app.screen.query_one("#demo-answer").render())
        await pilot.press("escape")
        app.reload()
        await settle(app, pilot, loads=2)
        assert isinstance(app.screen, AlarmScreen)


def test_fifo_injector_writes_lines_to_the_demo_fifo(tmp_path):
    fifo = tmp_path / "inject"
    assert fifo_injector(fifo) is None  # no FIFO: no panel
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.extend(open(fifo).read().splitlines()))
    reader.start()
    inject = fifo_injector(fifo)
    for _ in range(200):  # the reader opens the FIFO in its own time
        try:
            inject(PICKS[0][2])
            break
        except OSError:
            threading.Event().wait(0.01)
    reader.join(5)
    assert got == [PICKS[0][2]]


async def test_a_line_after_garbage_is_never_lost_and_the_panel_takes_the_focus_back(ctx):
    """Found in a trial: T garbage Enter left the focus in the line, so the next T went into it and
    "tsms ... EXTEND 20" was an unknown command whose answer replaced the last: the text seemed
    swallowed. Now the panel takes the focus back after each line and lists what was sent."""
    lines = []

    def inject(line: str) -> str:
        lines.append(line)
        if line.split()[0] not in ("garbage", "sms"):
            return f"error: unknown command {line.split()[0]!r} (type help)"
        return "garbage sent" if line == "garbage" else "SMS delivered in 1 part\nkiosk replied: Due back now 15:20"

    app = build_app(ctx, live=False, demo=True, inject=inject)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("f9", "t", *"garbage", "enter")
        await settle(app, pilot)
        panel = app.screen
        assert isinstance(panel, DemoPanel) and app.focused is None  # digits pick, T types again
        await pilot.press("t", *"sms +447700900002 EXTEND 20", "enter")
        await settle(app, pilot)
        assert lines == ["garbage", "sms +447700900002 EXTEND 20"]
        shown = str(panel.query_one("#demo-answer").render()) + str(panel.query_one("#demo-log").render())
        assert "EXTEND 20" in shown and "kiosk replied: Due back now 15:20" in shown and "garbage" in shown
        await pilot.press("1")  # the focus is back with the panel: a digit picks
        await settle(app, pilot)
        assert lines[-1] == PICKS[0][2]
        await pilot.press("t", *"smss +447700900002 OK", "enter")  # a typo: kept to be corrected
        await settle(app, pilot)
        assert panel.query_one("#demo-line").value == "smss +447700900002 OK"
        assert app.focused is panel.query_one("#demo-line")


async def test_the_demo_board_and_help_show_its_code_words_and_pins(ctx):
    from kiosk.gateway.demo import ADMIN_PIN, DEMO_STAFF, RECEPTION_PIN, demo_notes
    from kiosk.screens.help import HelpScreen

    notes = demo_notes()
    assert RECEPTION_PIN in notes and ADMIN_PIN in notes
    assert all(word in notes for _, _, word, _, _ in DEMO_STAFF if word)
    app = build_app(ctx, live=False, demo=True, inject=lambda line: "", demo_notes=notes)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert str(app.screen.query_one("#demo-notes").render()).startswith("DEMO code words: Ann bluebird")
        await pilot.press("f1")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        assert ADMIN_PIN in str(app.screen.query_one("#help-demo-notes").render())
    plain_app = build_app(ctx, live=False, demo_notes=notes)  # outside the demo: never shown
    async with plain_app.run_test(size=(80, 24)) as pilot:
        await settle(plain_app, pilot)
        assert not plain_app.screen.query("#demo-notes")
