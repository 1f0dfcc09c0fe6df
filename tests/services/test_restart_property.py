"""Random days at the school: whatever happens, a restart between two steps changes nothing, and
the ladder never raises an alarm twice (hypothesis, bounded: each step touches a real database)."""

from hypothesis import HealthCheck, given, settings, strategies as st

from kiosk import services as svc
from kiosk.clock import FakeClock
from kiosk.domain.codewords import find_code_words
from kiosk.store.models import Alarm, Message
from tests.services.conftest import ANN, BOB, HANA, School

TEXTS = ["OK", "ARRIVED", "LEAVING", "BACK", "EXTEND 20", "STATUS", "hello", "OK bluebird", "kestrel",
         "HELP", "ACK", "Back in 30", "?", "EXTEND 99999", ""]
STEP = st.one_of(
    st.tuples(st.just("text"), st.sampled_from([ANN, BOB, HANA]), st.sampled_from(TEXTS)),
    st.tuples(st.just("wait"), st.integers(1, 40)),
    st.tuples(st.just("out"), st.sampled_from(["ann", "bob"]), st.integers(15, 120)),
)


def snapshot(ctx):
    board = [(r.id, r.level, r.state, r.due_back, r.last_contact, r.alarms) for r in svc.board(ctx)]
    return board, Alarm.select().count(), Message.select().count()


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=3, max_size=8))
def test_restart_between_any_two_steps_changes_nothing(tmp_path_factory, new_database, steps):
    clock = FakeClock("2026-11-24T14:00:00+00:00")
    school = School(new_database(tmp_path_factory.mktemp("day")), clock)
    try:
        for step in steps:
            if step[0] == "text":
                svc.sms_in(school.ctx, step[1], step[2])
            elif step[0] == "wait":
                clock.advance(minutes=step[1])
            else:
                person = school.ann if step[1] == "ann" else school.bob
                try:
                    school.out(person, minutes=step[2])
                except svc.Refused:
                    pass  # already out
            svc.tick(school.ctx)
            before = snapshot(school.ctx)
            school.reopen()
            svc.tick(school.ctx)
            assert snapshot(school.ctx) == before
            for visit_alarms in _by_visit():
                open_amber = [a for a in visit_alarms if a.level == "amber" and a.resolved_at is None
                              and a.kind in ("overdue", "missed-check-in")]
                assert len(open_amber) <= 1
            parents = [a.parent_id for a in Alarm.select().where(Alarm.parent.is_null(False))]
            assert len(parents) == len(set(parents))
        assert not any(find_code_words(m.text, ["bluebird", "kestrel"]) for m in Message.select())
    finally:
        school.db.close()


def _by_visit():
    groups = {}
    for alarm in Alarm.select():
        groups.setdefault(alarm.visit_id, []).append(alarm)
    return groups.values()
