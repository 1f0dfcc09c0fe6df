"""`kiosk visit out|back|checkin|duress|approve|extend`: argument parsing only.

Reception's actions on a visit. `checkin` and `duress` record what arrived by telephone: a
check-in phoned in (counts as contact) and the code word heard on a call (red at once).
"""

from __future__ import annotations

import argparse
import sys

from kiosk.cli import UsageError
from kiosk.cli._session import command, due_from_text, local, positive_int
from kiosk.cli.ops import register_visit_report


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    visit = sub.add_parser("visit", parents=[common], help="sign out, back, check-ins, approval")
    vs = visit.add_subparsers(dest="visit_command", metavar="ACTION", parser_class=sub._parser_class)
    register_visit_report(vs, common)  # `visit report ID [--html]` lives with export in kiosk.cli.ops

    out = vs.add_parser("out", parents=[common], help="sign a visit out")
    out.add_argument("--staff", action="append", required=True, metavar="NAME", help="repeat for a pair")
    out.add_argument("--place", required=True, help="full address (never shown on the public board)")
    out.add_argument("--due", required=True, metavar="TIME", help="due back: 15:30, 3.30pm, +45, 1h30")
    out.add_argument("--every", type=positive_int, metavar="MINUTES", help="check-in interval")
    out.add_argument("--approved-by", metavar="NAME", help="an approver not on the visit (name or initials)")
    out.add_argument("--code-word", help="a code word for this visit (else each member's own)")
    out.add_argument("--phone", action="append", default=[], metavar="NAME=NUMBER",
                     help="phone carried by a member, if not their own mobile")
    out.add_argument("--home-phone", default="")
    out.add_argument("--family-ref", default="")
    out.add_argument("--purpose", default="other")
    out.add_argument("--travel", default="")
    out.add_argument("--vehicle", default="", help="registration of a car taken for this visit "
                     "(default: the member's own car on record)")
    out.add_argument("--vehicle-make", default="", help="its make and model")
    out.add_argument("--vehicle-colour", default="", help="its colour")
    out.add_argument("--by", default="", metavar="INITIALS")
    out.set_defaults(func=visit_out)

    back = vs.add_parser("back", parents=[common], help="the visit is over")
    back.add_argument("id", type=int, metavar="ID")
    back.add_argument("--by", default="cli", metavar="INITIALS")
    back.add_argument("--outcome", default="")
    back.add_argument("--objective", choices=("yes", "partly", "no"), help="was the objective achieved?")
    back.add_argument("--follow-up", choices=("yes", "no"), help="is a follow-up needed?")
    back.add_argument("--concern", choices=("yes", "no"),
                      help="a safeguarding concern arose (details go to the safeguarding system)")
    back.set_defaults(func=visit_back)

    for name, func, text, who in (
            ("checkin", visit_checkin, "a check-in phoned in to reception", "INITIALS"),
            ("duress", visit_duress, "the code word was heard on a call: red at once", "INITIALS"),
            ("approve", visit_approve, "an approver (staff add/edit --approver) approves the visit", "NAME")):
        p = vs.add_parser(name, parents=[common], help=text)
        p.add_argument("id", type=int, metavar="ID")
        p.add_argument("--by", required=True, metavar=who)
        p.set_defaults(func=func)

    ext = vs.add_parser("extend", parents=[common], help="move due-back")
    ext.add_argument("id", type=int, metavar="ID")
    when = ext.add_mutually_exclusive_group(required=True)
    when.add_argument("--minutes", type=positive_int)
    when.add_argument("--due", metavar="TIME")
    ext.add_argument("--by", required=True, metavar="INITIALS")
    ext.set_defaults(func=visit_extend)


def _phones(ctx, pairs: list[str]) -> dict[int, str]:
    from kiosk import services as svc
    from kiosk.domain.phones import PhoneError, normalise_mobile
    from kiosk.services.visits import _staff

    phones = {}
    for pair in pairs:
        name, sep, number = pair.rpartition("=")
        if not sep or not name.strip():
            raise UsageError(f"--phone {pair!r}: use NAME=NUMBER")
        try:
            phones[_staff(name).id] = normalise_mobile(number)
        except PhoneError as exc:
            raise svc.Invalid(f"--phone {pair!r}: {exc}") from exc
    return phones


@command
def visit_out(args, ctx) -> None:
    from kiosk import services as svc

    result = svc.sign_out(ctx, args.staff, args.place, due_from_text(ctx, args.due), check_in_minutes=args.every,
                          approved_by=args.approved_by, code_word=args.code_word, phones=_phones(ctx, args.phone),
                          home_phone=args.home_phone, family_ref=args.family_ref, purpose=args.purpose,
                          travel=args.travel, vehicle=args.vehicle, vehicle_make=args.vehicle_make,
                          vehicle_colour=args.vehicle_colour, started_by="cli", by=args.by)
    for warning in result.warnings:
        print(f"kiosk: warning: {warning}", file=sys.stderr)
    v = result.visit
    print(f"visit {v.id} out: {v.label}, due back {local(ctx, v.due_back)}"
          + ("" if v.approved_by else " (not yet approved)"))


@command
def visit_back(args, ctx) -> None:
    from kiosk import services as svc

    yes_no = {"yes": True, "no": False, None: None}
    visit = svc.mark_back(ctx, args.id, by=args.by, outcome=args.outcome, objective_achieved=args.objective,
                          follow_up_needed=yes_no[args.follow_up], safeguarding_concern=yes_no[args.concern])
    print(f"visit {visit.id} back {local(ctx, visit.ended_at)}")


@command
def visit_checkin(args, ctx) -> None:
    from kiosk import services as svc

    contact = svc.check_in_by_phone(ctx, args.id, by=args.by)
    cleared = f", amber alarm {', '.join(map(str, contact.cleared))} cleared" if contact.cleared else ""
    print(f"visit {args.id} check-in recorded, due back {local(ctx, contact.new_due)}{cleared}")


@command
def visit_duress(args, ctx) -> None:
    from kiosk import services as svc

    alarm = svc.duress_by_phone(ctx, args.id, by=args.by)
    print(f"RED duress alarm {alarm.id} raised for visit {args.id}: call 999")


@command
def visit_approve(args, ctx) -> None:
    from kiosk import services as svc

    from kiosk.services.approval import approvals

    visit = svc.approve(ctx, args.id, by=args.by)
    history = approvals([visit.id]).get(visit.id, [])
    if len(history) > 1:
        name, _ = history[-1]
        print(f"visit {visit.id} approval by {name} recorded; first approved by {visit.approved_by} "
              f"at {local(ctx, visit.approved_at)}")
    else:
        print(f"visit {visit.id} approved by {visit.approved_by} at {local(ctx, visit.approved_at)}")


@command
def visit_extend(args, ctx) -> None:
    from kiosk import services as svc

    due = due_from_text(ctx, args.due) if args.due else None
    visit = svc.extend(ctx, args.id, by=args.by, minutes=args.minutes, due=due)
    print(f"visit {visit.id} due back {local(ctx, visit.due_back)}")
