"""Figures 1 and 4: the SMS round trip through the real gateway process, and memory after 1,000
and 10,000 processed SMS (gateway and UI), with their baselines.

An SMS is injected into the in-process ModemSimulator on a real pty; the clock stops when the
simulator sees the reply's `AT+CMGS` (the reply handed to the modem). Baseline: plain `AT` -> `OK`
on the same pty, before the gateway opens it. The reception UI runs on its own pty meanwhile, as
on the kiosk. It must never reuse a database or leave a process behind.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import serial

from bench import procs, school
from bench.common import Result, peak_rss_mb, percentile, say, wait_for
from kiosk.clock import SystemClock
from kiosk.simulator.modem import ModemSimulator

BURST = 50
MB = "MB"
MS = "ms"


@dataclass
class Sizes:
    singles: int
    bursts: int  # bursts of 50 measured for figure 1
    memory_marks: tuple[int, int]  # processed-SMS counts at which peak RSS is read


FULL = Sizes(1000, 20, (1000, 2000))  # 10,000 SMS take 10+ minutes here: `--long` does them
LONG = Sizes(1000, 20, (1000, 10000))
QUICK = Sizes(50, 2, (60, 200))


@dataclass
class Cmgs:
    """Perf-counter times of every AT+CMGS the simulator saw (the listener runs on its thread)."""

    times: list[float] = field(default_factory=list)

    def __call__(self, line: str) -> None:
        if line[:7].upper() == "AT+CMGS":
            self.times.append(time.perf_counter())


def at_round_trips(port: str, n: int) -> list[float]:
    """Plain AT -> OK on the simulator's pty, in seconds."""
    out = []
    with serial.Serial(port, 115200, timeout=2) as line:
        line.reset_input_buffer()
        for _ in range(n):
            t0 = time.perf_counter()
            line.write(b"AT\r")
            buf = b""
            while b"OK\r\n" not in buf:
                chunk = line.read(line.in_waiting or 1)
                if not chunk:
                    raise TimeoutError("simulator did not answer AT")
                buf += chunk
            out.append(time.perf_counter() - t0)
    return out


