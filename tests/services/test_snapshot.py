"""The board and the ladder's pass read every open visit in a fixed number of queries.

Found by the benchmarks (bench/, issue 7): reading each visit's members, alarms and owner one query
at a time made the board take ~450 ms and a tick ~370 ms with 100-150 open visits on a machine as
slow as a Pi, so the UI lagged red alarms by seconds and the gateway never idled. These tests pin the
query count (it must not grow with the number of visits) and that the batched facts are the ones the
per-visit reads give.
"""

from __future__ import annotations

from contextlib import contextmanager

from kiosk import services as svc
from kiosk.services import lookup
from kiosk.store.models import Staff
from kiosk.store.db import database_proxy


@contextmanager
def statements():
    """Every SQL statement peewee runs meanwhile (on either backend)."""
    seen: list[str] = []
    db = database_proxy.obj

    def hook(event) -> None:
        seen.append(event.sql)

    db.query_hooks.append(hook)
    try:
        yield seen
    finally:
        db.query_hooks.remove(hook)


def selects(seen: list[str]) -> int:
    return sum(1 for s in seen if s.lstrip().upper().startswith("SELECT"))


def _staff(school, n: int) -> list[Staff]:
    return [svc.add_staff(school.ctx, f"Extra {i}", f"07700 9001{i:02d}", code_word=f"quzzword{chr(97 + i)}")
            for i in range(n)]


def test_board_and_tick_queries_do_not_grow_with_open_visits(school, clock):
    school.out(school.ann, minutes=60)
    with statements() as few:
        svc.board(school.ctx)
    with statements() as few_tick:
        svc.tick(school.ctx)
    for person in _staff(school, 12):
        school.out(person, minutes=120)
    with statements() as many:
        rows = svc.board(school.ctx)
    with statements() as many_tick:
        svc.tick(school.ctx)
    assert len(rows) == 13
    assert selects(many) == selects(few)
    assert selects(many_tick) == selects(few_tick)


def test_batched_facts_match_the_per_visit_reads(school, clock):
    """Amber, its no-reply red (escalated), an owner by ACK, a pair, a quiet visit: same facts both ways."""
    late = school.out(school.ann, minutes=20)
    pair_people = _staff(school, 2)
    pair = school.out(*pair_people, minutes=200)
    quiet = school.out(school.bob, minutes=180, check_in_minutes=60)
    clock.advance(minutes=21)
    svc.tick(school.ctx)  # amber overdue on `late`
    clock.advance(minutes=16)
    svc.tick(school.ctx)  # no-reply red from it
    svc.sms_in(school.ctx, "07700 900200", "ACK")  # Hana takes charge of the newest red
    snap = lookup.open_snapshot()
    assert [v.id for v in snap.visits] == [v.id for v in lookup.open_visits()]
    for visit in snap.visits:
        assert snap.facts(visit) == lookup.visit_facts(visit)
        assert [m.id for m in snap.members.get(visit.id, [])] == [m.id for m in lookup.members(visit)]
    late_facts = snap.facts(next(v for v in snap.visits if v.id == late.id))
    assert sorted((a.kind, a.escalated) for a in late_facts.alarms) == [("no-reply", False), ("overdue", True)]
    rows = {r.id: r for r in svc.board(school.ctx)}
    assert rows[late.id].level == "red" and rows[late.id].owner == "Hana Head"
    assert rows[pair.id].staff == [p.name for p in pair_people] and rows[pair.id].owner is None
    assert rows[quiet.id].alarms == [] and rows[quiet.id].check_in_due is not None
    before = len(svc.list_alarms(school.ctx))
    svc.tick(school.ctx)  # nothing new: neither doubled nor missed
    assert len(svc.list_alarms(school.ctx)) == before
