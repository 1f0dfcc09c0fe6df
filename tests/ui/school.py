"""A school for the UI tests (and for trying the board by hand): every state a board can show.

`busy(ctx, clock)` starts at 12:30 and moves the FakeClock to 14:00 (Tue 24 Nov 2026, London = UTC):
Ann Lee + Bob Cole (pair, ok, check-in 30 min, car), Cara Diaz (due soon), Eve Fox (amber overdue),
Ivy Jones (red no-reply, acknowledged: police called), Gus Hill (red duress, acknowledged unless
`pending_duress`), and a flagged address. Hana Head receives alerts; the gateway is healthy.
"""

from __future__ import annotations

from datetime import timedelta

from kiosk.clock import FakeClock
from kiosk.config import config_from_mapping
from kiosk.services import Context, acknowledge, add_register_entry, add_staff, sign_out, tick
from kiosk.services.visits import duress_by_phone
from kiosk.store.models import GatewayHealth

START = "2026-11-24T12:30:00+00:00"


def make_context(clock: FakeClock, **sections) -> Context:
    return Context(config_from_mapping({"school": {"name": "St Nicholas Primary"}, **sections}), clock)


def healthy_gateway(clock: FakeClock) -> None:
    now = clock.now()
    GatewayHealth.insert(id=1, heartbeat_at=now, started_at=now - timedelta(hours=3), modem_connected=True,
                         signal_bars=4, operator="Vodafone UK", registration="home", last_exchange_at=now,
                         queue_length=0).on_conflict_replace().execute()


def staff(ctx: Context) -> dict[str, object]:
    people = {
        "ann": add_staff(ctx, "Ann Lee", "07700 900123", code_word="bluebird", vehicle_reg="AB12 CDE",
                         vehicle_make="Ford Fiesta", vehicle_colour="blue"),
        "bob": add_staff(ctx, "Bob Cole", "07700 900124", code_word="kestrel"),
        "cara": add_staff(ctx, "Cara Diaz", "07700 900125", code_word="robin"),
        "eve": add_staff(ctx, "Eve Fox", "07700 900126", code_word="wren"),
        "gus": add_staff(ctx, "Gus Hill", "07700 900127", code_word="heron", vehicle_reg="XY19 ZZZ",
                         vehicle_make="Toyota Yaris", vehicle_colour="silver"),
        "ivy": add_staff(ctx, "Ivy Jones", "07700 900128", code_word="swift"),
        "hana": add_staff(ctx, "Hana Head", "07700 900200", alerts=True, role="head", approver=True),
    }
    return people


def busy(ctx: Context, clock: FakeClock, *, pending_duress: bool = False) -> dict[str, int]:
    """Returns visit ids by name, plus the duress alarm id under "duress_alarm"."""
    clock.set(START)
    p = staff(ctx)
    add_register_entry(ctx, reason="dog; do not visit alone", postcode="LU4 9AB")
    at = clock.now
    ids = {}
    ids["ivy"] = sign_out(ctx, [p["ivy"]], "3 Mill Lane, Luton LU1 1AA", at() + timedelta(minutes=10),
                          approved_by="HH").visit.id
    clock.set("2026-11-24T12:41:00+00:00")
    tick(ctx)  # Ivy amber (overdue)
    clock.set("2026-11-24T13:00:00+00:00")
    tick(ctx)  # Ivy red (no reply)
    ids["eve"] = sign_out(ctx, [p["eve"]], "9 Oak Close, Dunstable LU6 3BB", at() + timedelta(minutes=55),
                          approved_by="HH", travel="walk").visit.id
    clock.set("2026-11-24T14:00:00+00:00")
    tick(ctx)  # Eve amber (overdue)
    ids["ann"] = sign_out(ctx, [p["ann"], p["bob"]], "14 Elm Rd, Luton LU4 9AB", at() + timedelta(minutes=90),
                          approved_by="HH", check_in_minutes=30, travel="car").visit.id
    ids["cara"] = sign_out(ctx, [p["cara"]], "21 Park St, Luton LU2 7QQ", at() + timedelta(minutes=8),
                           travel="bus").visit.id
    ids["gus"] = sign_out(ctx, [p["gus"]], "5 High St, Leagrave LU4 0AA", at() + timedelta(minutes=60),
                          approved_by="HH", travel="car").visit.id
    tick(ctx)
    from kiosk.store.models import Alarm

    for alarm in Alarm.select().where((Alarm.level == "red") & Alarm.resolved_at.is_null()):
        acknowledge(ctx, alarm.id, by="JR", action="police", ref="LU-4411")
    duress = duress_by_phone(ctx, ids["gus"], by="JR", actor="kiosk")
    if not pending_duress:
        acknowledge(ctx, duress.id, by="JR", action="police", ref="LU-4412")
    ids["duress_alarm"] = duress.id
    healthy_gateway(clock)
    return ids
