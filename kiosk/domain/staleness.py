"""A screen that cannot read its data says so: "not updating since 14:02", never a calm, stale board.

Pure: when the screen last read its data, when a read last failed, and now. The board and the
viewer reload every few seconds and on every change; the trust view every `refresh_seconds`.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo


def stale_text(loaded_at: datetime | None, failed_at: datetime | None, now: datetime, tz: tzinfo, *,
               limit: timedelta) -> str | None:
    """None while the screen is fresh; else what to show in place of calm."""
    if loaded_at is None:
        return None if failed_at is None else "not updating: the data cannot be read"
    since = loaded_at.astimezone(tz).strftime("%H:%M")
    if failed_at is not None and failed_at >= loaded_at:
        return f"not updating since {since}: the data cannot be read"
    if now - loaded_at > limit:
        return f"not updating since {since}"
    return None
