"""A school that has used kiosk for years, built fast: bulk inserts in batches into a fresh database.

The schema comes from `open_database` (migrations); rows go in with `executemany` on peewee's own
connection, inside one transaction with synchronous=OFF (a throwaway build, not a kiosk write).
`scale=1` is the 6-year school of issue 7: 500 staff, 40,000 visits, 1,000,000 events, 500,000
messages, with 150 visits open now. History scales; the staff and the open visits do not.
`cached()` builds each scale once per version of this generator and of the schema, under
$KIOSK_BENCH_CACHE (default: <tmp>/kiosk-bench-cache; "off" builds every time), and copies it.
It must never write anywhere but the path it is given and that cache folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kiosk.store import open_database
from kiosk.store.models import Alarm, Event, Message, Staff, Visit, VisitMember

UTC = timezone.utc
YEARS = 6
STAFF = 500
RECEIVERS = 3
OPEN = 150
VISITS = 40_000
EVENTS = 1_000_000
MESSAGES = 500_000
ALARM_SHARE = 0.03  # closed visits that had an alarm
BATCH = 5000


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _insert(conn, model, fields: list[str], rows) -> int:
    """Rows of values for `fields`; every other NOT NULL column gets the model's default."""
    extra = [f for f in model._meta.sorted_fields
             if f.name not in fields and not f.null and not f.primary_key and f.default is not None]
    tail = tuple(f.db_value(f.default() if callable(f.default) else f.default) for f in extra)
    columns = [model._meta.fields[f].column_name for f in fields] + [f.column_name for f in extra]
    rows = (tuple(row) + tail for row in rows)
    sql = (f'INSERT INTO "{model._meta.table_name}" ({", ".join(columns)}) '
           f'VALUES ({", ".join("?" for _ in columns)})')
    batch, n = [], 0
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            conn.executemany(sql, batch)
            n += len(batch)
            batch = []
    if batch:
        conn.executemany(sql, batch)
        n += len(batch)
    return n


