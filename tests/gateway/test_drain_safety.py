"""The gateway's drain stores and processes each text in one transaction; the SIM copy goes only
once the text is committed, and a text is processed exactly once even when processing fails."""

from __future__ import annotations

from kiosk.services import inbound
from kiosk.store.models import GatewayHealth, Message

ANN = "+447700900001"


def _inbound_states() -> list[str]:
    return [m.state for m in Message.select().where(Message.direction == "in").order_by(Message.id)]


def _listed_since(sim, before: int) -> bool:
    return any(c.upper().startswith("AT+CMGL") for c in sim.commands[before:])


def test_processing_that_fails_leaves_the_text_stored_deleted_from_the_sim_and_processed_next_sweep(
        start_gateway, monkeypatch):
    g = start_gateway()

    def broken(*args, **kwargs):
        raise RuntimeError("a bug in a command")

    monkeypatch.setattr(inbound, "_handle", broken)
    g.sim.inject_sms(ANN, "OK while broken")
    g.until(lambda: _inbound_states() == ["received"] and g.sim.stored() == {}, what="stored, then deleted")
    assert g.sent_to(ANN) == []
    assert "RuntimeError" in (GatewayHealth.get_by_id(1).last_error or "")
    monkeypatch.undo()
    g.gateway.sweep()  # the periodic sweep processes what is pending
    g.until(lambda: g.sent_to(ANN), what="the reply")
    assert _inbound_states() == ["processed"]
    assert len(g.sent_to(ANN)) == 1


def test_a_text_that_cannot_be_stored_stays_on_the_sim_and_is_taken_next_sweep(start_gateway, monkeypatch):
    g = start_gateway()

    def no_store(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(inbound, "_store", no_store)
    before = len(g.sim.commands)
    g.sim.inject_sms(ANN, "OK disk full")
    g.until(lambda: _listed_since(g.sim, before), what="the SIM listed")
    for _ in range(5):
        g.step()
    assert _inbound_states() == [] and len(g.sim.stored()) == 1
    monkeypatch.undo()
    g.gateway.sweep()
    g.until(lambda: g.sent_to(ANN), what="the reply")
    assert _inbound_states() == ["processed"] and g.sim.stored() == {}
