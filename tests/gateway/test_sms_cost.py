"""What one text costs the gateway, pinned: statements and committed writes (each an fsync).

Found by the benchmarks (bench/, issue 7): an "OK" from a member on a visit cost 28 statements and
5 write commits (by this test's count: store; process; a second, empty process queued by the
+CMTI; sending; sent), with every member's code word normalised again for every text, and a burst
of N texts listed the SIM N times. On a Pi each commit is an fsync to the SD card (5-30 ms), so
commits are what a text costs there. Now the text is stored and processed in one transaction
(processing in a savepoint: if it fails the text is still stored, `received`, and tried again),
then the reply is marked sending and sent (the order the outbox needs). These bounds must only ever go down.
"""

from __future__ import annotations

import pytest

from kiosk.store.models import Message
from tests.sql_trace import statements

# Every test here counts SQLite's own trace of statements and COMMITs (each an fsync on the SD card).
pytestmark = pytest.mark.sqlite_only

ANN = "+447700900001"
MAX_STATEMENTS = 19  # SELECT/INSERT/UPDATE/DELETE from the text reaching the modem to its reply marked sent
MAX_WRITE_COMMITS = 3  # stored + processed; reply sending; reply sent


def write_commits(seen: list[str]) -> int:
    """Transactions that changed something (a read-only COMMIT costs no fsync)."""
    count, wrote = 0, False
    for sql in seen:
        word = sql.split(None, 1)[0].upper()
        if word in ("INSERT", "UPDATE", "DELETE"):
            wrote = True
        elif word == "COMMIT":
            count += wrote
            wrote = False
    return count


def text_and_reply(g, body: str) -> list[str]:
    before = len(g.sim.sent)
    with statements() as seen:
        g.sim.inject_sms(ANN, body)
        g.until(lambda: len(g.sim.sent) > before, what="the reply handed to the modem")
        g.until(lambda: Message.select().where((Message.direction == "out") & (Message.state == "sent")).count()
                == len(g.sim.sent), what="the reply marked sent")
    return seen


def test_a_check_in_text_costs_few_statements_and_three_commits(start_gateway):
    g = start_gateway()
    text_and_reply(g, "OK warming up")
    for body in ("OK one", "OK running late", "OK two"):
        seen = text_and_reply(g, body)
        queries = [s for s in seen if s.split(None, 1)[0].upper() in ("SELECT", "INSERT", "UPDATE", "DELETE")]
        assert write_commits(seen) <= MAX_WRITE_COMMITS, seen
        assert len(queries) <= MAX_STATEMENTS, "\n".join(q[:100] for q in queries)
    stored = list(Message.select().where(Message.direction == "in").order_by(Message.id))
    assert [m.state for m in stored] == ["processed"] * 4
    assert g.sim.stored() == {}, "every text deleted from the SIM once committed"


def test_a_burst_is_swept_once_per_notice_batch_and_every_text_answered(start_gateway):
    """Ten texts at once: ten +CMTI notices, far fewer listings of the SIM, ten replies, none lost,
    and about two commits a text (stored+processed; each reply's `sent` shares the next claim's)."""
    g = start_gateway()
    numbers = [ANN, "+447700900002", "+447700900003"]
    listings_before = sum(1 for c in g.sim.commands if c.upper().startswith("AT+CMGL"))
    with statements() as seen:
        for i in range(10):
            g.sim.inject_sms(numbers[i % 3], f"OK burst {i}")
        g.until(lambda: Message.select().where((Message.direction == "out") & (Message.state == "sent")).count()
                >= 10, what="ten replies sent")
    listings = sum(1 for c in g.sim.commands if c.upper().startswith("AT+CMGL")) - listings_before
    assert Message.select().where((Message.direction == "in") & (Message.state == "processed")).count() == 10
    assert 1 <= listings < 10
    assert write_commits(seen) <= 2 * 10 + 3
    assert g.sim.stored() == {}
