"""The governors' report: "visits, alarms by kind, and the time from each alarm to its
acknowledgement (median and 90th percentile, against a target in the config), as a self-contained
HTML page with charts (inline SVG, nothing fetched from the internet) and as plain text" (issue 6)."""

from __future__ import annotations

from datetime import timedelta

from kiosk.ops import export, report
from kiosk.services.alarms import raise_alarm
from kiosk.store.models import Alarm
from tests.conftest import run_kiosk

DAY = export.period("2026-11-24", "2026-11-24")


def test_percentile_is_nearest_rank():
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    assert (report.percentile(values, 50), report.percentile(values, 90)) == (5.0, 9.0)
    assert report.percentile([], 50) is None and report.percentile([7.0], 90) == 7.0


def test_counts_and_times_to_acknowledgement(history):
    history.old()  # one duress, acknowledged (police) 3 minutes after it was raised
    for minutes in (2, 8, 20):
        alarm = raise_alarm(history.ctx, "overdue", "amber", visit=None, actor="test", summary="x")
        Alarm.update(acknowledged_at=alarm.raised_at + timedelta(minutes=minutes), acknowledged_by="RC",
                     action="answered").where(Alarm.id == alarm.id).execute()
    r = report.build(history.ctx, DAY)
    assert r.visits == 3 and r.visits_with_alarms == 1
    assert r.alarms_by_kind == {"duress": {"red": 1}, "overdue": {"amber": 3}, "send-failed": {"amber": 1}}
    assert r.ack_minutes == [2.0, 3.0, 8.0, 20.0]
    assert (r.median, r.p90, r.within_target, r.unacknowledged) == (3.0, 20.0, 2, 1)
    out = report.text(r)
    assert "median:               3.0 min" in out and "(over target)" in out and "target 5 min" in out
    assert report.build(history.ctx, export.period("2026-12-01", "2026-12-31")).alarms == 0


def test_html_is_self_contained_and_private(history):
    history.old()
    page = report.page(report.build(history.ctx, DAY))
    assert page.count("<svg") == 2 and "<script" not in page
    for outside in ("src=", "href=", "url(", "@import"):
        assert outside not in page
    for private in ("Ann", "Elm", "bluebird", "+44", "LU4"):
        assert private not in page


def test_cli_report_text_html_and_bad_dates(history, tmp_path):
    history.old()
    history.db.close()
    db = str(history.path)
    got = run_kiosk("report", "--from", "2026-11-01", "--to", "2026-11-30", "--db", db)
    assert got.returncode == 0 and "Visits:                 3" in got.stdout
    out = tmp_path / "report.html"
    got = run_kiosk("report", "--from", "2026-11-01", "--to", "2026-11-30", "--html", "--out", str(out), "--db", db)
    assert got.returncode == 0 and out.read_text().startswith("<!DOCTYPE html>")
    bad = run_kiosk("report", "--from", "last term", "--to", "2026-11-30", "--db", db)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and bad.stdout == ""
