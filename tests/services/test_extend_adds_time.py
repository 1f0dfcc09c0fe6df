"""EXTEND/LATE/+N add time to due-back; IN N / BACK IN N count from now. A text asking for more
time must never bring a visit's due-back forward (which would raise an alarm early)."""

from datetime import timedelta

from kiosk import services as svc
from kiosk.store.models import Visit
from tests.services.conftest import ANN


def test_extend_adds_to_a_due_back_still_ahead(school, clock):
    visit = school.out(minutes=90)  # due 15:30 local
    for text in ("EXTEND 20", "late 20", "+20"):
        before = Visit.get_by_id(visit.id).due_back
        svc.sms_in(school.ctx, ANN, text)
        assert Visit.get_by_id(visit.id).due_back == before + timedelta(minutes=20), text


def test_in_20_counts_from_now(school, clock):
    visit = school.out(minutes=90)
    svc.sms_in(school.ctx, ANN, "IN 20")
    assert Visit.get_by_id(visit.id).due_back == clock.now() + timedelta(minutes=20)


def test_extend_when_overdue_counts_from_now(school, clock):
    visit = school.out(minutes=30)
    clock.advance(minutes=40)
    result = svc.sms_in(school.ctx, ANN, "EXTEND 15")
    assert Visit.get_by_id(visit.id).due_back == clock.now() + timedelta(minutes=15)
    assert result.reply.text.startswith("Due back now 14:55")


def test_reception_extend_adds_minutes_to_due_back(school, clock):
    visit = school.out(minutes=90)
    before = Visit.get_by_id(visit.id).due_back
    svc.extend(school.ctx, visit.id, by="RC", minutes=30)
    assert Visit.get_by_id(visit.id).due_back == before + timedelta(minutes=30)
    clock.advance(hours=3)  # now overdue: minutes count from now
    svc.extend(school.ctx, visit.id, by="RC", minutes=15)
    assert Visit.get_by_id(visit.id).due_back == clock.now() + timedelta(minutes=15)
