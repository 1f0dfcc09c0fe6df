"""`kiosk staff add|edit|list` and `kiosk phone add|list`: argument parsing only.

A listing never shows a code word, only whether one is set.
"""

from __future__ import annotations

import argparse

from kiosk.cli._session import cell, command, print_json, say


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    staff = sub.add_parser("staff", parents=[common], help="members of staff")
    staff_sub = staff.add_subparsers(dest="staff_command", metavar="ACTION", parser_class=sub._parser_class)
    add = staff_sub.add_parser("add", parents=[common], help="add a member of staff")
    add.add_argument("--name", required=True)
    add.add_argument("--mobile", required=True, help="own mobile, any UK format")
    add.add_argument("--alerts", action="store_true", help="receives alerts (safeguarding lead, head)")
    add.add_argument("--code-word", help="standing code word (needed to go out on visits)")
    add.add_argument("--role", default="")
    add.add_argument("--vehicle", default="", help="vehicle registration")
    add.add_argument("--vehicle-make", default="", help="make and model")
    add.add_argument("--vehicle-colour", default="")
    add.add_argument("--approver", action="store_true", help="may approve visits (a senior leader)")
    add.add_argument("--tier", default="1", metavar="N",
                     help="alert tier: 1 is texted first, 2 if nobody takes charge within [ladder] tier_minutes... (default 1)")
    add.set_defaults(func=staff_add)
    edit = staff_sub.add_parser("edit", parents=[common], help="change a member of staff")
    edit.add_argument("staff", metavar="NAME", help="name or id")
    edit.add_argument("--approver", action=argparse.BooleanOptionalAction, default=None,
                      help="may approve visits (--no-approver: may not)")
    edit.add_argument("--tier", metavar="N", help="alert tier (1 is texted first)")
    edit.set_defaults(func=staff_edit)
    lst = staff_sub.add_parser("list", parents=[common], help="list staff (never the code words)")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=staff_list)

    phone = sub.add_parser("phone", parents=[common], help="school mobiles staff may carry")
    phone_sub = phone.add_subparsers(dest="phone_command", metavar="ACTION", parser_class=sub._parser_class)
    padd = phone_sub.add_parser("add", parents=[common], help="add a school mobile")
    padd.add_argument("number", metavar="NUMBER")
    padd.add_argument("--label", default="")
    padd.set_defaults(func=phone_add)
    plist = phone_sub.add_parser("list", parents=[common], help="list school mobiles")
    plist.set_defaults(func=phone_list)


@command(creates=True)  # the first set-up step: makes the database if there is none yet
def staff_add(args, ctx) -> None:
    from kiosk import services as svc

    staff = svc.add_staff(ctx, args.name, args.mobile, alerts=args.alerts, code_word=args.code_word, role=args.role,
                          vehicle_reg=args.vehicle, vehicle_make=args.vehicle_make,
                          vehicle_colour=args.vehicle_colour, approver=args.approver, tier=args.tier)
    alerts = "receives alerts" + (f", tier {staff.alert_tier}" if staff.alert_tier != 1 else "")
    roles = [r for r, on in ((alerts, staff.receives_alerts), ("approver", staff.approver)) if on]
    print(f"staff {staff.id}: {staff.name} {staff.mobile}" + (f" ({', '.join(roles)})" if roles else ""))


@command
def staff_edit(args, ctx) -> None:
    from kiosk.services.errors import Invalid
    from kiosk.services.staff_admin import set_staff_approver, set_staff_tier

    if args.approver is None and args.tier is None:
        raise Invalid("say what to change: --approver or --no-approver, --tier N")
    if args.tier is not None:
        from kiosk.services.people import alert_tier

        alert_tier(args.tier)  # a bad tier changes nothing, the approver flag included
    if args.approver is not None:
        staff = set_staff_approver(ctx, args.staff, args.approver)
        print(f"staff {staff.id}: {staff.name} " + ("may approve visits" if staff.approver else "may not approve visits"))
    if args.tier is not None:
        staff = set_staff_tier(ctx, args.staff, args.tier)
        print(f"staff {staff.id}: {staff.name} alert tier {staff.alert_tier}")


@command
def staff_list(args, ctx) -> None:
    from kiosk import services as svc

    rows = svc.list_staff(ctx)
    if args.json:
        print_json([{"id": s.id, "name": s.name, "mobile": s.mobile, "role": s.role, "alerts": s.receives_alerts,
                     "active": s.active, "has_code_word": bool(s.code_word), "approver": s.approver, "tier": s.alert_tier} for s in rows])
        return
    for s in rows:
        flags = [f for f, on in (("alerts" if s.alert_tier == 1 else f"alerts tier {s.alert_tier}", s.receives_alerts), ("approver", s.approver),
                                 ("code word", bool(s.code_word)), ("inactive", not s.active)) if on]
        say(f"{s.id:>4}  {cell(s.name, 24)} {cell(s.mobile or '-', 15)} {cell(s.role, 12)} {', '.join(flags)}".rstrip())


@command
def phone_add(args, ctx) -> None:
    from kiosk import services as svc

    phone = svc.add_phone(ctx, args.number, args.label)
    print(f"phone {phone.id}: {phone.number} {phone.label}".rstrip())


@command
def phone_list(args, ctx) -> None:
    from kiosk import services as svc

    for p in svc.list_phones(ctx):
        say(f"{p.id:>4}  {p.number:<15} {p.label}".rstrip())

