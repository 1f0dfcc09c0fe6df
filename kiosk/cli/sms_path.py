"""`kiosk selftest` and `kiosk status`: ask for a loop-back self-test, say how the SMS path is.

`kiosk selftest` only writes a request for the running gateway and returns at once (the gateway
owns the modem; the CLI never opens it). `kiosk status --json` prints one JSON object with exactly
the keys of issue 17's contract; its exit status is 0 with the link up, 1 with it down.
"""

from __future__ import annotations

import argparse
import json
import sys

from kiosk.cli import Refused
from kiosk.cli._session import command, say


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    test = sub.add_parser("selftest", parents=[common],
                          help="ask the running gateway to text the SIM's own number now (loop-back test)",
                          description="Asks the running gateway, through the database, to send the loop-back "
                                      "self-test now, and returns at once. The board and kiosk status show "
                                      "the result within [selftest] timeout_minutes.")
    test.set_defaults(func=run_selftest)
    status = sub.add_parser("status", parents=[common], help="the SMS link: up or down, why, self-test, signal",
                            description="Exit status 0 with the SMS link up, 1 with it down.")
    status.add_argument("--json", action="store_true", help="one JSON object (for scripts and monitoring)")
    status.set_defaults(func=show_status)


@command
def run_selftest(args, ctx) -> int:
    from kiosk.services import selftest

    if not ctx.config.selftest.enabled:
        raise Refused("the self-test is switched off ([selftest] enabled = false)")
    test = selftest.request(ctx, by="cli")
    minutes = ctx.config.selftest.timeout_minutes
    say(f"asked the gateway for self-test {test.id}: it texts the SIM's own number now; "
        f"the board shows the result within {minutes} min (kiosk status)")
    return 0


@command
def show_status(args, ctx) -> int:
    from kiosk.domain.link import link_state
    from kiosk.services.sms_health import status
    from kiosk.store.models import GatewayHealth

    now = ctx.now()
    row = GatewayHealth.get_or_none(GatewayHealth.id == 1)
    link = link_state(row, now, ctx.config.gateway.heartbeat_stale_seconds, ctx.tz)
    data = status(row, link, now, ctx.tz)
    if args.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=True) + "\n")
    else:
        say(f"SMS link {data['link']}" + (f": {data['reason']}" if data["reason"] else ""))
        if link.self_test:
            say(link.self_test)
        for key in ("signal_bars", "registration", "access_technology", "sent_this_month", "credit"):
            if data[key] is not None:
                say(f"{key.replace('_', ' ')}: {data[key]}")
    return 0 if link.up else 1
