"""The bench's own plumbing (the figures themselves run with `python -m bench`, never in pytest):
percentiles, the table, /proc readings and the bulk-built school the scale figure measures."""

from __future__ import annotations

import os
from datetime import datetime, timezone

from bench import bulk
from bench.common import Result, cpu_seconds, peak_rss_mb, percentile, table
from kiosk.clock import FakeClock
from kiosk.config import config_from_mapping
from kiosk.services import board, tick
from kiosk.services.context import Context
from kiosk.store import open_database

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc)


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile([7.0], 99) == 7.0


def test_table_shows_ratio_and_verdicts():
    text = table([Result("1 x", "fast", 10.0, "ms", 5.0, "<= 20 ms", True),
                  Result("1 x", "slow", 30.0, "ms", None, "<= 20 ms", False, note="why")])
    assert "2.00x" in text and "PASS" in text and "FAIL" in text and "[1 x] slow: why" in text


def test_proc_readings_of_this_process():
    assert cpu_seconds(os.getpid()) > 0
    assert 5 < peak_rss_mb(os.getpid()) < 4000


def test_bulk_school_has_its_open_visits_on_the_board(tmp_path):
    counts = bulk.build(tmp_path / "school.db", 0.001, NOW)
    # 1,000 events of history plus the end-of-day report of each weekday in 6 years
    assert counts["visits"] == 40 and counts["messages"] == 500 and 1000 + 1500 < counts["events"] < 1000 + 1600
    db = open_database(tmp_path / "school.db")
    try:
        ctx = Context(config_from_mapping({}), FakeClock(NOW))
        rows = board(ctx)
        assert len(rows) == bulk.OPEN
        assert all(r.staff and r.phones for r in rows)
        assert tick(ctx).raised == []  # every open visit is due later: nothing to raise
    finally:
        db.close()


def test_bulk_school_is_cached_per_generator_and_schema_and_keeps_every_index(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_BENCH_CACHE", str(tmp_path / "cache"))
    first, hit = bulk.cached(tmp_path / "a.db", 0.001, NOW)
    again, hit_again = bulk.cached(tmp_path / "b.db", 0.001, NOW)
    assert (hit, hit_again) == (False, True) and first == again
    assert len(list((tmp_path / "cache").glob("*.db"))) == 1
    fresh = open_database(tmp_path / "fresh.db")
    want = {(t, i.name, tuple(i.columns)) for t in fresh.get_tables() for i in fresh.get_indexes(t)}
    fresh.close()
    built = open_database(tmp_path / "b.db")  # the bulk build drops the indexes and builds them again at the end
    try:
        assert {(t, i.name, tuple(i.columns)) for t in built.get_tables() for i in built.get_indexes(t)} == want
    finally:
        built.close()
    assert oct(os.stat(tmp_path / "b.db").st_mode & 0o777) == "0o600"
