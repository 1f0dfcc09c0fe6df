"""What the admin screens list: staff, the register of addresses, and the latest SMS.

Read-only, plain frozen dataclasses out, so the screens never touch the models: each function is
called from a screen's thread worker. A staff row says whether a code word is set, never which.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.store.models import Message as Sms, RegisterEntry, Staff


@dataclass(frozen=True)
class StaffRow:
    id: int
    name: str
    mobile: str
    role: str
    alerts: bool
    has_code_word: bool
    vehicle_reg: str
    vehicle_make: str
    vehicle_colour: str
    active: bool
    approver: bool = False  # may approve visits
    tier: int = 1  # alert tier (issue 18): 1 is told first


def load_staff() -> list[StaffRow]:
    return [StaffRow(s.id, s.name, s.mobile or "", s.role, s.receives_alerts, bool(s.code_word), s.vehicle_reg,
                     s.vehicle_make, s.vehicle_colour, s.active, s.approver, s.alert_tier)
            for s in Staff.select().order_by(Staff.active.desc(), Staff.name)]


@dataclass(frozen=True)
class EntryRow:
    id: int
    address: str
    postcode: str
    reason: str
    prohibited: bool


def load_register() -> list[EntryRow]:
    return [EntryRow(e.id, e.address, e.postcode, e.reason, e.prohibited)
            for e in RegisterEntry.select().where(RegisterEntry.active == True).order_by(RegisterEntry.id)]  # noqa: E712


LIMIT = 300


@dataclass(frozen=True)
class SmsRow:
    id: int
    at: datetime
    direction: str
    number: str
    state: str
    kind: str
    visit_id: int | None
    text: str
    error: str


def load_messages(limit: int = LIMIT) -> list[SmsRow]:
    return [SmsRow(m.id, m.created_at, m.direction, m.number, m.state, m.kind or "", m.visit_id, m.text,
                   m.error or "")
            for m in Sms.select().order_by(Sms.id.desc()).limit(limit)]
