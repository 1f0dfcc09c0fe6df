"""The gateway's durable PartStore: parts of multi-part SMS in the `sms_part` table.

Each `add` commits (or joins the caller's transaction), so a part survives a crash before the modem
deletes it. Parts hold raw text (a code word may span two parts) only until the whole message is
stored: `remove` runs in the same transaction as that store. Never log part text.
"""

from __future__ import annotations

from datetime import datetime

import peewee

from kiosk.store.models import SmsPart


class DatabasePartStore:
    """kiosk.devices.concat.PartStore over the database (use it from the gateway's thread)."""

    def __init__(self, db: peewee.Database) -> None:
        self.db = db

    def add(self, key: str, seq: int, total: int, text: str, received_at: datetime) -> bool:
        with self.db.atomic():
            if SmsPart.select().where((SmsPart.key == key) & (SmsPart.seq == seq)).exists():
                return False
            SmsPart.insert(key=key, seq=seq, total=total, text=text, received_at=received_at).execute()
            return True

    def parts(self, key: str) -> dict[int, tuple[str, datetime]]:
        return {p.seq: (p.text, p.received_at) for p in SmsPart.select().where(SmsPart.key == key)}

    def total(self, key: str) -> int:
        value = SmsPart.select(peewee.fn.MAX(SmsPart.total)).where(SmsPart.key == key).scalar()
        return int(value or 0)

    def remove(self, key: str) -> None:
        SmsPart.delete().where(SmsPart.key == key).execute()

    def keys(self) -> list[str]:
        return [row.key for row in SmsPart.select(SmsPart.key).distinct()]
