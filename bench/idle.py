"""Figure 3: idle CPU of the gateway and the UI with 100 open visits and nothing happening.

Both run as real processes (the gateway on the simulator's pty, the UI on its own pty with its
output drained, as a terminal would); the minimal Textual app idles alongside as the baseline.
CPU is utime + stime from /proc/<pid>/stat over the window. It must never send an SMS meanwhile.
"""

from __future__ import annotations

import time
from pathlib import Path

from bench import procs, school
from bench.common import Result, cpu_seconds, say
from kiosk.clock import SystemClock
from kiosk.simulator.modem import ModemSimulator


UI_RATIO = 1.2  # the board may cost a fifth more than a bare clock: its 10 s reload, nothing else
CPU_FLOOR = 0.05  # % of a core: below this /proc's clock ticks (10 ms) cannot tell two processes apart


def run(work: Path, quick: bool) -> list[Result]:
    window = 10 if quick else 60
    cfg = school.write_config(work)
    db = work / "idle.db"
    school.seed(db, cfg, staff=110, open_visits=100)
    sim = ModemSimulator(clock=SystemClock())
    port = sim.start()
    started = []
    try:
        gateway = procs.Gateway(db, port, cfg).start()
        started.append(gateway)
        ui = procs.kiosk_ui(db, cfg, markers=("Staff 0000",)).start()
        started.append(ui)
        minimal = procs.minimal_textual(100, markers=("Staff 0000",), clock=True).start()
        started.append(minimal)
        ui.wait_marker("Staff 0000")
        minimal.wait_marker("Staff 0000")
        time.sleep(5)  # start-up work (first tick, health, first loads) is not idling
        say(f"figure 3: idle CPU over {window} s")
        pids = {"gateway": gateway.pid, "ui": ui.pid, "minimal": minimal.pid}
        before = {k: cpu_seconds(p) for k, p in pids.items()}
        commands_before = len(sim.commands)
        bytes_before = ui.bytes_out
        t0 = time.perf_counter()
        time.sleep(window)
        elapsed = time.perf_counter() - t0
        pct = {k: (cpu_seconds(p) - before[k]) / elapsed * 100 for k, p in pids.items()}
        commands = len(sim.commands) - commands_before
        ui_bytes = (ui.bytes_out - bytes_before) / elapsed
    finally:
        for p in reversed(started):
            p.stop()
        sim.stop()
    f = "3 idle CPU"
    return [
        Result(f, f"gateway, % of one core over {window} s", pct["gateway"], "%", target="<= 0.5 %",
               ok=pct["gateway"] <= 0.5, note=f"{commands} AT commands in the window (health/sweep jobs)"),
        Result(f, "minimal Textual app with a one-second clock (baseline)", pct["minimal"], "%"),
        Result(f, f"UI, % of one core over {window} s", pct["ui"], "%", pct["minimal"] or None,
               f"<= {UI_RATIO}x clock app", pct["ui"] <= UI_RATIO * max(pct["minimal"], CPU_FLOOR),
               note=f"{ui_bytes:,.0f} bytes/s to the terminal; the baseline is the least any screen with a "
               "clock can cost, measured in the same run (0.3 % of a core on a quiet machine here)"),
    ]
