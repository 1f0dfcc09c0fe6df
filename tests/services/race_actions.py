"""What the other process of a race test (tests/services/race.py) does: each entry takes the
Context and its arguments, reads what it needs, and returns the one call that races."""

from __future__ import annotations

from datetime import timedelta

from kiosk import services as svc
from kiosk.services import alarms, staff_admin
from kiosk.store.models import Staff


def _sign_out(ctx, staff: list[str], place: str = "14 Elm Rd, Luton LU4 9AB", minutes: int = 90):
    return lambda: svc.sign_out(ctx, staff, place, ctx.now() + timedelta(minutes=minutes)).visit.id


def _take_charge(ctx, name: str, alarm_id: int):
    staff = Staff.get(Staff.name == name)
    return lambda: alarms.take_charge(ctx, staff, alarm_id)[0]


ACTIONS = {
    "sign_out": _sign_out,
    "mark_back": lambda ctx, visit_id: lambda: svc.mark_back(ctx, visit_id, by="RB").id,
    "extend": lambda ctx, visit_id: lambda: svc.extend(ctx, visit_id, by="RB", minutes=30).id,
    "approve": lambda ctx, visit_id: lambda: svc.approve(ctx, visit_id, by="Hana Head").id,
    "check_in_by_phone": lambda ctx, visit_id: lambda: svc.check_in_by_phone(ctx, visit_id, by="RB"),
    "duress_by_phone": lambda ctx, visit_id: lambda: svc.duress_by_phone(ctx, visit_id, by="RB").id,
    "sms_in": lambda ctx, number, text: lambda: svc.sms_in(ctx, number, text).reply.text,
    "acknowledge": lambda ctx, alarm_id, how: lambda: svc.acknowledge(ctx, alarm_id, by="RB", action=how).id,
    "take_charge": _take_charge,
    "deactivate": lambda ctx, staff_id: lambda: staff_admin.set_staff_active(ctx, staff_id, False).id,
}
