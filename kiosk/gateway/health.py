"""The gateway's writer of the single `gateway_health` row (liveness and modem status for the board).

What the board makes of the row is a pure rule, `kiosk.domain.link.link_state`. Never put message
text, phone numbers or code words in the health row or its warnings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from kiosk.store.models import GatewayHealth


class HealthRecorder:
    """Writes the gateway_health row (id 1). Each method is one short write."""

    def __init__(self, clock) -> None:

        self.model = GatewayHealth
        self.clock = clock

    def _update(self, **fields: Any) -> None:
        fields.setdefault("heartbeat_at", self.clock.now())
        if not self.model.update(**fields).where(self.model.id == 1).execute():
            (self.model.insert(id=1, **fields)
             .on_conflict(conflict_target=[self.model.id], preserve=[getattr(self.model, k) for k in fields])
             .execute())

    def started(self, pid: int, port: str) -> None:
        now = self.clock.now()
        self._update(pid=pid, port=port, started_at=now, stopped_at=None, heartbeat_at=now,
                     modem_connected=False, last_error=None, last_error_at=None)

    def heartbeat(self, **fields: Any) -> None:
        self._update(**fields)

    def modem(self, *, connected: bool, gone_at: datetime | None = None, back_at: datetime | None = None,
              **status: Any) -> None:
        fields: dict[str, Any] = {"modem_connected": connected, **status}
        if gone_at is not None:
            fields["modem_gone_at"] = gone_at
        if back_at is not None:
            fields["modem_back_at"] = back_at
        self._update(**fields)

    def error(self, text: str) -> None:
        now = self.clock.now()
        self._update(last_error=text[:300], last_error_at=now)

    def stopped(self) -> None:
        now = self.clock.now()
        self._update(stopped_at=now, heartbeat_at=now, modem_connected=False)

    def read(self):
        return self.model.get_or_none(self.model.id == 1)