def run(work: Path, quick: bool, long: bool = False) -> list[Result]:
    sizes = QUICK if quick else LONG if long else FULL
    cfg = school.write_config(work)
    db = work / "sms.db"
    senders = school.seed(db, cfg, staff=100, open_visits=100)
    sim = ModemSimulator(clock=SystemClock(), capacity=250)  # a burst of 50 must fit the store
    port = sim.start()
    gateway = ui = minimal = empty = None
    try:
        say("figure 1: AT -> OK baseline on the pty")
        at = at_round_trips(port, 200 if quick else 1000)
        cmgs = Cmgs()
        sim.listeners.append(cmgs)
        gateway = procs.Gateway(db, port, cfg).start()
        ui = procs.kiosk_ui(db, cfg, markers=("Staff 0000",)).start()
        ui.wait_marker("Staff 0000")
        minimal = procs.minimal_textual(100, markers=("Staff 0000",)).start()
        minimal.wait_marker("Staff 0000")
        empty = procs.empty_python()
        time.sleep(1.5)
        base_empty, base_minimal = peak_rss_mb(empty.pid), peak_rss_mb(minimal.pid)
        start_gw, start_ui = peak_rss_mb(gateway.pid), peak_rss_mb(ui.pid)
        minimal.stop()

        parts = _warm_up(sim, cmgs, senders[0])
        processed = 1
        say(f"figure 1: {sizes.singles} single SMS ({parts} AT+CMGS per reply)")
        singles = []
        marks: dict[int, tuple[float, float]] = {}
        for i in range(sizes.singles):  # unique texts: the same text in the same second is one SMS
            k = len(sim.sent)
            t0 = time.perf_counter()
            sim.inject_sms(senders[i % len(senders)], f"OK {i}")
            wait_for(lambda k=k: len(sim.sent) >= k + parts, 30, "reply to a single SMS", 0.0005)
            singles.append(cmgs.times[k + parts - 1] - t0)
            processed += 1
            _mark(marks, processed, sizes, gateway, ui)
        say(f"figure 1: {sizes.bursts} bursts of {BURST}; then on to {sizes.memory_marks[1]:,} SMS for figure 4")
        burst_totals, burst_each = [], []
        b = 0
        while processed < sizes.memory_marks[1] or b < sizes.bursts:
            k = len(sim.sent)
            sent_at = {}
            t0 = time.perf_counter()
            for j in range(BURST):
                number = senders[j % len(senders)]
                sent_at[number] = time.perf_counter()
                sim.inject_sms(number, f"OK b{b}")
            wait_for(lambda k=k: len(sim.sent) >= k + BURST * parts, 60, "a burst's replies", 0.001)
            if b < sizes.bursts:
                burst_totals.append(cmgs.times[k + BURST * parts - 1] - t0)
                for m in range(k + parts - 1, k + BURST * parts, parts):
                    burst_each.append(cmgs.times[m] - sent_at.get(sim.sent[m].number, t0))
            b += 1
            processed += BURST
            _mark(marks, processed, sizes, gateway, ui)
            if b % 40 == 0:
                say(f"  {processed:,} SMS processed")
    finally:
        for p in (minimal, ui, gateway):
            if p is not None:
                p.stop()
        if empty is not None:
            empty.kill()
            empty.wait()
        sim.stop()

    ms = 1000
    at_p50, at_p99 = percentile(at, 50) * ms, percentile(at, 99) * ms
    s50, s99 = percentile(singles, 50) * ms, percentile(singles, 99) * ms
    b50, b99 = percentile(burst_each, 50) * ms, percentile(burst_each, 99) * ms
    worst_burst = max(burst_totals)
    lo, hi = sizes.memory_marks
    gw_lo, ui_lo = marks[lo]
    gw_hi, ui_hi = marks[hi]
    gw_growth = (gw_hi / gw_lo - 1) * 100
    ui_growth = (ui_hi / ui_lo - 1) * 100
    f1, f4 = "1 SMS round trip", "4 memory"
    n_s, n_b = len(singles), len(burst_each)
    return [
        Result(f1, "AT->OK on the pty p50", at_p50, MS),
        Result(f1, "AT->OK on the pty p99", at_p99, MS),
        Result(f1, f"single p50 (n={n_s})", s50, MS, at_p50),
        Result(f1, f"single p99 (n={n_s})", s99, MS, at_p99, "<= AT p99 + 50 ms", s99 - at_p99 <= 50,
               note=f"{s99 - at_p99:.1f} ms above the AT baseline"),
        Result(f1, f"in a burst of 50, p50 (n={n_b})", b50, MS, at_p50),
        Result(f1, f"in a burst of 50, p99 (n={n_b})", b99, MS, at_p99,
               note="each message waits for the ones before it: the queue, not our code"),
        Result(f1, f"burst of 50 fully processed, worst of {len(burst_totals)}", worst_burst * ms, MS,
               target="< 2000 ms", ok=worst_burst < 2),
        Result(f4, "empty python (baseline)", base_empty, MB),
        Result(f4, "minimal Textual app, 1 DataTable (baseline)", base_minimal, MB),
        Result(f4, "gateway peak RSS after start", start_gw, MB, base_empty, "<= 45 MB", start_gw <= 45),
        Result(f4, f"gateway peak RSS after {hi:,} SMS", gw_hi, MB, base_empty, "<= 45 MB", gw_hi <= 45),
        Result(f4, f"gateway growth {lo:,} -> {hi:,} SMS", gw_growth, "%", target="<= 5 %", ok=gw_growth <= 5,
               note=f"{gw_lo:.1f} -> {gw_hi:.1f} MB"),
        Result(f4, "UI peak RSS after start", start_ui, MB, base_minimal, "<= 1.3x minimal",
               start_ui <= 1.3 * base_minimal),
        Result(f4, f"UI peak RSS after {hi:,} SMS", ui_hi, MB, base_minimal, "<= 1.3x minimal",
               ui_hi <= 1.3 * base_minimal),
        Result(f4, f"UI growth {lo:,} -> {hi:,} SMS", ui_growth, "%", target="<= 5 %", ok=ui_growth <= 5,
               note=f"{ui_lo:.1f} -> {ui_hi:.1f} MB"),
    ]


def _warm_up(sim: ModemSimulator, cmgs: Cmgs, number: str) -> int:
    """One SMS first: how many AT+CMGS one reply takes (1 unless it is multi-part)."""
    k = len(sim.sent)
    sim.inject_sms(number, "OK warm-up")
    wait_for(lambda: len(sim.sent) > k, 30, "the first reply")
    time.sleep(0.3)
    return len(sim.sent) - k


def _mark(marks: dict, processed: int, sizes: Sizes, gateway, ui) -> None:
    for mark in sizes.memory_marks:
        if mark not in marks and processed >= mark:
            marks[mark] = (peak_rss_mb(gateway.pid), peak_rss_mb(ui.pid))
