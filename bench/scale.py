"""Figure 6: the 6-year school (500 staff, 40,000 visits, 1M events, 500k messages, 150 open visits)
at 0.1x, 0.3x and 1x: the board query, a frame of the board after new data, the escalation tick, and the
read behind an export of one year.

Every timing is the median of several runs on a FakeClock at the school's "now". The export is
`kiosk export`'s own code (`kiosk.ops.export`: one year's visit records as CSV); on a main
without it, a stand-in read of the same year is measured and labelled so. It must never write to a
kiosk database but its own.
"""

from __future__ import annotations

import asyncio
import csv
import io
import math
import statistics
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench import bulk
from bench.common import Result, say
from kiosk.clock import FakeClock
from kiosk.config import config_from_mapping
from kiosk.services.context import Context
from kiosk.store import open_database

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc)  # a Tuesday afternoon: reception staffed
RUNS = 5


def timed(fn, runs: int = RUNS) -> float:
    """Median milliseconds of `runs` calls (after one warm-up)."""
    fn()
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return statistics.median(out)


def kiosk_export_year(ctx: Context) -> int | None:
    """`kiosk export --from <a year ago> --to <today>` as CSV, through its service; None if not on main."""
    try:
        from kiosk.ops import export
    except ImportError:
        return None
    today = ctx.now().astimezone(ctx.tz).date()
    records = export.visit_records(ctx, export.period((today - timedelta(days=365)).isoformat(), today.isoformat()))
    export.render(records, "csv")
    return len(records)


def export_year(ctx: Context) -> int:
    """A stand-in for an export of the last year: what it must read: visits with their members, alarms, events, messages."""
    from kiosk.store.models import Alarm, Event, Message, Staff, Visit, VisitMember

    since = ctx.now() - timedelta(days=365)
    buf = io.StringIO()
    out = csv.writer(buf)
    rows = 0
    with ctx.db.atomic():
        visits = (Visit.select(Visit.id, Visit.label, Visit.left_at, Visit.due_back, Visit.ended_at, Visit.state,
                               Visit.outcome).where(Visit.left_at >= since).order_by(Visit.id).tuples())
        names: dict[int, list[str]] = {}
        for visit_id, name in (VisitMember.select(VisitMember.visit, Staff.name).join(Staff).join_from(
                VisitMember, Visit).where(Visit.left_at >= since).tuples()):
            names.setdefault(visit_id, []).append(name)
        for v in visits:
            out.writerow(v + (", ".join(names.get(v[0], [])),))
            rows += 1
        for query in (Alarm.select(Alarm.id, Alarm.visit, Alarm.kind, Alarm.level, Alarm.raised_at,
                                   Alarm.resolved_at).where(Alarm.raised_at >= since),
                      Event.select(Event.at, Event.kind, Event.visit_id, Event.actor, Event.summary)
                      .where(Event.at >= since),
                      Message.select(Message.created_at, Message.direction, Message.state, Message.kind,
                                     Message.visit).where(Message.created_at >= since)):
            for row in query.order_by(query.model._meta.primary_key).tuples():
                out.writerow(row)
                rows += 1
    return rows


async def _render_ms(ctx: Context, runs: int) -> tuple[float, float, float]:
    """In a running app showing the board of 150 open visits: new board data in which every visit
    changed (due back and last contact a minute later), to a complete frame of the screen; the
    same with one visit changed; and the baseline, a bare DataTable with the same rows given the
    same new data cell by cell, painted the same way. Each is `show` (or `update_cell`), the
    layout Textual would redo, and every line of the screen composed (`render_update(full=True)`),
    timed synchronously: no event-loop waits, no start-up."""
    from kiosk.app import build_app

    app = build_app(ctx, live=False, console=False)
    async with app.run_test(size=(160, 50)) as pilot:
        for _ in range(200):
            await pilot.pause()
            if app.loads:
                break
            await app.workers.wait_for_complete()
        await pilot.pause()
        board, view = app.screen, app.view
        later = _every_visit_a_minute_later(view)
        one = replace(view, rows=[replace(view.rows[0], last_contact=view.rows[0].due_back)] + view.rows[1:])

        def board_frame(v) -> float:
            t0 = time.perf_counter()
            board.show(v)
            _frame(app, board)
            return (time.perf_counter() - t0) * 1000

        every, single = [], []
        for i in range(runs + 1):
            ms = board_frame(later if i % 2 == 0 else view)
            if i:
                every.append(ms)
            await pilot.pause()
        board.show(view)
        await pilot.pause()
        for i in range(runs + 1):
            ms = board_frame(one if i % 2 == 0 else view)
            if i:
                single.append(ms)
            await pilot.pause()

        plain = _PlainTable(view.rows)
        await app.push_screen(plain)
        await pilot.pause()
        await pilot.pause()
        base = []
        for i in range(runs + 1):
            rows = later.rows if i % 2 == 0 else view.rows
            t0 = time.perf_counter()
            plain.fill(rows)
            _frame(app, plain)
            if i:
                base.append((time.perf_counter() - t0) * 1000)
            await pilot.pause()
    return statistics.median(every), statistics.median(single), statistics.median(base)


def _frame(app, screen) -> None:
    """What Textual does for the next frame of `screen`, then every line of it composed."""
    screen._refresh_layout(app.size)
    screen._compositor.render_update(full=True, screen_stack=app._background_screens)


