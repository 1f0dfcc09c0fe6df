"""Start-up (issue 19 item 2): what `kiosk ui` imports before its first board frame.

A bare Textual app starts in about half the time `kiosk ui` took; the difference was largely modules
the first frame never uses. This runs the first frame's imports and work (the CLI's parser, the
context on an existing database, the app and board modules, one board read) in a fresh interpreter
and checks that the modules deferred for start-up time and memory stay unloaded: psycopg2 on SQLite
(kiosk.store.pgdriver), phonenumbers (only
an alarm's phones or an SMS need it) and playhouse.migrate (only an upgrade of the schema does,
and it loads peewee's PostgreSQL modules with it).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from kiosk.store import open_database

DEFERRED = ("phonenumbers", "playhouse.migrate", "psycopg2")

FIRST_FRAME = textwrap.dedent("""
    import sys
    from kiosk.cli import build_parser
    args = build_parser().parse_args(["ui", "--db", sys.argv[1], "--theme", "full"])
    from kiosk.cli.ui import open_context
    ctx, path = open_context(args)
    from kiosk.app import build_app
    from kiosk.screens.board import BoardScreen
    from kiosk.services.board_view import load_board
    load_board(ctx)
    print(" ".join(name for name in sys.argv[2:] if name in sys.modules))
""")


def test_the_first_board_frame_loads_neither_phonenumbers_nor_the_migrator(tmp_path: Path) -> None:
    db = tmp_path / "kiosk.db"
    open_database(db).close()
    out = subprocess.run([sys.executable, "-c", FIRST_FRAME, str(db), *DEFERRED, "kiosk.services.board_view"],
                         capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "KIOSK_CONFIG": "/dev/null", "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["kiosk.services.board_view"]  # the board was read; nothing deferred was loaded
