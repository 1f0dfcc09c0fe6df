"""Figure 7: a simulated month (FakeClock) compressed into minutes, through kiosk's services.

Each weekday, staff go out on visits, text check-ins and BACK; on a schedule one visit a day runs
overdue (reception answers the call and marks it back) and every third day a member texts their code
word (reception acknowledges). The ladder ticks every simulated minute in the day and every 15 at
night; the outbox is drained as the gateway would, and the retention purge runs each night as the
gateway's nightly job does, with every period set to RETAIN_DAYS so that a month shows the size level
off. At the end: every planned alarm raised exactly once, none unplanned; memory and database size per
day. Commits are not fsynced here (synchronous=OFF on this throwaway database: the soak is about
logic, memory and size; figure 1 measures what the fsyncs cost). It must never read the real clock for logic.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench import school
from bench.common import Result, own_rss_mb, say
from kiosk.clock import FakeClock
from kiosk.config import config_from_mapping
from kiosk.services import (acknowledge, add_staff, mark_back, mark_sending, mark_sent, next_outgoing, sign_out,
                            sms_in, tick)
from kiosk.services.context import Context
from kiosk.store import open_database
from kiosk.store.models import Alarm, Event, Message, Visit

UTC = timezone.utc
START = datetime(2026, 9, 1, 0, 0, tzinfo=UTC)  # a Tuesday, British summer time
STAFF = 24
VISITS_A_DAY = 10
RETAIN_DAYS = 7  # every retention period (the school's default is 396 days, 6 years for the audit trail)


@dataclass
class Planned:
    visit_id: int
    kind: str  # "overdue" or "duress"


def run(work: Path, quick: bool, days: int | None = None) -> list[Result]:
    days = days or (2 if quick else 30)
    db_path = work / "soak.db"
    db = open_database(db_path)
    db.execute_sql("PRAGMA synchronous=OFF")
    clock = FakeClock(START)
    retention = {k: RETAIN_DAYS for k in ("closed_visits_days", "messages_days", "alarms_days", "audit_days")}
    ctx = Context(config_from_mapping({"school": {"name": "Soak School"}, "retention": retention}), clock)
    try:
        from kiosk.ops.retention import purge
    except ImportError:  # older main: no purge yet; the size is then only measured
        purge = None
    rnd = random.Random(30)
    for n in range(2):
        add_staff(ctx, f"Receiver {n + 1}", f"+44770080000{n + 1}", alerts=True, approver=n == 0)
    staff = [add_staff(ctx, f"Staff {i:03d}", school.mobile(i), code_word=school.code_word(i)) for i in range(STAFF)]
    planned: list[Planned] = []
    raised: list[tuple[int, str, int]] = []  # every alarm ever raised (the purge deletes old rows)
    rss, sizes, texts = [], [], 0
    say(f"figure 7: soak, {days} simulated days")
    for day in range(days):
        midnight = START + timedelta(days=day)
        actions = _plan_day(midnight, day, staff, rnd) if midnight.weekday() < 5 else []
        actions.sort(key=lambda a: a[0])
        t = midnight
        while t < midnight + timedelta(days=1):
            clock.set(t)
            acted = False
            while actions and actions[0][0] <= t:
                _, what = actions.pop(0)
                texts += what(ctx, planned)
                acted = True
            done = tick(ctx)
            if acted or done.raised or done.repeated or done.report_sent:  # the gateway pumps after these
                _pump(ctx)
            if purge is not None and t.hour == 2 and t.minute == 0:  # the gateway purges at night
                _note_alarms(raised)  # ids only grow: noting them before each purge misses none
                purge(ctx, actor="bench")
            day_time = 7 <= t.hour < 19
            t += timedelta(minutes=1 if day_time or actions and actions[0][0] - t < timedelta(minutes=15) else 15)
        _note_alarms(raised)
        db.close()
        db.connect()
        db.execute_sql("PRAGMA synchronous=OFF")
        rss.append(own_rss_mb())
        sizes.append(_db_mb(db_path))
        if (day + 1) % 5 == 0:
            say(f"  day {day + 1}: RSS {rss[-1]:.1f} MB, database {sizes[-1]:.2f} MB")
    missed, doubled, unplanned = _check(planned, raised)
    counts = {m: m.select().count() for m in (Visit, Message, Event, Alarm)}
    db.close()
    f = "7 soak"
    warm = 2 if days >= 10 else 0  # after the first days' warm-up (caches, imports) when there is room
    first = rss[warm]
    growth = (rss[-1] / first - 1) * 100
    per_day = (sizes[-1] - sizes[0]) / max(1, days - 1)
    level = []
    if purge is not None and days >= 2 * RETAIN_DAYS + 3:
        settled = sizes[RETAIN_DAYS + 2]
        more = (sizes[-1] / settled - 1) * 100
        level = [Result(f, f"database size day {RETAIN_DAYS + 3} -> day {days} (retention {RETAIN_DAYS} days)", more,
                        "%", target="bounded (<= 10 %)", ok=more <= 10,
                        note=f"{settled:.2f} -> {sizes[-1]:.2f} MB (file + WAL; freed pages are reused)")]
    return level + [
        Result(f, f"{days} days: planned alarms raised", len(planned) - missed, "",
               target=f"all {len(planned)}", ok=missed == 0),
        Result(f, "alarms missed / doubled / unplanned", missed + doubled + unplanned, "", target="0",
               ok=missed + doubled + unplanned == 0, note=f"missed {missed}, doubled {doubled}, unplanned {unplanned}"),
        Result(f, f"memory day {warm + 1} -> day {days}", growth, "%", target="flat (<= 5 %)", ok=growth <= 5,
               note=f"RSS {first:.1f} -> {rss[-1]:.1f} MB (this process, after gc)"),
        Result(f, f"database size after {days} days", sizes[-1], "MB",
               note=f"+{per_day * 1000:.0f} kB/simulated day ({per_day * 365:.1f} MB a year of this traffic); "
                    f"{texts} texts in; rows: " + ", ".join(f"{m.__name__} {n:,}" for m, n in counts.items())
                    + (f". Retention {RETAIN_DAYS} days, purged nightly: size after day {RETAIN_DAYS + 3} "
                       f"{sizes[min(len(sizes) - 1, RETAIN_DAYS + 2)]:.2f} MB" if purge is not None
                       else ". No retention purge on this main: size measured, not bounded")),
    ]


def _plan_day(midnight: datetime, day: int, staff, rnd):
    """(time, action) for one weekday: VISITS_A_DAY visits, one overdue, a duress every third day."""
    actions = []
    out_of = list(staff)
    rnd.shuffle(out_of)
    for k in range(VISITS_A_DAY):
        person = out_of[k]
        leave = midnight + timedelta(hours=8, minutes=rnd.randint(0, 6 * 60))  # UTC; 09:00-15:00 in BST
        length = timedelta(minutes=rnd.choice((60, 90, 120)))
        overdue = k == 0
        duress = k == 1 and day % 3 == 0
        state = {"visit": None}

        def go(ctx, planned, person=person, length=length, state=state, overdue=overdue, duress=duress):
            visit = sign_out(ctx, [person], f"{rnd.randint(1, 99)} Soak Street, Luton LU4 9AB",
                             ctx.now() + length, check_in_minutes=30, approved_by="Receiver 1").visit
            state["visit"] = visit.id
            if overdue:
                planned.append(Planned(visit.id, "overdue"))
            if duress:
                planned.append(Planned(visit.id, "duress"))
            return 0

        actions.append((leave, go))
        for m in range(20, int(length.total_seconds() // 60) - 5, 20):  # check-ins every 20 min
            actions.append((leave + timedelta(minutes=m), _text(person, f"OK {m}")))
        if duress:
            actions.append((leave + timedelta(minutes=30), _text(person, f"all fine {person.code_word}")))
            actions.append((leave + timedelta(minutes=35), _ack_and_back(state, "false-alarm")))
        elif overdue:
            actions.append((leave + length + timedelta(minutes=8), _ack_and_back(state, "answered")))
        else:
            actions.append((leave + length - timedelta(minutes=3), _text(person, "BACK")))
    return actions


def _text(person, body: str):
    def send(ctx, planned) -> int:
        sms_in(ctx, person.mobile, body)
        return 1
    return send


def _ack_and_back(state: dict, action: str):
    def act(ctx, planned) -> int:
        for alarm in Alarm.select().where((Alarm.visit == state["visit"]) & Alarm.resolved_at.is_null()):
            acknowledge(ctx, alarm.id, by="RB", action=action, actor="kiosk")
        mark_back(ctx, state["visit"], by="RB")
        return 0
    return act


def _pump(ctx) -> None:
    """The gateway's outbox sender without a modem: every due text is 'sent'."""
    while (msg := next_outgoing(ctx)) is not None and mark_sending(ctx, msg.id):
        mark_sent(ctx, msg.id, msg.id % 256)


def _note_alarms(raised: list[tuple[int, str, int]]) -> None:
    """Alarms raised since the last call (ids only grow), before a purge can delete them."""
    last = raised[-1][0] if raised else 0
    raised += [(a.id, a.kind, a.visit_id) for a in Alarm.select(Alarm.id, Alarm.kind, Alarm.visit)
               .where(Alarm.id > last).order_by(Alarm.id)]


def _check(planned: list[Planned], raised) -> tuple[int, int, int]:
    expected = {(p.visit_id, p.kind) for p in planned}
    found: dict[tuple[int, str], int] = {}
    for _, kind, visit_id in raised:
        found[(visit_id, kind)] = found.get((visit_id, kind), 0) + 1
    missed = sum(1 for key in expected if key not in found)
    doubled = sum(n - 1 for key, n in found.items() if key in expected and n > 1)
    unplanned = sum(n for key, n in found.items() if key not in expected)
    return missed, doubled, unplanned


def _db_mb(path: Path) -> float:
    total = 0
    for suffix in ("", "-wal"):
        p = Path(str(path) + suffix)
        if p.exists():
            total += os.path.getsize(p)
    return total / 1e6
