"""`kiosk privacy export --staff ID` (subject access, JSON) and `kiosk privacy erase --staff ID --yes`.

Argument parsing only: the work is in kiosk.services.data_protection. Erasing cannot be undone, so
it needs --yes; without it the command says what it would do and changes nothing (exit 2).
"""

from __future__ import annotations

import argparse
import json
import sys

from kiosk.cli import UsageError
from kiosk.cli._session import command


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    privacy = sub.add_parser("privacy", parents=[common], help="subject access and erasure for staff")
    ps = privacy.add_subparsers(dest="privacy_command", metavar="ACTION", parser_class=sub._parser_class)
    export = ps.add_parser("export", parents=[common], help="everything held about one member of staff (JSON)")
    export.add_argument("--staff", type=int, required=True, metavar="ID")
    export.set_defaults(func=privacy_export)
    erase = ps.add_parser("erase", parents=[common], help="anonymise a former (deactivated) member of staff")
    erase.add_argument("--staff", type=int, required=True, metavar="ID")
    erase.add_argument("--yes", action="store_true", help="really erase (cannot be undone)")
    erase.set_defaults(func=privacy_erase)


@command
def privacy_export(args, ctx) -> None:
    from kiosk.services.data_protection import subject_access

    from kiosk.domain.display import json_safe  # control, bidi and zero-width characters \u-escaped

    sys.stdout.write(json_safe(json.dumps(subject_access(ctx, args.staff, actor="cli"), ensure_ascii=False, indent=1)))
    sys.stdout.write("\n")


@command
def privacy_erase(args, ctx) -> None:
    from kiosk.services.data_protection import erase_staff

    if not args.yes:
        raise UsageError(f"erasing staff {args.staff} cannot be undone: add --yes to do it (nothing changed)")
    staff = erase_staff(ctx, args.staff, actor="cli")
    print(f"staff {staff.id} erased: now \"{staff.name}\"; visits, alarms and the audit trail kept by id")