def build(path: Path, scale: float, now: datetime, seed: int = 7) -> dict[str, int]:
    """Fill a new database at `path`; returns the row counts."""
    rnd = random.Random(seed)
    db = open_database(path)
    conn = db.connection()
    conn.execute("PRAGMA synchronous=OFF")
    start = now - timedelta(days=365 * YEARS)
    span = (now - timedelta(days=1) - start).total_seconds()
    n_visits, n_events, n_messages = int(VISITS * scale), int(EVENTS * scale), int(MESSAGES * scale)
    counts = {}
    with db.atomic():
        # Indexes are built once at the end (a sort) rather than row by row: same schema, faster.
        indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        created = stamp(start)
        counts["staff"] = _insert(conn, Staff, ["name", "mobile", "role", "receives_alerts", "code_word",
                                               "vehicle_reg", "vehicle_make", "vehicle_colour", "active",
                                               "created_at"],
                                  ((f"Staff {i:04d}", f"+4477009{i:05d}", "", i >= STAFF, f"quzz{i:04d}x",
                                    "", "", "", True, created) for i in range(STAFF + RECEIVERS)))

        def closed_visit(i: int):
            left = start + timedelta(seconds=span * i / max(1, n_visits))
            due = left + timedelta(minutes=rnd.choice((60, 90, 120, 180)))
            ended = due - timedelta(minutes=rnd.randint(0, 30))
            return (f"Visit {i + 1} · LU{i % 9 + 1}", f"{i % 300 + 1} History Road, Luton LU{i % 9 + 1} 9AB",
                    "approved" if i % 4 else None, stamp(left), stamp(left), stamp(due), "back", stamp(ended),
                    "kiosk:AB", stamp(ended), "other", "kiosk")

        fields = ["label", "place", "approved_by", "created_at", "left_at", "due_back", "state", "ended_at",
                  "ended_by", "last_contact_at", "purpose", "started_by"]
        counts["visits"] = _insert(conn, Visit, fields, (closed_visit(i) for i in range(n_visits)))

        def open_visit(i: int):
            left = now - timedelta(minutes=rnd.randint(5, 120))
            due = now + timedelta(minutes=rnd.randint(30, 200))
            return (f"Visit {n_visits + i + 1} · LU4", f"{i + 1} Open Lane, Luton LU4 9AB", "HT", stamp(left),
                    stamp(left), stamp(due), rnd.choice(("out", "on-site")), None, None,
                    stamp(left + timedelta(minutes=2)), "other", "kiosk")

        _insert(conn, Visit, fields, (open_visit(i) for i in range(OPEN)))
        counts["open visits"] = OPEN

        def members():
            for v in range(1, n_visits + 1):
                first = rnd.randrange(STAFF)
                yield (v, first + 1, f"+4477009{first:05d}")
                if v % 5 == 0:  # a pair
                    second = (first + 1) % STAFF
                    yield (v, second + 1, f"+4477009{second:05d}")
            for i in range(OPEN):  # staff id i + 1 has mobile number i
                yield (n_visits + i + 1, i + 1, f"+4477009{i:05d}")

        counts["visit members"] = _insert(conn, VisitMember, ["visit", "staff", "phone_number"], members())

        def alarms():
            for v in range(1, n_visits + 1, int(1 / ALARM_SHARE)):
                at = start + timedelta(seconds=span * v / max(1, n_visits))
                yield (v, "overdue", "amber", stamp(at), "bench history", stamp(at + timedelta(minutes=9)), "AB")

        counts["alarms"] = _insert(conn, Alarm, ["visit", "kind", "level", "raised_at", "summary", "resolved_at",
                                                 "resolved_by"], alarms())
        kinds = ("visit-out", "sms-received", "contact", "visit-back", "message-sent", "alarm-raised")

        def events():
            """The history, with the end-of-day report the ladder records each weekday at 16:30 UTC."""
            next_report = datetime(start.year, start.month, start.day, 16, 30, tzinfo=UTC)
            for i in range(n_events):
                at = start + timedelta(seconds=span * i / max(1, n_events))
                while next_report <= at:
                    if next_report.weekday() < 5:
                        yield (stamp(next_report), "end-of-day-report", None, "ladder",
                               f"{next_report.date().isoformat()}: 0 visit(s) open")
                    next_report += timedelta(days=1)
                yield (stamp(at), kinds[i % len(kinds)], 1 + i * n_visits // max(1, n_events), "bench",
                       f"history event {i}")

        counts["events"] = _insert(conn, Event, ["at", "kind", "visit_id", "actor", "summary"], events())

        def messages():
            for i in range(n_messages):
                at = stamp(start + timedelta(seconds=span * i / max(1, n_messages)))
                inbound = i % 2 == 0
                yield ("in" if inbound else "out", f"+4477009{i % STAFF:05d}",
                       "OK" if inbound else "Thanks, checked in. Due back 15:30.",
                       "processed" if inbound else "delivered", None if inbound else "reply", 2, at,
                       None if inbound else at, 1 + i * n_visits // max(1, n_messages), f"fp{i:09d}" if inbound else None)

        counts["messages"] = _insert(conn, Message, ["direction", "number", "text", "state", "kind", "priority",
                                                     "created_at", "sent_at", "visit", "fingerprint"], messages())
        for _, sql in indexes:
            conn.execute(sql)
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return counts


CACHE_DAYS = 2  # cached schools unused for longer are removed


def cache_folder() -> Path | None:
    where = os.environ.get("KIOSK_BENCH_CACHE", "")
    if where.lower() == "off":
        return None
    return Path(where) if where else Path(tempfile.gettempdir()) / "kiosk-bench-cache"


def cache_key(scale: float, now: datetime, seed: int) -> str:
    """This generator, the schema (models and migrations) and the parameters."""
    from kiosk.store import migrations, models

    digest = hashlib.sha256(repr((scale, now.isoformat(), seed)).encode())
    for module in (__file__, models.__file__, migrations.__file__):
        digest.update(Path(module).read_bytes())
    return f"school-{scale:g}x-{digest.hexdigest()[:16]}"


def cached(path: Path, scale: float, now: datetime, seed: int = 7) -> tuple[dict[str, int], bool]:
    """The school at `scale` copied to `path` (built first if not cached); returns (counts, was cached)."""
    folder = cache_folder()
    if folder is None:
        return build(path, scale, now, seed), False
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = cache_key(scale, now, seed)
    db, meta = folder / f"{key}.db", folder / f"{key}.json"
    hit = db.exists() and meta.exists()
    if not hit:
        _prune(folder)
        partial = folder / f"{key}.{os.getpid()}.building"
        try:
            counts = build(partial, scale, now, seed)
            os.replace(partial, db)
        finally:
            for leftover in folder.glob(f"{key}.{os.getpid()}.building*"):
                leftover.unlink(missing_ok=True)
        meta.write_text(json.dumps(counts))
    os.utime(db)
    shutil.copyfile(db, path)
    os.chmod(path, 0o600)
    return json.loads(meta.read_text()), hit


def _prune(folder: Path) -> None:
    cutoff = time.time() - CACHE_DAYS * 86400
    for old in folder.glob("school-*"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
