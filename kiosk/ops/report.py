"""The report for the safeguarding lead and governors: visits, alarms by kind, and the time from
each alarm to its acknowledgement (median, 90th percentile) against `ladder.ack_target_minutes`.

Plain text for the terminal, or one self-contained HTML page with inline SVG charts (nothing
fetched from anywhere). Counts and durations only, and the visits that closed never approved by
number ("Visit 12"; `kiosk visit report 12` has the rest): it must never show a name, an address
or even a postcode district, a phone number, message text or a code word. Reads only.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from kiosk.services.context import Context
from kiosk.ops.export import Period
from peewee import fn

from kiosk.store.models import Alarm, Event, Visit

ACK_EVENTS = ("alarm-acknowledged", "alarm-owned")


@dataclass
class Report:
    period: Period
    school: str
    target_minutes: int
    visits: int = 0
    visits_with_alarms: int = 0
    alarms_by_kind: dict[str, dict[str, int]] = field(default_factory=dict)  # kind -> level -> count
    ack_minutes: list[float] = field(default_factory=list)  # one per acknowledged alarm, sorted
    unacknowledged: int = 0
    never_approved: list[tuple[int, str]] = field(default_factory=list)  # closed visits: (id, local date left)

    @property
    def alarms(self) -> int:
        return sum(sum(levels.values()) for levels in self.alarms_by_kind.values())

    @property
    def median(self) -> float | None:
        return percentile(self.ack_minutes, 50)

    @property
    def p90(self) -> float | None:
        return percentile(self.ack_minutes, 90)

    @property
    def within_target(self) -> int:
        return sum(1 for m in self.ack_minutes if m <= self.target_minutes)


def percentile(sorted_values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of an ascending list (None when empty)."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def build(ctx: Context, when: Period) -> Report:
    lo, hi = when.bounds(ctx.tz)
    report = Report(when, ctx.config.school.name, ctx.config.ladder.ack_target_minutes)
    with ctx.snapshot():
        in_period = (Visit.left_at >= lo) & (Visit.left_at < hi)
        report.visits = Visit.select().where(in_period).count()
        report.never_approved = [
            (v.id, v.left_at.astimezone(ctx.tz).date().isoformat())
            for v in Visit.select(Visit.id, Visit.left_at)
            .where(in_period & Visit.ended_at.is_null(False) & Visit.approved_by.is_null()).order_by(Visit.id)]
        alarms = list(Alarm.select().where((Alarm.raised_at >= lo) & (Alarm.raised_at < hi)))
        # the first acknowledgement is in the audit trail (the row keeps the latest: police, then stood-down)
        first: dict[int, Any] = {}
        for alarm_id, at in (Event.select(Event.alarm_id, fn.MIN(Event.at))
                             .where(Event.kind.in_(ACK_EVENTS) & Event.alarm_id.in_([a.id for a in alarms]))
                             .group_by(Event.alarm_id).tuples()):
            first[alarm_id] = Event.at.python_value(at)
    with_alarms = set()
    for alarm in alarms:
        report.alarms_by_kind.setdefault(alarm.kind, {}).setdefault(alarm.level, 0)
        report.alarms_by_kind[alarm.kind][alarm.level] += 1
        if alarm.visit_id is not None:
            with_alarms.add(alarm.visit_id)
        # acknowledged: someone at reception recorded it, or an alert receiver took charge by SMS
        # (an amber cleared by the visit's own contact was never acknowledged by anyone)
        answered = [t for t in (first.get(alarm.id), alarm.acknowledged_at, alarm.owner_at,
                                alarm.resolved_at if alarm.action == "extended" else None) if t is not None]
        if answered:
            report.ack_minutes.append((min(answered) - alarm.raised_at) / timedelta(minutes=1))
        elif alarm.resolved_at is None or alarm.action not in ("contact", "back"):
            report.unacknowledged += 1
    report.visits_with_alarms = len(with_alarms)
    report.ack_minutes.sort()
    return report


def _minutes(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f} min"


def text(r: Report) -> str:
    lines = [f"{r.school}: visits and alarms, {r.period.start.isoformat()} to {r.period.end.isoformat()}", "",
             f"Visits:                 {r.visits}", f"Visits with an alarm:   {r.visits_with_alarms}",
             f"Alarms:                 {r.alarms}"]
    for kind, levels in sorted(r.alarms_by_kind.items()):
        detail = ", ".join(f"{n} {level}" for level, n in sorted(levels.items()))
        lines.append(f"  {kind:<20}  {sum(levels.values()):>4}  ({detail})")
    lines += ["", f"Time from alarm to acknowledgement (target {r.target_minutes} min):",
              f"  acknowledged:         {len(r.ack_minutes)}",
              f"  median:               {_minutes(r.median)}",
              f"  90th percentile:      {_minutes(r.p90)}"
              + ("" if r.p90 is None else ("  (within target)" if r.p90 <= r.target_minutes else "  (over target)")),
              f"  within target:        {r.within_target} of {len(r.ack_minutes)}",
              f"  never acknowledged:   {r.unacknowledged} (cleared by the visit's own contact not counted)",
              "", f"Visits closed never approved: {len(r.never_approved)}"]
    lines += [f"  Visit {visit_id} ({day})" for visit_id, day in r.never_approved]
    return "\n".join(lines) + "\n"


def _bar_chart(r: Report) -> str:
    kinds = sorted(r.alarms_by_kind.items())
    if not kinds:
        return "<p>No alarms in this period.</p>"
    width, bar_h, gap, label_w = 520, 22, 8, 150
    top = max(sum(levels.values()) for _, levels in kinds)
    height = len(kinds) * (bar_h + gap) + gap
    colours = {"red": "#c62828", "amber": "#ef8f00"}
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="Alarms by kind">']
    for i, (kind, levels) in enumerate(kinds):
        y = gap + i * (bar_h + gap)
        parts.append(f'<text x="0" y="{y + bar_h - 6}" font-size="13">{html.escape(kind)}</text>')
        x = float(label_w)
        for level in ("red", "amber"):
            n = levels.get(level, 0)
            if n:
                w = (width - label_w - 40) * n / top
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                             f'fill="{colours[level]}"><title>{n} {level}</title></rect>')
                x += w
        for level, n in levels.items():
            if level not in colours and n:
                w = (width - label_w - 40) * n / top
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#777"/>')
                x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + bar_h - 6}" font-size="13">{sum(levels.values())}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _ack_chart(r: Report) -> str:
    if not r.ack_minutes:
        return "<p>No acknowledged alarms in this period.</p>"
    width, height, pad = 520, 90, 30
    top = max(r.ack_minutes[-1], r.target_minutes * 1.5)

    def x(minutes: float) -> float:
        return pad + (width - 2 * pad) * minutes / top

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="Minutes from alarm to acknowledgement">',
             f'<line x1="{pad}" y1="50" x2="{width - pad}" y2="50" stroke="#999"/>']
    for m in r.ack_minutes:
        colour = "#2e7d32" if m <= r.target_minutes else "#c62828"
        parts.append(f'<circle cx="{x(m):.1f}" cy="50" r="5" fill="{colour}" fill-opacity="0.6">'
                     f'<title>{m:.1f} min</title></circle>')
    tx = x(r.target_minutes)
    parts.append(f'<line x1="{tx:.1f}" y1="20" x2="{tx:.1f}" y2="70" stroke="#000" stroke-dasharray="4 3"/>'
                 f'<text x="{tx + 4:.1f}" y="18" font-size="12">target {r.target_minutes} min</text>')
    for label, value in (("median", r.median), ("p90", r.p90)):
        if value is not None:
            parts.append(f'<text x="{x(value):.1f}" y="{86 if label == "median" else 76}" font-size="11" '
                         f'text-anchor="middle">{label} {value:.1f}</text>')
    parts.append(f'<text x="{pad}" y="66" font-size="11">0</text>'
                 f'<text x="{width - pad}" y="66" font-size="11" text-anchor="end">{top:.0f} min</text></svg>')
    return "".join(parts)


def page(r: Report) -> str:
    e = html.escape
    title = f"{r.school}: visits and alarms, {r.period.start.isoformat()} to {r.period.end.isoformat()}"
    body_text = e(text(r))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{e(title)}</title><style>body{{font-family:sans-serif;max-width:48em;margin:2em auto}}"
            "pre{background:#f4f4f4;padding:1em}</style></head><body>"
            f"<h1>{e(title)}</h1><h2>Alarms by kind</h2>{_bar_chart(r)}"
            f"<h2>Minutes from alarm to acknowledgement</h2>{_ack_chart(r)}"
            f"<h2>Figures</h2><pre>{body_text}</pre></body></html>\n")
