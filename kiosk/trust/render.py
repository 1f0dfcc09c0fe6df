"""The trust view as text lines (for `kiosk trust --once` and the app) and as JSON. Pure.

It must never add anything the view does not hold: no address, no phone number, no code word can
appear because none is read. Text from the sites (names, labels) is made terminal-safe by the
caller's printer (`kiosk.cli._session.say`) or by Textual's markup-free Text.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.clock import format_instant
from kiosk.domain.display import countdown
from kiosk.trust.board import SiteBoard, TrustView

LEVEL_WORDS = {"red": "RED", "amber": "AMBER", "due-soon": "DUE SOON", "ok": "ok"}


def _hhmm(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%H:%M") if value else "-"


def site_heading(board: SiteBoard, now: datetime, tz: ZoneInfo) -> str:
    counts = board.counts(now)
    head = (f"SITE {board.name}: {counts['out']} out, {counts['overdue']} overdue, "
            f"{counts['alarms']} alarm(s) open ({counts['red']} red) | {board.freshness}")
    if board.heartbeat_at is not None:
        head += f" | last gateway heartbeat {_hhmm(board.heartbeat_at, tz)}"
    return head


def visit_line(visit, now: datetime, tz: ZoneInfo) -> str:
    kinds = f" {','.join(k.upper() for k in visit.alarm_kinds)}" if visit.alarm_kinds else ""
    return (f"  {LEVEL_WORDS.get(visit.level, visit.level):<8} {visit.label:<18} {', '.join(visit.staff):<28} "
            f"{visit.state:<8} due {_hhmm(visit.due_back, tz)} ({countdown((visit.due_back - now).total_seconds())}) "
            f"last {_hhmm(visit.last_contact, tz)}{'' if visit.approved else ' UNAPPROVED'}{kinds}")


def alarm_line(alarm, tz: ZoneInfo) -> str:
    taken = f" taken by {alarm.owner}" if alarm.owner else ""
    ack = f" ack {alarm.acknowledged_by}" if alarm.acknowledged_by else ""
    return (f"  alarm {alarm.id}: {alarm.level.upper()} {alarm.kind} visit {alarm.visit_id or '-'} "
            f"raised {_hhmm(alarm.raised_at, tz)}{taken}{ack}")


def site_lines(board: SiteBoard, now: datetime, tz: ZoneInfo) -> list[str]:
    lines = [site_heading(board, now, tz)]
    if board.error:
        lines.append(f"  cannot show this site: {board.error}")
        return lines
    if board.link:
        lines.append(f"  {board.link}")
    lines += [visit_line(v, now, tz) for v in board.visits]
    if not board.visits:
        lines.append("  no visits out")
    lines += [alarm_line(a, tz) for a in board.alarms]
    return lines


def view_lines(view: TrustView, tz: ZoneInfo) -> list[str]:
    """The whole view, read-only, one site after another."""
    stale = [b.name for b in view.sites if b.stale]
    lines = [f"kiosk trust view at {_hhmm(view.at, tz)}: {len(view.sites)} site(s)"
             + (f", STALE: {', '.join(stale)}" if stale else "")]
    if not view.sites:
        lines.append("no sites yet: add one with `kiosk trust add-site NAME postgresql://...`")
    for board in view.sites:
        lines += site_lines(board, view.at, tz)
    return lines


def view_json(view: TrustView) -> list[dict]:
    return [{
        "site": b.name, "stale": b.stale, "freshness": b.freshness, "replication": b.site.replication_word(),
        "heard_seconds": b.site.heard_seconds, "heartbeat_at": format_instant(b.heartbeat_at),
        "sms_link": b.link, "error": b.error,
        "visits": [{"id": v.id, "label": v.label, "staff": list(v.staff), "state": v.state, "level": v.level,
                    "due_back": format_instant(v.due_back), "last_contact": format_instant(v.last_contact),
                    "alarms": list(v.alarm_kinds), "approved": v.approved} for v in b.visits],
        "alarms": [{"id": a.id, "visit": a.visit_id, "kind": a.kind, "level": a.level,
                    "raised_at": format_instant(a.raised_at), "acknowledged_by": a.acknowledged_by,
                    "owner": a.owner} for a in b.alarms],
    } for b in view.sites]


def sites_lines(sites) -> list[str]:
    if not sites:
        return ["no sites on the trust server"]
    out = []
    for s in sites:
        heard = "-" if s.heard_seconds is None else f"{max(s.heard_seconds, 0):.0f} s ago"
        out.append(f"{s.name:<16} {s.replication_word():<14} heard {heard:<10} tables {s.tables_ready}/{s.tables_total}"
                   f" database {s.database}  from {s.source}")
    return out


def sites_json(sites) -> list[dict]:
    return [{"site": s.name, "database": s.database, "replication": s.replication_word(), "enabled": s.enabled,
             "connected": s.connected, "heard_seconds": s.heard_seconds, "tables_ready": s.tables_ready,
             "tables_total": s.tables_total, "source": s.source} for s in sites]
