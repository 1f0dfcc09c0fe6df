"""A small school for the process benchmarks: staff, alert receivers and open visits, plus the
config file the gateway and the UI are started with.

It writes only to the throwaway database it is given, through kiosk's services (so the rows are
exactly what the product would write). Never the user's database, never a real modem.
"""

from __future__ import annotations

import string
from datetime import timedelta
from pathlib import Path

from kiosk.clock import SystemClock
from kiosk.config import load_config
from kiosk.services import add_staff, sign_out
from kiosk.services.context import Context
from kiosk.store import open_database

RECEIVERS = ("+447700800001", "+447700800002")

CONFIG = """\
[school]
name = "Bench Primary"

[gateway]
tick_seconds = 15
sweep_seconds = 60
health_seconds = 60

[sound]
enabled = false

[security]
flood_texts_per_minute = 1000

# the bench runs on the real clock and counts texts: no loop-back self-test at start, and no
# end-of-day list to the alert receivers whatever the time of day the run happens at
[selftest]
enabled = false

[staffed_hours]
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
start = "00:00"
end = "23:59"
"""


def code_word(i: int) -> str:
    """An unusual word per member of staff: 'quzz' + three letters from the index."""
    letters = string.ascii_lowercase
    return "quzz" + "".join(letters[(i // 26 ** k) % 26] for k in range(3))


def mobile(i: int) -> str:
    return f"+4477009{i:05d}"


def write_config(folder: Path) -> Path:
    path = folder / "kiosk.toml"
    path.write_text(CONFIG)
    return path


def context(config_path: Path) -> Context:
    return Context(load_config(config_path), SystemClock())


def seed(db_path: Path, config_path: Path, *, staff: int, open_visits: int,
         due_in: timedelta = timedelta(hours=3)) -> list[str]:
    """`staff` members with code words (the first `open_visits` of them out on a visit, due back in
    `due_in`) and two alert receivers. Returns the mobiles of the members out, in order."""
    db = open_database(db_path)
    ctx = context(config_path)
    out = []
    with db.atomic():
        for n, number in enumerate(RECEIVERS):
            add_staff(ctx, f"Receiver {n + 1}", number, alerts=True, approver=n == 0)
        for i in range(staff):
            person = add_staff(ctx, f"Staff {i:04d}", mobile(i), code_word=code_word(i))
            if i < open_visits:
                sign_out(ctx, [person], f"{i + 1} Bench Road, Luton LU4 9AB", ctx.now() + due_in,
                         approved_by="Receiver 1")
                out.append(person.mobile)
    db.close()
    return out
