"""The flood through the real gateway (in-process, real driver, simulated modem on a pty): a number
texting 25 times in a minute gets at most 10 replies and one notice on the air, its code word still
alerts every receiver, and another member's text is answered."""

from __future__ import annotations

from kiosk.domain.flood import PAUSED_NOTICE
from kiosk.store.models import Alarm, Message
from tests.gateway.conftest import simulator, start_gateway  # noqa: F401 - fixtures
from tests.gateway.harness import make_config

ANN, BEN = "+447700900001", "+447700900002"
HEAD, LEAD = "+447700900100", "+447700900101"


def test_flood_through_the_gateway_caps_replies_and_starves_nobody(start_gateway):
    g = start_gateway(config=make_config(security={"flood_texts_per_minute": 10}))
    for i in range(25):
        g.sim.inject_sms(ANN, "bluebird" if i == 17 else f"OK {i}")
    g.sim.inject_sms(BEN, "OK")
    g.until(lambda: g.sent_to(BEN), timeout=60, what="Ben's reply on the air")
    g.until(lambda: g.sent_to(HEAD) and g.sent_to(LEAD), timeout=30, what="duress alerts")
    g.until(lambda: not Message.select().where((Message.direction == "out") & (Message.state == "queued")).exists(),
            timeout=60, what="outbox empty")
    inbound = list(Message.select().where(Message.direction == "in"))
    assert len(inbound) == 26 and {m.state for m in inbound} == {"processed"}
    to_ann = g.sent_to(ANN)
    assert len(to_ann) == 11 and to_ann[-1] == PAUSED_NOTICE
    assert g.sent_to(BEN)[0].startswith("Check-in noted")
    assert [a.kind for a in Alarm.select()] == ["duress"]
    assert all("bluebird" not in t.lower() for t in g.sent_to(HEAD) + g.sent_to(LEAD))
