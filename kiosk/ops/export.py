"""Export of visits for the school's safeguarding record system and for data requests (CSV, JSON),
and the printable post-visit report of one visit (text or self-contained HTML).

One record per visit: staff, date, times (left, arrived, back, time spent; school's local time and
UTC ISO), place, purpose, check-ins, alarms and how each was handled, post-visit answers. It must
never include a code word (columns are never read, and any code word that slipped into a free
text is replaced by "[code word]"), never emit a terminal escape, and never a CSV cell a
spreadsheet would run as a formula. It reads only (one snapshot) and writes nothing.
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Callable, Iterable

from peewee import fn

from kiosk.clock import format_instant
from kiosk.domain.cars import Car, car_used
from kiosk.domain.codewords import may_hold_code_word, redact
from kiosk.domain.display import json_safe, safe_text
from kiosk.domain.text import normalise
from kiosk.services.approval import approvals
from kiosk.services.context import Context
from kiosk.services.errors import Invalid, NotFound
from kiosk.store.models import Alarm, AlarmAction, Event, Staff, Visit, VisitMember

FORMATS = ("csv", "json")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS = (
    "visit", "label", "staff", "date", "left_local", "left_utc", "arrived_local", "arrived_utc",
    "back_local", "back_utc", "due_back_local", "due_back_utc", "time_spent_minutes", "state", "place",
    "purpose", "travel", "vehicle", "vehicle_reg", "vehicle_make", "vehicle_colour", "vehicle_owner",
    "family_ref", "approved_by", "approved_local", "approved_at", "approvals", "started_by", "check_in_count",
    "check_ins_local", "check_ins_utc", "alarm_count", "alarms", "objective_achieved",
    "follow_up_needed", "safeguarding_concern", "outcome",
)


def parse_date(text: str, what: str = "date") -> date:
    """A calendar date as YYYY-MM-DD (the school's local date), or Invalid saying so."""
    cleaned = (text or "").strip()
    try:
        if len(cleaned) != 10:
            raise ValueError
        return date.fromisoformat(cleaned)
    except ValueError:
        raise Invalid(f"{what}: expected a date as YYYY-MM-DD, got {safe_text(text, 40)!r}") from None


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def bounds(self, tz) -> tuple[datetime, datetime]:
        """[start 00:00 local, the day after end 00:00 local) as aware datetimes."""
        lo = datetime.combine(self.start, time(0), tz)
        hi = datetime.combine(self.end + timedelta(days=1), time(0), tz)
        return lo, hi


def period(start: str, end: str) -> Period:
    lo, hi = parse_date(start, "--from"), parse_date(end, "--to")
    if hi < lo:
        raise Invalid(f"--to {hi.isoformat()} is before --from {lo.isoformat()}")
    return Period(lo, hi)


def _staff_named(name: str) -> Staff:
    cleaned = " ".join((name or "").split())
    staff = None
    if cleaned.isdigit():
        staff = Staff.get_or_none(Staff.id == int(cleaned))
    if staff is None and cleaned:
        staff = Staff.get_or_none(fn.lower(Staff.name) == cleaned.lower())  # any case, exact name
    if staff is None:
        raise NotFound(f"no member of staff named {safe_text(name, 60)!r}")
    return staff


class _Cleaner:
    """Every free text through here: code words replaced, escapes and controls removed."""

    def __init__(self, code_words: Iterable[str]) -> None:
        self.code_words = {w for w in code_words if w}
        self.folded = {f for f in (normalise(w) for w in self.code_words) if f}

    def __call__(self, value: Any) -> str:
        text = safe_text(value, None)
        if self.folded and text and may_hold_code_word(text, self.folded):
            return redact(text, self.code_words)
        return text

    @staticmethod
    def fixed(value: Any) -> str:
        """A value kiosk chose from a list or generated (purpose, label, state): no one typed it."""
        return safe_text(value, None)


def _all_code_words() -> set[str]:
    words = {w for (w,) in Staff.select(Staff.code_word).where(Staff.code_word.is_null(False)).tuples()}
    words |= {w for (w,) in Visit.select(Visit.code_word).where(Visit.code_word.is_null(False)).tuples()}
    return words


def _local(ctx: Context, value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return value.astimezone(ctx.tz).strftime(fmt) if value else ""


def _answer(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _action_record(ctx: Context, step: AlarmAction, clean: _Cleaner) -> dict[str, Any]:
    return {"at_local": _local(ctx, step.at), "at_utc": format_instant(step.at), "by": clean(step.who),
            "action": clean.fixed(step.action), "police_ref": clean(step.police_ref), "note": clean(step.note)}


def _alarm_record(ctx: Context, alarm: Alarm, clean: _Cleaner, first_ack: datetime | None = None,
                  history: Iterable[AlarmAction] = ()) -> dict[str, Any]:
    return {
        "id": alarm.id, "kind": alarm.kind, "level": alarm.level,
        "raised_local": _local(ctx, alarm.raised_at), "raised_utc": format_instant(alarm.raised_at),
        "summary": clean(alarm.summary),
        "took_charge": clean(alarm.owner.name) if alarm.owner_id else "",
        "acknowledged_by": clean(alarm.acknowledged_by), "acknowledged_local": _local(ctx, alarm.acknowledged_at),
        "acknowledged_utc": format_instant(alarm.acknowledged_at), "action": clean.fixed(alarm.action),
        "first_acknowledged_local": _local(ctx, first_ack), "first_acknowledged_utc": format_instant(first_ack),
        "police_ref": clean(alarm.police_ref), "note": clean(alarm.note),
        "resolved_local": _local(ctx, alarm.resolved_at), "resolved_utc": format_instant(alarm.resolved_at),
        "resolved_by": clean(alarm.resolved_by),
        # every step in order (issue 14 item 14): the fields above keep only the latest acknowledgement
        "history": [_action_record(ctx, step, clean) for step in history],
    }


def _step_text(step: dict[str, Any]) -> str:
    text = f"{step['at_local']} {step['action']}" + (f" by {step['by']}" if step["by"] else "")
    if step["police_ref"]:
        text += f", police ref {step['police_ref']}"
    if step["note"]:
        text += f", note: {step['note']}"
    return text


def _alarm_line(a: dict[str, Any], *, with_history: bool = True) -> str:
    parts = [f"#{a['id']} {a['kind']} {a['level']} raised {a['raised_local']}"]
    if a["took_charge"]:
        parts.append(f"taken by {a['took_charge']}")
    if a["first_acknowledged_local"] and a["first_acknowledged_local"] != a["acknowledged_local"]:
        parts.append(f"first acknowledged {a['first_acknowledged_local']}")
    if a["acknowledged_by"]:
        parts.append(f"acknowledged by {a['acknowledged_by']} at {a['acknowledged_local']}")
    if a["action"]:
        parts.append(f"action {a['action']}")
    if a["police_ref"]:
        parts.append(f"police ref {a['police_ref']}")
    parts.append(f"resolved {a['resolved_local']} by {a['resolved_by']}" if a["resolved_local"] else "unresolved")
    line = ", ".join(parts)
    if with_history and a["history"]:
        line += "; history: " + "; ".join(_step_text(step) for step in a["history"])
    return line


@dataclass
class _Related:
    """What one visit's record needs besides the row, loaded for many visits in a few queries."""

    names: dict[int, list[str]]
    cars: dict[int, list[tuple[str, Car]]]  # visit id -> (member's name, their own car on record)
    arrived: dict[int, datetime]
    check_ins: dict[int, list[datetime]]
    alarms: dict[int, list[Alarm]]
    first_ack: dict[int, datetime] = field(default_factory=dict)  # alarm id -> first acknowledgement
    history: dict[int, list[AlarmAction]] = field(default_factory=dict)  # alarm id -> every step, in order
    approvals: dict[int, list[tuple[str, datetime]]] = field(default_factory=dict)  # every approval, in order


def _load_related(visit_ids) -> _Related:
    """`visit_ids`: a query selecting Visit.id. Each related table is read in one query using it as a
    subquery (no variable limit; the audit trail, which has no index on visit_id, is scanned once)."""
    related = _Related({}, {}, {}, {}, {})
    for visit_id, name, reg, make, colour in (
            VisitMember.select(VisitMember.visit, Staff.name, Staff.vehicle_reg, Staff.vehicle_make,
                               Staff.vehicle_colour).join(Staff)
            .where(VisitMember.visit.in_(visit_ids)).order_by(VisitMember.id).tuples()):
        related.names.setdefault(visit_id, []).append(name)
        related.cars.setdefault(visit_id, []).append((name, Car(reg, make, colour)))
    for visit_id, kind, at in (Event.select(Event.visit_id, Event.kind, Event.at)
                               .where(Event.kind.in_(("visit-on-site", "contact")) & Event.visit_id.in_(visit_ids))
                               .order_by(Event.at, Event.id).tuples()):
        at = Event.at.python_value(at)
        if kind == "contact":
            related.check_ins.setdefault(visit_id, []).append(at)
        else:
            related.arrived.setdefault(visit_id, at)
    for alarm in Alarm.select().where(Alarm.visit.in_(visit_ids)).order_by(Alarm.id):
        related.alarms.setdefault(alarm.visit_id, []).append(alarm)
    # the row keeps the latest acknowledgement (police, then stood-down): the first is in the trail
    alarm_ids = Alarm.select(Alarm.id).where(Alarm.visit.in_(visit_ids))
    for alarm_id, at in (Event.select(Event.alarm_id, fn.MIN(Event.at))
                         .where(Event.kind.in_(("alarm-acknowledged", "alarm-owned")) & Event.alarm_id.in_(alarm_ids))
                         .group_by(Event.alarm_id).tuples()):
        related.first_ack[alarm_id] = Event.at.python_value(at)
    for step in (AlarmAction.select().where(AlarmAction.alarm.in_(alarm_ids))
                 .order_by(AlarmAction.at, AlarmAction.id)):
        related.history.setdefault(step.alarm_id, []).append(step)
    related.approvals = approvals(visit_ids)
    return related


def _visit_record(ctx: Context, visit: Visit, clean: _Cleaner, related: _Related) -> dict[str, Any]:
    names = [clean(n) for n in related.names.get(visit.id, [])]
    arrived = related.arrived.get(visit.id)
    check_ins = related.check_ins.get(visit.id, [])
    alarms = [_alarm_record(ctx, a, clean, related.first_ack.get(a.id), related.history.get(a.id, []))
              for a in related.alarms.get(visit.id, [])]
    spent = int((visit.ended_at - visit.left_at).total_seconds() // 60) if visit.ended_at else None
    car = car_used(Car(visit.vehicle, visit.vehicle_make, visit.vehicle_colour), related.cars.get(visit.id, []))
    return {
        "visit": visit.id, "label": clean.fixed(visit.label), "staff": names,
        "date": _local(ctx, visit.left_at, "%Y-%m-%d"),
        "left_local": _local(ctx, visit.left_at), "left_utc": format_instant(visit.left_at),
        "arrived_local": _local(ctx, arrived), "arrived_utc": format_instant(arrived),
        "back_local": _local(ctx, visit.ended_at), "back_utc": format_instant(visit.ended_at),
        "due_back_local": _local(ctx, visit.due_back), "due_back_utc": format_instant(visit.due_back),
        "time_spent_minutes": spent, "state": visit.state, "place": clean(visit.place),
        "purpose": clean.fixed(visit.purpose), "travel": clean(visit.travel),
        "vehicle": clean(car.text), "vehicle_reg": clean(car.reg), "vehicle_make": clean(car.make),
        "vehicle_colour": clean(car.colour), "vehicle_owner": clean(car.owner),
        "family_ref": clean(visit.family_ref), "approved_by": clean(visit.approved_by),
        "approved_local": _local(ctx, visit.approved_at), "approved_at": format_instant(visit.approved_at),
        "approvals": [{"by": clean(name), "local": _local(ctx, at), "utc": format_instant(at)}
                      for name, at in related.approvals.get(visit.id, [])],
        "started_by": clean.fixed(visit.started_by), "check_in_count": len(check_ins),
        "check_ins_local": [_local(ctx, t) for t in check_ins], "check_ins_utc": [format_instant(t) for t in check_ins],
        "alarm_count": len(alarms), "alarms": alarms,
        "objective_achieved": visit.objective_achieved or "", "follow_up_needed": _answer(visit.follow_up_needed),
        "safeguarding_concern": _answer(visit.safeguarding_concern), "outcome": clean(visit.outcome),
    }


def visit_records(ctx: Context, when: Period, *, staff: str | None = None,
                  progress: Callable[[int, int], None] | None = None) -> list[dict[str, Any]]:
    """One record per visit that left within the period (local dates, inclusive), oldest first."""
    lo, hi = when.bounds(ctx.tz)
    with ctx.snapshot():
        query = Visit.select().where((Visit.left_at >= lo) & (Visit.left_at < hi))
        if staff is not None:
            member = _staff_named(staff)
            query = query.where(Visit.id.in_(VisitMember.select(VisitMember.visit).where(VisitMember.staff == member)))
        visits = list(query.order_by(Visit.left_at, Visit.id))
        related = _load_related(query.select(Visit.id).order_by())
        clean = _Cleaner(_all_code_words())
        records = []
        for n, visit in enumerate(visits, 1):
            records.append(_visit_record(ctx, visit, clean, related))
            if progress and (n % 100 == 0 or n == len(visits)):
                progress(n, len(visits))
    return records


def visit_record(ctx: Context, visit_id: int) -> dict[str, Any]:
    with ctx.snapshot():
        visit = Visit.get_or_none(Visit.id == visit_id)
        if visit is None:
            raise NotFound(f"no visit {visit_id}")
        return _visit_record(ctx, visit, _Cleaner(_all_code_words()), _load_related(Visit.select(Visit.id).where(Visit.id == visit.id)))


# --- writers -------------------------------------------------------------------------------------

def csv_cell(value: Any) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ (or tab/CR) gets an apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _flat(record: dict[str, Any]) -> dict[str, Any]:
    row = dict(record)
    row["staff"] = "; ".join(record["staff"])
    row["check_ins_local"] = "; ".join(record["check_ins_local"])
    row["check_ins_utc"] = "; ".join(record["check_ins_utc"])
    row["alarms"] = " | ".join(_alarm_line(a) for a in record["alarms"])
    row["approvals"] = "; ".join(f"{a['by']} {a['local']}" for a in record["approvals"])
    return row


def to_csv(records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        row = _flat(record)
        writer.writerow([csv_cell(row[c]) for c in CSV_COLUMNS])
    return out.getvalue()


def to_json(records: list[dict[str, Any]]) -> str:
    return json_safe(json.dumps(records, ensure_ascii=False, indent=1)) + "\n"


def render(records: list[dict[str, Any]], fmt: str) -> str:
    if fmt not in FORMATS:
        raise Invalid(f"--format: expected one of {', '.join(FORMATS)}, got {safe_text(fmt, 20)!r}")
    return to_csv(records) if fmt == "csv" else to_json(records)


# --- the post-visit report ---------------------------------------------------------------------

def _report_fields(r: dict[str, Any]) -> list[tuple[str, str]]:
    spent = r["time_spent_minutes"]
    return [
        ("Staff", ", ".join(r["staff"])), ("Date", r["date"]), ("Place", r["place"]),
        ("Purpose", r["purpose"]), ("Family ref", r["family_ref"]), ("Travel", r["travel"]),
        ("Vehicle", (f"{r['vehicle']} ({r['vehicle_owner']}'s own car)" if r["vehicle_owner"] else r["vehicle"])
         or "none recorded"), ("Approved by", _approved(r)),
        ("Left", r["left_local"]), ("Arrived", r["arrived_local"] or "not recorded"),
        ("Due back", r["due_back_local"]), ("Back", r["back_local"] or f"not back ({r['state']})"),
        ("Time spent", f"{spent // 60} h {spent % 60:02d} min" if spent is not None else ""),
        ("Check-ins", f"{r['check_in_count']}" + (f": {', '.join(t[-5:] for t in r['check_ins_local'])}"
                                                  if r["check_ins_local"] else "")),
        ("Objective achieved", r["objective_achieved"] or "not answered"),
        ("Follow-up needed", r["follow_up_needed"] or "not answered"),
        ("Safeguarding concern", (r["safeguarding_concern"] or "not answered")
         + (" (details on the safeguarding system)" if r["safeguarding_concern"] == "yes" else "")),
        ("Outcome", r["outcome"]),
    ]


def _approved(r: dict[str, Any]) -> str:
    """"Hana Head at 2026-11-24 14:00", then any later approval; or NOT APPROVED."""
    if not r["approved_by"]:
        return "NOT APPROVED"
    later = [f"{a['by']} at {a['local']}" for a in r["approvals"][1:]]
    return f"{r['approved_by']} at {r['approved_local']}" + (f" (also {', '.join(later)})" if later else "")


def report_text(r: dict[str, Any], school: str) -> str:
    lines = [f"Post-visit report: visit {r['visit']} ({r['label']})", f"{school}", ""]
    lines += [f"{name + ':':<22}{value}" for name, value in _report_fields(r)]
    lines += ["", f"Alarms: {r['alarm_count'] or 'none'}"]
    for a in r["alarms"]:
        lines.append(f"  {_alarm_line(a, with_history=False)}")
        lines += [f"    {_step_text(step)}" for step in a["history"]]
    lines += ["", "Times are the school's local time. Code words are never included."]
    return "\n".join(lines) + "\n"


_CSS = ("body{font-family:sans-serif;max-width:48em;margin:2em auto;color:#111}"
        "th{text-align:left;padding-right:1.5em;vertical-align:top}td,th{padding:.2em}"
        "h1{font-size:1.4em}footer{margin-top:2em;font-size:.85em;color:#444}"
        "@media print{body{margin:0}}")


def report_html(r: dict[str, Any], school: str) -> str:
    e = html.escape
    rows = "".join(f"<tr><th>{e(name)}</th><td>{e(value)}</td></tr>" for name, value in _report_fields(r))
    alarms = "".join(f"<li>{e(_alarm_line(a, with_history=False))}"
                     + ("<ol>" + "".join(f"<li>{e(_step_text(step))}</li>" for step in a["history"]) + "</ol>"
                        if a["history"] else "") + "</li>" for a in r["alarms"]) or "<li>none</li>"
    title = f"Post-visit report: visit {r['visit']}"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{e(title)}</title><style>{_CSS}</style></head><body>"
            f"<h1>{e(title)} ({e(r['label'])})</h1><p>{e(school)}</p><table>{rows}</table>"
            f"<h2>Alarms</h2><ul>{alarms}</ul>"
            "<footer>Times are the school's local time. Code words are never included.</footer>"
            "</body></html>\n")
