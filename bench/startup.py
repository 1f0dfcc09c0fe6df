"""Figure 5: process start to the first frame of the board, against the minimal Textual app.

Both are started on a pty of the same size; "first frame" is the first output containing the
first visit's row (the board with its data, not an empty screen). Runs alternate so that disk
caches favour neither. It must never leave a process running.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from bench import procs, school
from bench.common import Result, say

MARK = "Staff 0000"


def run(work: Path, quick: bool) -> list[Result]:
    runs = 2 if quick else 7
    cfg = school.write_config(work)
    db = work / "startup.db"
    school.seed(db, cfg, staff=110, open_visits=100)
    say(f"figure 5: start-up to first frame, {runs} runs each")
    kiosk, minimal = [], []
    for _ in range(runs):
        for make, out in ((lambda: procs.kiosk_ui(db, cfg, markers=(MARK,)), kiosk),
                          (lambda: procs.minimal_textual(100, markers=(MARK,)), minimal)):
            p = make().start()
            try:
                out.append(p.wait_marker(MARK) * 1000)
            finally:
                p.stop()
    k, m = statistics.median(kiosk), statistics.median(minimal)
    f = "5 start-up"
    return [
        Result(f, f"minimal Textual app to first frame, median of {runs} (baseline)", m, "ms"),
        Result(f, f"kiosk ui to first board frame, median of {runs}", k, "ms", m, "<= 1.5x minimal",
               k <= 1.5 * m, note=f"runs: {', '.join(f'{x:.0f}' for x in kiosk)} ms"),
    ]
