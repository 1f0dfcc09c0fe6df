"""`kiosk purge [--dry-run]` and `kiosk export ...`: the operator's data commands, argument parsing only.

The work is in kiosk.services.retention and kiosk.services.export. Never prints a code word,
an SMS text or an address to the terminal except through the export's own sanitised writers.
"""

from __future__ import annotations

import argparse

from kiosk.cli._session import command, say


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    purge = sub.add_parser("purge", parents=[common], help="delete records past their retention period",
                           description="Delete closed visits, texts, resolved alarms and audit events older "
                                       "than the [retention] periods of the config, in one transaction. "
                                       "Open visits and unresolved alarms are never deleted.")
    purge.add_argument("--dry-run", action="store_true", help="show what would go (counts, oldest date); change nothing")
    purge.set_defaults(func=run_purge)


@command
def run_purge(args, ctx) -> None:
    from kiosk.services import retention

    if args.dry_run:
        plan = retention.plan(ctx)
        say("dry run: nothing deleted; would delete:")
    else:
        plan = retention.purge(ctx, actor="cli")
        say("deleted:" if not plan.empty else "nothing past its retention period; nothing deleted")
    if not plan.empty or args.dry_run:
        for line in plan.lines(ctx.tz):
            say("  " + line)
