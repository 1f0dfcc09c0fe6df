"""Which alert texts of an alarm went out and which the network confirmed (delivery reports).

Read-only. Used by the alarm view and `kiosk alarms --json` (`deliveries`); the words and the
warning rule are kiosk.domain.deliveries. Never returns message text or a code word.
"""

from __future__ import annotations

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
