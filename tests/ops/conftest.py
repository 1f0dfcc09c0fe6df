"""A school with a year and more of history, on a FakeClock, for retention, export and doctor tests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk import services as svc
from kiosk.config import config_from_mapping
from kiosk.services.alarms import raise_alarm
from kiosk.store import open_database
from kiosk.store.models import Message

ANN, BOB, HANA = "+447700900123", "+447700900124", "+447700900200"


class History:
    """Ann and Bob go out (code words bluebird, kestrel); Hana receives alerts.

    `old()` builds, at the clock's current time: a quiet closed visit with a check-in (`quiet`),
    a closed visit whose duress alarm was stood down (`duress`), a visit still open (`open_visit`),
    and an unresolved send-failed alarm on no visit (`unresolved`)."""

    def __init__(self, path, clock, **sections):
        self.path, self.clock = path, clock
        self.db = open_database(path)
        self.ctx = svc.Context(config_from_mapping(sections), clock)
        self.ann = svc.add_staff(self.ctx, "Ann Lee", "07700 900123", code_word="bluebird")
        self.bob = svc.add_staff(self.ctx, "Bob Cole", "07700 900124", code_word="kestrel")
        self.hana = svc.add_staff(self.ctx, "Hana Head", "07700 900200", alerts=True, role="head")

    def out(self, *staff, minutes=90, place="14 Elm Rd, Luton LU4 9AB", **kw):
        return svc.sign_out(self.ctx, list(staff), place, self.clock.now() + timedelta(minutes=minutes), **kw).visit

    def old(self):
        self.quiet = self.out(self.ann, self.bob, purpose="attendance", check_in_minutes=20)
        self.clock.advance(minutes=20)
        svc.sms_in(self.ctx, ANN, "OK")
        self.clock.advance(minutes=30)
        svc.mark_back(self.ctx, self.quiet.id, by="RC", objective_achieved="yes", follow_up_needed=False,
                      safeguarding_concern=False)
        self.duress = self.out(self.ann, place="=HYPERLINK(\"http://x\") 2 Oak St")
        self.clock.advance(minutes=10)
        result = svc.sms_in(self.ctx, ANN, "OK running late bluebird")
        assert result.duress
        self.duress_alarm = self.duress.alarms.get()
        self.clock.advance(minutes=3)
        svc.acknowledge(self.ctx, self.duress_alarm.id, by="RC", action="police", ref="PR-1234")
        self.clock.advance(minutes=5)
        svc.acknowledge(self.ctx, self.duress_alarm.id, by="RC", action="stood-down")
        svc.mark_back(self.ctx, self.duress.id, by="RC")
        self.open_visit = self.out(self.bob, minutes=60)
        svc.sms_in(self.ctx, BOB, "OK")
        self.unresolved = raise_alarm(self.ctx, "send-failed", "amber", visit=None, actor="test",
                                      summary="an alert could not be sent")
        # the gateway sent everything queued (replies, alerts, stand-downs)
        Message.update(state="sent", sent_at=self.clock.now()).where(Message.state == "queued").execute()
        return self


@pytest.fixture
def history(tmp_path, clock):
    h = History(tmp_path / "kiosk.db", clock)
    yield h
    h.db.close()
