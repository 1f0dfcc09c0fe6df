"""The gateway's side of the loop-back self-test: when to ask for one, sending it, recording it.

Runs on the loop's thread. Requests (the daily `[selftest] at`, `kiosk selftest`, and one at start
when none was sent in the last day) are rows in `self_test`; the text goes through the outbox like
every SMS (lowest priority: it never delays a reply or an alert). What the board needs is written
to the health row only when it changes, so the UI is not woken for nothing. The text coming back
is recognised on the inbound path (kiosk.services.inbound); the verdict is kiosk.domain.selftest's.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from kiosk.domain import selftest as S
from kiosk.services import selftest
from kiosk.services.context import Context
from kiosk.store.models import SelfTest
from kiosk.devices.at_network import credit_from_text

log = logging.getLogger("kiosk.gateway.selftest")
NO_NUMBER = "no own number: set [modem] own_number (the modem does not know it)"


class SelfTestJob:
    """`schedule()` (daily), `step()` (every few seconds), `facts` (last written) and `failed_id()`
    (for the chime)."""

    def __init__(self, ctx: Context, modem: Any, health: Any) -> None:
        self.ctx = ctx
        self.modem = modem
        self.health = health
        self.config = ctx.config.selftest
        self.facts: S.SelfTestFacts | None = None
        self._own: str | None = ctx.config.modem.own_number or None

    def own_number(self) -> str | None:
        """[modem] own_number, else what the modem says (AT+CNUM), remembered once known."""
        if self._own is None:
            ask = getattr(self.modem, "own_number", None)
            if callable(ask):
                try:
                    self._own = ask() or None
                except Exception as exc:  # noqa: BLE001 - many SIMs have no number stored: not an error
                    log.info("the modem did not give its own number: %s", type(exc).__name__)
        return self._own

    def schedule(self, by: str = "schedule") -> SelfTest | None:
        """Ask for a self-test (the daily job, and at start)."""
        if not self.config.enabled:
            return None
        test = selftest.request(self.ctx, by=by)
        log.info("self-test %d asked for (%s)", test.id, by)
        return test

    def at_start(self) -> None:
        """One self-test at start unless one was asked for in the last day: a fresh install (or a
        kiosk off overnight) proves its SMS path without waiting for tomorrow morning."""
        if not self.config.enabled or self.own_number() is None:
            return
        since = self.ctx.now() - timedelta(days=1)
        if not SelfTest.select().where(SelfTest.requested_at >= since).exists():
            self.schedule("start")

    def step(self) -> bool:
        """Queue waiting requests; record what changed. True if a self-test text was queued."""
        queued = False
        if selftest.waiting_requests():
            note = None if self.config.enabled else "switched off"
            own = self.own_number()
            done = selftest.send_requested(self.ctx, own, note=note if own else (note or NO_NUMBER))
            queued = any(t.message_id for t in done)
            for test in done:
                if test.message_id:
                    log.info("self-test %d: text queued", test.id)
                else:
                    log.warning("self-test %d not sent: %s", test.id, test.note)
        self.record()
        return queued

    def record(self) -> None:
        """Write the self-test facts to the health row if they changed."""
        note = None if self.own_number() else NO_NUMBER
        facts = selftest.facts(self.ctx, enabled=self.config.enabled, timeout_minutes=self.config.timeout_minutes,
                               note=note)
        if facts == self.facts:
            return
        previous, self.facts = self.facts, facts
        self.health.heartbeat(**{f"selftest_{k}": getattr(facts, k)
                                 for k in ("sent_at", "received_at", "due_by", "proven_at", "note")})
        if previous is not None and facts.received_at and facts.received_at != previous.received_at:
            log.info("self-test came back: the SMS path works")

    def verdict(self) -> S.Verdict | None:
        return None if self.facts is None else S.verdict(self.facts, self.ctx.now(), self.ctx.tz)

    def failed_key(self) -> int | None:
        """A key for the chime (negative, unlike alarm ids): one per self-test that failed."""
        v = self.verdict()
        if v is None or v.ok is not False or self.facts is None or self.facts.sent_at is None:
            return None
        return -int(self.facts.sent_at.timestamp())


def check_credit(modem: Any, code: str, health: Any, now: Any) -> str | None:
    """Ask the network for the SIM's credit (`[modem] balance_ussd`, daily and at start) and record
    it; many 4G modems cannot do USSD: that is recorded as a note, never an error. Returns the note."""

    try:
        answer = modem.ussd(code)
    except Exception as exc:  # noqa: BLE001 - the credit is a hint: never fail the gateway for it
        answer, note = None, f"the modem did not answer the USSD request ({type(exc).__name__})"
    else:
        note = "this modem or network cannot do USSD: check the credit online" if answer is None else None
    if answer is not None:
        credit = credit_from_text(answer.text)
        if credit is None:
            note = "the network's answer had no amount in it"
        else:
            health.heartbeat(credit=credit.shown, credit_amount=credit.amount, credit_at=now, credit_note=None)
            log.info("SIM credit %s", credit.shown)
            return None
    health.heartbeat(credit_note=note)
    log.info("SIM credit not known: %s", note)
    return note
