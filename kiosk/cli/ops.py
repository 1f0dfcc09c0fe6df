"""`kiosk purge`, `kiosk export`, `kiosk visit report`, `kiosk doctor` and `kiosk report`: the
operator's commands, argument parsing only.

The work is in kiosk.ops.retention, .export, .doctor and .report. Never prints a code word,
an SMS text or an address to the terminal except through the export's own sanitised writers.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from kiosk.cli import UsageError
from kiosk.cli._session import command, say


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    purge = sub.add_parser("purge", parents=[common], help="delete records past their retention period",
                           description="Delete closed visits, texts, resolved alarms and audit events older "
                                       "than the [retention] periods of the config, in one transaction. "
                                       "Open visits and unresolved alarms are never deleted.")
    purge.add_argument("--dry-run", action="store_true", help="show what would go (counts, oldest date); change nothing")
    purge.set_defaults(func=run_purge)

    export = sub.add_parser("export", parents=[common], help="visits as CSV or JSON for the safeguarding system",
                            description="One row per visit that left between --from and --to (local dates, "
                                        "inclusive): staff, times, place, purpose, check-ins, alarms and how each "
                                        "was handled, post-visit answers. Code words are never included.")
    export.add_argument("--from", dest="date_from", required=True, metavar="DATE", help="first day, YYYY-MM-DD")
    export.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="last day, YYYY-MM-DD")
    export.add_argument("--format", default="csv", metavar="csv|json", help="csv (default) or json")
    export.add_argument("--staff", metavar="NAME", help="only visits by this member of staff (name or id)")
    export.add_argument("--out", metavar="FILE", help="write to FILE (default: standard output)")
    export.set_defaults(func=run_export)
    register_doctor(sub, common)

    report = sub.add_parser("report", parents=[common], help="visits, alarms and response times for governors",
                            description="Visits, alarms by kind, and the time from each alarm to its "
                                        "acknowledgement (median, 90th percentile) against "
                                        "ladder.ack_target_minutes; text, or one HTML page with charts.")
    report.add_argument("--from", dest="date_from", required=True, metavar="DATE", help="first day, YYYY-MM-DD")
    report.add_argument("--to", dest="date_to", required=True, metavar="DATE", help="last day, YYYY-MM-DD")
    report.add_argument("--html", action="store_true", help="a self-contained HTML page with inline SVG charts")
    report.add_argument("--out", metavar="FILE", help="write to FILE (default: standard output)")
    report.set_defaults(func=run_report)


def register_visit_report(vs: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """`kiosk visit report ID [--html]`, added to the `visit` group by kiosk.cli.visit."""
    report = vs.add_parser("report", parents=[common], help="the printable post-visit report of one visit")
    report.add_argument("id", type=int, metavar="ID")
    report.add_argument("--html", action="store_true", help="a self-contained HTML page instead of text")
    report.set_defaults(func=run_visit_report)


@command
def run_purge(args, ctx) -> None:
    from kiosk.ops import retention

    if args.dry_run:
        plan = retention.plan(ctx)
        say("dry run: nothing deleted; would delete:")
    else:
        plan = retention.purge(ctx, actor="cli")
        say("deleted:" if not plan.empty else "nothing past its retention period; nothing deleted")
    if not plan.empty or args.dry_run:
        for line in plan.lines(ctx.tz):
            say("  " + line)


def _progress(done: int, total: int) -> None:
    """Progress on a terminal only: scripts and timers get nothing on stderr."""
    if sys.stderr.isatty():
        sys.stderr.write(f"\rexporting visit {done}/{total}" + ("\n" if done == total else ""))
        sys.stderr.flush()


def write_atomically(path: str, text: str) -> None:
    """FILE appears complete or not at all (a temporary file beside it, then renamed)."""
    target = Path(path)
    if target.is_dir():
        raise UsageError(f"--out {path}: is a folder, give a file name")
    if not target.parent.is_dir():
        raise UsageError(f"--out {path}: no such folder {target.parent}")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@command
def run_export(args, ctx) -> None:
    from kiosk.ops import export

    when = export.period(args.date_from, args.date_to)
    if args.format not in export.FORMATS:
        raise UsageError(f"--format: expected csv or json, got {args.format!r}")
    records = export.visit_records(ctx, when, staff=args.staff, progress=_progress)
    text = export.render(records, args.format)
    if args.out:
        write_atomically(args.out, text)
        if sys.stderr.isatty():
            sys.stderr.write(f"{len(records)} visit(s) written to {args.out}\n")
    else:
        sys.stdout.write(text)


@command
def run_visit_report(args, ctx) -> None:
    from kiosk.ops import export

    record = export.visit_record(ctx, args.id)
    school = ctx.config.school.name
    sys.stdout.write(export.report_html(record, school) if args.html else export.report_text(record, school))


def register_doctor(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    doctor = sub.add_parser("doctor", parents=[common], help="check config, database, modem, clock, gateway, services",
                            description="Check everything the kiosk needs and say how to fix each failure. "
                                        "One line per check: OK, WARN, FAIL or SKIP (not checked here). "
                                        "Exit status: 0 all good, 1 warnings, 2 failures.")
    doctor.add_argument("--port", metavar="DEVICE", help="the modem's serial device (default: modem.port)")
    doctor.set_defaults(func=run_doctor)


def run_doctor(args) -> int:
    """Not a @command: a broken config or database is something to report, not a reason to stop."""
    from kiosk.clock import clock_from_env
    from kiosk.ops import doctor
    from kiosk.store.db import is_postgres

    try:
        clock = clock_from_env()
    except ValueError as exc:
        raise UsageError(f"KIOSK_NOW: {exc}") from exc
    db = getattr(args, "db", None)
    owner_of = db or _configured_database(args)
    if owner_of and not is_postgres(owner_of) and Path(owner_of).expanduser().exists():
        from kiosk.privileges import WrongOwner, ensure_database_owner

        try:  # as root, become the database's owner first: never leave root-owned -wal/-shm files
            ensure_database_owner(owner_of)
        except WrongOwner as exc:
            raise UsageError(str(exc)) from exc
    checks = doctor.run_checks(clock=clock, config_path=getattr(args, "config", None), db_path=db, port=args.port)
    for check in checks:
        say(check.line())
    say(doctor.verdict(checks))
    return doctor.exit_code(checks)


def _configured_database(args) -> str | None:
    from kiosk.config import ConfigError, load_config

    try:
        return str(load_config(getattr(args, "config", None)).database.target())
    except ConfigError:
        return None  # the doctor reports the config itself


@command
def run_report(args, ctx) -> None:
    from kiosk.ops import export, report

    result = report.build(ctx, export.period(args.date_from, args.date_to))
    text = report.page(result) if args.html else report.text(result)
    if args.out:
        write_atomically(args.out, text)
    else:
        sys.stdout.write(text)
