"""`kiosk sms-in`, `kiosk tick`, `kiosk ack`: the gateway's paths, by hand. Argument parsing only.

`sms-in` feeds one SMS through exactly the path the gateway uses (receive, then process) and prints
the reply it queued, if any; `tick` runs one pass of the ladder; `ack` records what reception did
about an alarm.
"""

from __future__ import annotations

import argparse

from kiosk.cli import UsageError
from kiosk.cli._session import command


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    sms = sub.add_parser("sms-in", parents=[common], help="feed one SMS through the gateway's path")
    sms.add_argument("--from", dest="sender", required=True, metavar="NUMBER")
    sms.add_argument("text", nargs="*", metavar="TEXT", help="the words of the text (joined by spaces)")
    sms.set_defaults(func=sms_in)

    tick = sub.add_parser("tick", parents=[common], help="one pass of the escalation ladder")
    tick.set_defaults(func=tick_once)

    from kiosk.services.alarms import ACTIONS

    ack = sub.add_parser("ack", parents=[common], help="record what was done about an alarm")
    ack.add_argument("alarm", type=int, metavar="ALARM")
    ack.add_argument("--by", required=True, metavar="INITIALS", help="2-4 letters, e.g. AB (as on the board)")
    ack.add_argument("--action", required=True, choices=ACTIONS)
    ack.add_argument("--ref", help="police reference (needed for --action police)")
    ack.add_argument("--note", help="what happened (needed for --action other)")
    ack.set_defaults(func=acknowledge)


@command
def sms_in(args, ctx) -> None:
    from kiosk import services as svc
    from kiosk.domain.phones import is_plausible_sender

    if not is_plausible_sender(args.sender):
        raise UsageError(f"--from {args.sender!r} is not a phone number or sender name")
    result = svc.sms_in(ctx, args.sender, " ".join(args.text))
    if result.reply is not None:
        print(result.reply.text)


@command
def tick_once(args, ctx) -> None:
    from kiosk import services as svc

    result = svc.tick(ctx)
    for alarm_id in result.raised:
        print(f"alarm {alarm_id} raised")
    for alarm_id in result.repeated:
        print(f"alarm {alarm_id} alert repeated")
    for alarm_id in result.climbed:
        print(f"alarm {alarm_id}: nobody has taken charge, next tier told")
    if result.report_sent:
        print("end-of-day report queued")


@command
def acknowledge(args, ctx) -> None:
    from kiosk import services as svc

    alarm = svc.acknowledge(ctx, args.alarm, by=args.by, action=args.action, ref=args.ref, note=args.note)
    state = "resolved" if alarm.resolved_at else "still open"
    print(f"alarm {alarm.id} {args.action} by {alarm.acknowledged_by}: {state}")
