"""The trust view's facts: every site's board as replicated to the trust server, and how fresh it is.

Read-only: it runs SELECTs on the trust server's per-site databases and nothing else; it never
connects to a site. It shows what the reception board shows, masked the same way (the generated
visit label, never an address; names, never phone numbers; never a code word: the trust has no
column that could hold one). Freshness comes from two places:
- the subscription on the trust server: how long ago it last received anything from the site
  (`pg_stat_subscription.last_msg_receipt_time`, measured by the trust server's clock). No apply
  worker (the site or the network is down), or nothing heard for longer than `stale_seconds`, is
  STALE: the board shown is the last one received, not the present.
- the site's replicated gateway heartbeat, judged by the viewer's clock like the reception board
  judges it (`kiosk.domain.link.link_state`): the site's own SMS link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

from kiosk.domain import ladder as L
from kiosk.domain.link import link_state
from kiosk.trust.pgconn import TrustError, connect, rows
from kiosk.trust.server import TRUST, SiteState, list_sites
from kiosk.trust.pgconn import one_line

UTC = timezone.utc


@dataclass(frozen=True)
class TrustVisit:
    id: int
    label: str
    staff: tuple[str, ...]
    state: str
    level: str  # ok | due-soon | amber | red
    due_back: datetime
    last_contact: datetime | None
    alarm_kinds: tuple[str, ...]
    approved: bool


@dataclass(frozen=True)
class TrustAlarm:
    id: int
    visit_id: int | None
    kind: str
    level: str
    raised_at: datetime
    acknowledged_by: str | None
    owner: str | None


@dataclass(frozen=True)
class SiteBoard:
    site: SiteState
    stale: bool
    freshness: str  # one line: "live: heard 2 s ago" or "STALE: ..."
    link: str | None  # the site's SMS link as the reception board says it (None: up, or unknown)
    heartbeat_at: datetime | None
    visits: list[TrustVisit] = field(default_factory=list)
    alarms: list[TrustAlarm] = field(default_factory=list)
    error: str | None = None  # the site's database on the trust server could not be read

    @property
    def name(self) -> str:
        return self.site.name

    def counts(self, now: datetime) -> dict[str, int]:
        return {"out": len(self.visits), "overdue": sum(1 for v in self.visits if v.due_back <= now),
                "alarms": len(self.alarms), "red": sum(1 for a in self.alarms if a.level == L.RED)}


@dataclass(frozen=True)
class TrustView:
    at: datetime
    stale_seconds: int
    sites: list[SiteBoard]


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def freshness(site: SiteState, stale_seconds: int) -> tuple[bool, str]:
    """(stale, one line) from the subscription's state on the trust server."""
    if not site.enabled:
        return True, "STALE: replication is disabled on the trust server"
    if not site.connected or site.heard_seconds is None:
        return True, "STALE: the trust server is not connected to this site (site or network down?)"
    heard = max(site.heard_seconds, 0.0)
    if heard > stale_seconds:
        return True, f"STALE: nothing received from this site for {_span(heard)}"
    if site.copying:
        return False, f"copying the site's tables ({site.tables_ready}/{site.tables_total} done)"
    return False, f"live: heard {_span(heard)} ago"


def _span(seconds: float) -> str:
    s = int(seconds)
    if s < 120:
        return f"{s} s"
    if s < 7200:
        return f"{s // 60} min"
    return f"{s // 3600} h {(s % 3600) // 60:02d} min"


def visit_level(alarm_levels: set[str], due_back: datetime, now: datetime, due_soon: timedelta) -> str:
    """The board's level for a visit: as `kiosk.services.queries.board` works it out."""
    if L.RED in alarm_levels:
        return L.RED
    if L.AMBER in alarm_levels:
        return L.AMBER
    return L.DUE_SOON if now >= due_back - due_soon else L.OK


