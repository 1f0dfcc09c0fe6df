"""Which alert texts of an alarm went out and which the network confirmed (delivery reports).

Read-only. Used by the alarm view and `kiosk alarms --json` (`deliveries`); the words and the
warning rule are kiosk.domain.deliveries. Never returns message text or a code word.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN

from kiosk.domain.deliveries import Delivery
from kiosk.domain.phones import national_format
from kiosk.store.models import Message, Staff


def deliveries(alarm_ids: list[int]) -> dict[int, list[Delivery]]:
    """alarm id -> its alert texts, oldest first."""
    if not alarm_ids:
        return {}
    rows = (Message.select(Message, Staff).join(Staff, JOIN.LEFT_OUTER, on=(Message.staff == Staff.id))
            .where(Message.alarm.in_(alarm_ids) & (Message.direction == "out") & (Message.kind == "alert"))
            .order_by(Message.id))
    out: dict[int, list[Delivery]] = {}
    for m in rows:
        to = m.staff.name if m.staff_id else _national(m.number)
        out.setdefault(m.alarm_id, []).append(Delivery(to, m.state, m.sent_at, m.delivered_at))
    return out


def _national(number: str) -> str:
    try:
        return national_format(number)
    except Exception:  # noqa: BLE001 - a stored number that no longer parses is shown as it is
        return number


@dataclass(frozen=True)
class Alerted:
    """Someone told of an alarm (issue 18): who, their tier, how ("sms", later "call"), when first."""

    who: str
    tier: int | None
    how: str
    at: datetime


def alerted(alarm_ids: list[int]) -> dict[int, list[Alerted]]:
    """alarm id -> the people told of it, in the order they were first told (one entry per way)."""
    if not alarm_ids:
        return {}
    rows = (Message.select(Message, Staff).join(Staff, JOIN.LEFT_OUTER, on=(Message.staff == Staff.id))
            .where(Message.alarm.in_(alarm_ids) & (Message.direction == "out") & (Message.kind == "alert"))
            .order_by(Message.id))
    out: dict[int, list[Alerted]] = {}
    seen: set[tuple[int, str]] = set()
    for m in rows:
        key = (m.alarm_id, m.staff_id or m.number)
        if key in seen:
            continue
        seen.add(key)
        who = m.staff.name if m.staff_id else _national(m.number)
        out.setdefault(m.alarm_id, []).append(Alerted(who, m.staff.alert_tier if m.staff_id else None, "sms",
                                                      m.created_at))
    from kiosk.store.models import AlarmAction

    tiers = {s.name: s.alert_tier for s in Staff.select(Staff.name, Staff.alert_tier)}
    rung: set[tuple[int, str]] = set()
    for step in (AlarmAction.select().where(AlarmAction.alarm.in_(alarm_ids) & (AlarmAction.action == "call-dialled"))
                 .order_by(AlarmAction.id)):
        if (step.alarm_id, step.who) not in rung:  # rung: once per person, the first time
            rung.add((step.alarm_id, step.who))
            out.setdefault(step.alarm_id, []).append(Alerted(step.who, tiers.get(step.who), "call", step.at))
    return out
