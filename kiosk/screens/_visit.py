"""The few facts about one visit that its dialogs show at the top (never the address)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kiosk.services import lookup
from kiosk.services.errors import NotFound
from kiosk.services.visits import open_red_kinds
from kiosk.store.models import Visit


@dataclass(frozen=True)
class VisitSummary:
    id: int
    label: str
    staff: tuple[str, ...]
    state: str
    due_back: datetime
    left_at: datetime
    open_red: bool


def load_summary(visit_id: int) -> VisitSummary:
    visit = Visit.get_or_none(Visit.id == visit_id)
    if visit is None:
        raise NotFound(f"no visit {visit_id}")
    return VisitSummary(visit.id, visit.label, tuple(lookup.names(visit)), visit.state, visit.due_back,
                        visit.left_at, bool(open_red_kinds(visit)))
