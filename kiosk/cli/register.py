"""`kiosk register add|list`: the "don't visit alone" / prohibited places register.

A flagged address or postcode refuses a lone visit (and warns a pair); `--prohibited` refuses
every visit there. Argument parsing only.
"""

from __future__ import annotations

import argparse

from kiosk.cli._session import command, instant, print_json, say


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    reg = sub.add_parser("register", parents=[common], help="don't-visit-alone / prohibited places")
    rs = reg.add_subparsers(dest="register_command", metavar="ACTION", parser_class=sub._parser_class)
    add = rs.add_parser("add", parents=[common], help="flag an address or postcode")
    add.add_argument("--address", default="")
    add.add_argument("--postcode", default="", help="a full postcode or a district (LU4)")
    add.add_argument("--reason", required=True)
    add.add_argument("--prohibited", action="store_true", help="no visit at all, not even in pairs")
    add.set_defaults(func=register_add)
    lst = rs.add_parser("list", parents=[common], help="list the register")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=register_list)


@command
def register_add(args, ctx) -> None:
    from kiosk import services as svc

    entry = svc.add_register_entry(ctx, reason=args.reason, address=args.address, postcode=args.postcode,
                                   prohibited=args.prohibited)
    print(f"register entry {entry.id}: {entry.postcode or entry.address}")


@command
def register_list(args, ctx) -> None:
    from kiosk import services as svc

    rows = svc.list_register(ctx)
    if args.json:
        print_json([{"id": e.id, "address": e.address, "postcode": e.postcode, "reason": e.reason,
                     "prohibited": e.prohibited, "created_at": instant(e.created_at)} for e in rows])
        return
    for e in rows:
        where = " ".join(x for x in (e.postcode, e.address) if x)
        say(f"{e.id:>4}  {'PROHIBITED ' if e.prohibited else ''}{where}: {e.reason}")