def read_site(trust_url: str, site: SiteState, now: datetime, *, stale_seconds: int, due_soon: timedelta,
              heartbeat_stale_seconds: int) -> SiteBoard:
    """One site's board from its database on the trust server (one consistent snapshot)."""
    stale, fresh = freshness(site, stale_seconds)
    try:
        db = connect(trust_url, dbname=site.database, what=TRUST)
    except TrustError as exc:
        return SiteBoard(site, True, fresh, None, None, error=str(exc))
    try:
        with db.atomic():
            db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            visits = rows(db, "SELECT id, label, state, due_back, last_contact_at, approved_at FROM visit "
                              "WHERE ended_at IS NULL ORDER BY due_back, id")
            members = rows(db, "SELECT m.visit_id, s.name FROM visit_member m JOIN staff s ON s.id = m.staff_id "
                               "JOIN visit v ON v.id = m.visit_id WHERE v.ended_at IS NULL ORDER BY m.id")
            alarms = rows(db, "SELECT a.id, a.visit_id, a.kind, a.level, a.raised_at, a.acknowledged_by, s.name "
                              "FROM alarm a LEFT JOIN staff s ON s.id = a.owner_id "
                              "WHERE a.resolved_at IS NULL ORDER BY a.id")
            health = rows(db, "SELECT heartbeat_at, stopped_at, modem_connected, modem_gone_at, registration, "
                              "signal_bars, queue_length FROM gateway_health WHERE id = 1")
    except Exception as exc:  # noqa: BLE001 - a half-copied or damaged site database: say so, show the rest

        return SiteBoard(site, True, fresh, None, None, error=f"cannot read {site.database}: {one_line(exc)}")
    finally:
        db.close()
    names: dict[int, list[str]] = {}
    for visit_id, name in members:
        names.setdefault(visit_id, []).append(name)
    open_alarms = [TrustAlarm(id=a, visit_id=v, kind=k, level=lv, raised_at=_utc(at), acknowledged_by=by, owner=o)
                   for a, v, k, lv, at, by, o in alarms]
    by_visit: dict[int, list[TrustAlarm]] = {}
    for alarm in open_alarms:
        if alarm.visit_id is not None:
            by_visit.setdefault(alarm.visit_id, []).append(alarm)
    board = []
    for vid, label, state, due_back, last_contact, approved_at in visits:
        due = _utc(due_back)
        mine = sorted(by_visit.get(vid, []), key=lambda a: (a.level != L.RED, a.id))
        board.append(TrustVisit(id=vid, label=label, staff=tuple(names.get(vid, [])), state=state,
                                level=visit_level({a.level for a in mine}, due, now, due_soon), due_back=due,
                                last_contact=_utc(last_contact), alarm_kinds=tuple(a.kind for a in mine),
                                approved=approved_at is not None))
    board.sort(key=lambda v: (L.more_urgent_first(v.level), v.due_back, v.id))
    open_alarms.sort(key=lambda a: (a.level != L.RED, a.raised_at, a.id))
    heartbeat = None
    link = None
    if health:
        hb, stopped, connected, gone, registration, bars, queue = health[0]
        heartbeat = _utc(hb)
        row = SimpleNamespace(heartbeat_at=heartbeat, stopped_at=_utc(stopped), modem_connected=connected,
                              modem_gone_at=_utc(gone), registration=registration or "", signal_bars=bars,
                              queue_length=queue or 0)
        state = link_state(row, now, heartbeat_stale_seconds)
        link = state.banner
    elif not stale:
        link = "SMS link down: the gateway has not started"
    return SiteBoard(site, stale, fresh, None if stale else link, heartbeat, board, open_alarms)


def load_view(trust_url: str, now: datetime, *, stale_seconds: int, due_soon: timedelta,
              heartbeat_stale_seconds: int) -> TrustView:
    """Every site's board. Raises Unreachable (one line) if the trust server is down."""
    sites = list_sites(trust_url)
    boards = [read_site(trust_url, s, now, stale_seconds=stale_seconds, due_soon=due_soon,
                        heartbeat_stale_seconds=heartbeat_stale_seconds) for s in sites]
    return TrustView(at=now, stale_seconds=stale_seconds, sites=boards)
