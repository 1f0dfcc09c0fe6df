"""Two processes share the database (the gateway ticks while reception runs `kiosk tick` or the UI
acts): units of work take the write lock up front, so none decides from a stale read."""

import threading
from datetime import timedelta

from kiosk import services as svc
from kiosk.store.models import Alarm, Message
from tests.services.conftest import ANN


def run_together(*jobs, rounds=8):
    errors = []
    barrier = threading.Barrier(len(jobs))

    def worker(job):
        try:
            barrier.wait()
            for _ in range(rounds):
                job()
        except Exception as exc:  # noqa: BLE001 - collected, the assertion below shows it
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return errors


def test_concurrent_ticks_raise_each_alarm_once(school, clock):
    school.out(minutes=30)
    school.out(school.bob, minutes=30)
    clock.advance(minutes=31)
    errors = run_together(lambda: svc.tick(school.ctx), lambda: svc.tick(school.ctx), lambda: svc.tick(school.ctx))
    assert errors == []
    assert sorted(a.kind for a in Alarm.select()) == ["overdue", "overdue"]
    assert Message.select().where(Message.kind == "reminder").count() == 2


def test_concurrent_processing_of_one_message_applies_it_once(school):
    school.out()
    msg, _ = svc.receive_sms(school.ctx, ANN, "EXTEND 20")
    errors = run_together(*(lambda: svc.process_message(school.ctx, msg.id) for _ in range(3)), rounds=1)
    assert errors == []
    assert Message.select().where(Message.kind == "reply").count() == 1


def test_a_screen_snapshot_does_not_hold_up_the_gateway(school):
    """ctx.snapshot() reads consistently without the write lock: a tick in another connection
    commits while the snapshot is open."""
    school.out()
    done = []
    with school.ctx.snapshot():
        before = svc.board(school.ctx)
        worker = threading.Thread(target=lambda: done.append(svc.sign_out(
            school.ctx, [school.bob], "2 Oak St", school.clock.now() + timedelta(hours=1))))
        worker.start()
        worker.join(timeout=10)
        assert done, "the writer was blocked by a reader"
        assert [r.id for r in svc.board(school.ctx)] == [r.id for r in before]  # still the same snapshot
    assert len(svc.board(school.ctx)) == 2