def _every_visit_a_minute_later(view):
    minute = timedelta(minutes=1)
    return replace(view, rows=[replace(r, due_back=r.due_back + minute,
                                       last_contact=r.last_contact + minute if r.last_contact else r.left_at)
                               for r in view.rows])


def _PlainTable(rows):
    from textual.screen import Screen
    from textual.widgets import DataTable

    def cells(r):
        return (", ".join(r.staff), r.label, r.state, r.due_back.strftime("%H:%M"),
                r.last_contact.strftime("%H:%M") if r.last_contact else "-",
                r.check_in_due.strftime("%H:%M") if r.check_in_due else "-")

    class PlainTable(Screen):
        def compose(self):
            yield DataTable()

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            table.add_columns("Who", "Visit", "State", "Due back", "Last contact", "Check-in")
            for r in rows:
                table.add_row(*cells(r), key=str(r.id))

        def fill(self, new_rows) -> None:
            """New data, cell by cell (what a bare DataTable offers short of clearing it)."""
            table = self.query_one(DataTable)
            columns = [c.key for c in table.ordered_columns]
            for r in new_rows:
                for column, value in zip(columns, cells(r)):
                    if table.get_cell(str(r.id), column) != value:
                        table.update_cell(str(r.id), column, value)

    return PlainTable()


def measure(path: Path, scale: float) -> dict[str, float]:
    from kiosk.services import tick
    from kiosk.services.board_view import load_board

    t0 = time.perf_counter()
    counts, was_cached = bulk.cached(path, scale, NOW)
    built = time.perf_counter() - t0
    db = open_database(path)
    ctx = Context(config_from_mapping({"school": {"name": "Bench Academy"}}), FakeClock(NOW))
    try:
        board_ms = timed(lambda: load_board(ctx))
        render_ms, one_ms, plain_ms = asyncio.run(_render_ms(ctx, RUNS))
        tick_ms = timed(lambda: tick(ctx))
        t0 = time.perf_counter()  # once: kiosk export of a year takes seconds to minutes here
        real = kiosk_export_year(ctx)
        export_rows = real if real is not None else export_year(ctx)
        export_ms = (time.perf_counter() - t0) * 1000
        what = "kiosk export (CSV)" if real is not None else "underlying read (no kiosk export on main)"
    finally:
        db.close()
    return {"board": board_ms, "render": render_ms, "one": one_ms, "plain": plain_ms, "tick": tick_ms, "export": export_ms,
            "rows": export_rows, "what": what, "build": built, "cached": was_cached, "size": path.stat().st_size / 1e6,
            "visits": counts["visits"], "events": counts["events"], "messages": counts["messages"]}


def run(work: Path, quick: bool) -> list[Result]:
    scales = (0.1,) if quick else (0.1, 0.3, 1.0)
    found = {}
    for s in scales:
        say(f"figure 6: building the school at {s}x and measuring")
        found[s] = measure(work / f"scale-{s}.db", s)
        m = found[s]
        say(f"  {s}x: {'copied from the cache' if m['cached'] else 'built'} in {m['build']:.1f} s, {m['size']:.0f} MB; board {m['board']:.1f} ms, "
            f"render {m['render']:.1f} ms (one visit {m['one']:.1f} ms, bare DataTable {m['plain']:.1f} ms), tick {m['tick']:.1f} ms, export {m['export']:.0f} ms")
    f = "6 scale"
    out = []
    for s in scales:
        m = found[s]
        label = f"{s:g}x ({m['visits']:,} visits, {m['events']:,} events, {m['messages']:,} SMS; {m['size']:.0f} MB)"
        frame_ratio = m["render"] / m["plain"] if m["plain"] else None
        one_share = m["one"] / m["render"] if m["render"] else None
        out += [
            Result(f, f"{label}: board query", m["board"], "ms"),
            Result(f, f"{s:g}x: frame after new data, all 150 visits changed (baseline: bare DataTable)",
                   m["render"], "ms", m["plain"], target="<= 1.1x bare DataTable",
                   ok=frame_ratio is not None and frame_ratio <= 1.1,
                   note="in a running app: show + layout + every line of the screen composed; not start-up"),
            Result(f, f"{s:g}x: frame after new data, one visit changed (baseline: all changed)",
                   m["one"], "ms", m["render"], target="<= 0.2x all changed",
                   ok=one_share is not None and one_share <= 0.2),
            Result(f, f"{s:g}x: escalation tick, 150 open", m["tick"], "ms", target="<= 20 ms", ok=m["tick"] <= 20),
            Result(f, f"{s:g}x: export of one year ({m['rows']:,} rows, {m['what']})", m["export"], "ms",
                   target="<= 5000 ms", ok=m["export"] <= 5000),
        ]
    if len(scales) > 1:
        lo, hi = found[scales[0]], found[scales[-1]]
        span = math.log(scales[-1] / scales[0])
        notes = []
        for key in ("board", "render", "tick", "export"):
            k = math.log(max(hi[key], 1e-3) / max(lo[key], 1e-3)) / span
            notes.append(f"{key} ~ data^{k:.2f} -> {hi[key] * 10 ** k:,.0f} ms at 10x (extrapolated)")
        out.append(Result(f, "growth 0.1x -> 1x, extrapolated to 10x", None, "", note="; ".join(notes)))
    return out
