"""A school in a temporary database, a FakeClock, and helpers to read what was queued."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.config import config_from_mapping
from kiosk.services import Context, add_staff, sign_out
from kiosk.store import open_database
from kiosk.store.models import Message

ANN, BOB, HANA, DEE = "+447700900123", "+447700900124", "+447700900200", "+447700900201"


def make_config(**visits):
    """The built-in defaults (Europe/London, weekdays 08:00-17:30, 15-minute reply window...)."""
    return config_from_mapping({"visits": visits} if visits else {})


class School:
    """The test school: Ann and Bob go out (code words bluebird, kestrel); Hana and Dee receive alerts."""

    def __init__(self, path, clock, **visits):
        self.path, self.clock, self.visits = path, clock, visits
        self.db = None
        self.reopen()
        self.ann = add_staff(self.ctx, "Ann Lee", "07700 900123", code_word="bluebird",
                             vehicle_reg="AB12 CDE", vehicle_make="Ford Fiesta", vehicle_colour="blue")
        self.bob = add_staff(self.ctx, "Bob Cole", "07700 900124", code_word="kestrel")
        self.hana = add_staff(self.ctx, "Hana Head", "07700 900200", alerts=True, role="head", approver=True)
        self.dee = add_staff(self.ctx, "Dee Lead", "07700 900201", alerts=True, role="DSL")

    def reopen(self):
        """Close and reopen the database, as a restart of the process would."""
        if self.db is not None:
            self.db.close()
        self.db = open_database(self.path)
        self.ctx = Context(make_config(**self.visits), self.clock)
        return self.ctx

    def out(self, *staff, minutes=90, place="14 Elm Rd, Luton LU4 9AB", **kw):
        return sign_out(self.ctx, list(staff or [self.ann]), place,
                        self.clock.now() + timedelta(minutes=minutes), **kw).visit

    def queued(self, number=None, kind=None):
        query = Message.select().where((Message.direction == "out") & (Message.state == "queued"))
        if number:
            query = query.where(Message.number == number)
        if kind:
            query = query.where(Message.kind == kind)
        return list(query.order_by(Message.id))

    def texts(self, number=None, kind=None):
        return [m.text for m in self.queued(number, kind)]


@pytest.fixture
def school(database, clock):
    s = School(database, clock)
    yield s
    s.db.close()
