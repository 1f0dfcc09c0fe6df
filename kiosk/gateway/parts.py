"""The gateway's durable PartStore: parts of multi-part SMS in the `sms_part` table.

Each `add` commits (or joins the caller's transaction), so a part survives a crash before the modem
deletes it. Parts hold raw text (a code word may span two parts) only until the whole message is
stored: `remove` runs in the same transaction as that store and blanks the text, keeping a
tombstone (key, seq, a hash of the text) for a day so that a part the modem lists again after a
crash is recognised as a duplicate instead of starting a new message. Never log part text.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import peewee

from kiosk.store.models import SmsPart

TOMBSTONE_DAYS = 1


def _digest(text: str) -> str:
    return "#" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class DatabasePartStore:
    """kiosk.devices.concat.PartStore over the database."""

    def __init__(self, db: peewee.Database) -> None:
        self.db = db

    def _live(self):
        return SmsPart.done_at.is_null()

    def add(self, key: str, seq: int, total: int, text: str, received_at: datetime) -> bool:
        with self.db.atomic():
            row = SmsPart.get_or_none((SmsPart.key == key) & (SmsPart.seq == seq))
            if row is not None and row.done_at is None:
                return False
            if row is not None:  # a tombstone: the same part again is a re-listed duplicate
                if row.text == _digest(text):
                    return False
                SmsPart.delete().where((SmsPart.key == key) & SmsPart.done_at.is_null(False)).execute()
            SmsPart.insert(key=key, seq=seq, total=total, text=text, received_at=received_at).execute()
            return True

    def parts(self, key: str) -> dict[int, tuple[str, datetime]]:
        rows = SmsPart.select().where((SmsPart.key == key) & self._live())
        return {p.seq: (p.text, p.received_at) for p in rows}

    def total(self, key: str) -> int:
        value = SmsPart.select(peewee.fn.MAX(SmsPart.total)).where((SmsPart.key == key) & self._live()).scalar()
        return int(value or 0)

    def remove(self, key: str) -> None:
        with self.db.atomic():
            for row in SmsPart.select().where((SmsPart.key == key) & self._live()):
                (SmsPart.update(text=_digest(row.text), done_at=row.received_at)
                 .where((SmsPart.key == key) & (SmsPart.seq == row.seq)).execute())

    def keys(self) -> list[str]:
        return [row.key for row in SmsPart.select(SmsPart.key).where(self._live()).distinct()]

    def forget_done(self, now: datetime) -> int:
        """Drop tombstones older than a day (the sweep calls this)."""
        cutoff = now - timedelta(days=TOMBSTONE_DAYS)
        return SmsPart.delete().where(SmsPart.done_at.is_null(False) & (SmsPart.done_at < cutoff)).execute()
