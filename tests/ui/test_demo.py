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
