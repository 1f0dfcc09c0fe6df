"""Make the README's screenshots (SVG, Textual's screenshot feature) of the busy board and of a
duress alarm, from the UI tests' school on a frozen clock: `python docs/screenshots.py`.

Writes only docs/board.svg and docs/alarm.svg (the database is a temporary file).
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from kiosk.app import build_app  # noqa: E402
from kiosk.clock import FakeClock  # noqa: E402
from kiosk.store import open_database  # noqa: E402
from tests.ui.conftest import settle  # noqa: E402
from tests.ui.school import busy, make_context  # noqa: E402


async def shoot(name: str, *, pending_duress: bool, size: tuple[int, int]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "kiosk.db")
        clock = FakeClock()
        ctx = make_context(clock)
        busy(ctx, clock, pending_duress=pending_duress)
        app = build_app(ctx, live=False, console=False)
        app.bell = lambda: None
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            app.save_screenshot(filename=f"{name}.svg", path=str(DOCS))
        db.close()


async def main() -> None:
    await shoot("board", pending_duress=False, size=(120, 30))
    await shoot("alarm", pending_duress=True, size=(100, 28))


if __name__ == "__main__":
    asyncio.run(main())
    print("wrote docs/board.svg and docs/alarm.svg")
