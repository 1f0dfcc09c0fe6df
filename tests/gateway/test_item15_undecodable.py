"""Issue 14 item 15: an SMS that does not decode is never deleted without a copy.

The gateway over the real driver on a real pty against kiosk's simulator: the broken PDU sits on
the simulated SIM; the driver reads it twice (AT+CMGL, AT+CMGR); the gateway stores it as an
inbound message in state `undecodable` (the sender if the PDU's start names one, the raw PDU in hex
as its text), and only after that commit is it deleted from the SIM. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json

from kiosk.devices.pdu import encode_deliver
from kiosk.services import inbound
from kiosk.store.models import Event, Message, Staff
from tests.conftest import run_kiosk

ANN = "+447700900001"


def broken_pdu(clock, sender=ANN, text="SOS help") -> str:
    """A real SMS-DELIVER from `sender`, cut in the middle of its text (the sender still readable)."""
    pdu = encode_deliver(sender, text, clock.now())
    return pdu[:len(pdu) - 6]


def undecodable():
    return list(Message.select().where(Message.state == "undecodable").order_by(Message.id))


def test_item15_an_undecodable_sms_is_kept_with_its_sender_then_deleted(start_gateway, clock):
    g = start_gateway()
    pdu = broken_pdu(clock)
    g.sim.inject_pdu(pdu)
    g.until(lambda: undecodable(), advance=5, what="undecodable SMS kept")
    (msg,) = undecodable()
    assert (msg.direction, msg.number, msg.text) == ("in", ANN, pdu.upper())
    assert msg.staff_id == Staff.get(Staff.mobile == ANN).id and "read twice" in msg.error
    g.until(lambda: g.sim.stored() == {}, advance=1, what="deleted from the SIM")
    assert any(c.upper().startswith("AT+CMGR") for c in g.sim.commands)  # read again before giving up
    assert Event.select().where((Event.kind == "sms-undecodable") & (Event.message_id == msg.id)).count() == 1
    assert inbound.pending(g.ctx) == [] and g.sent_to(ANN) == []  # never processed, no reply


def test_item15_the_sim_copy_stays_until_the_message_is_committed(start_gateway, clock, monkeypatch):
    from kiosk.gateway import service

    g = start_gateway()
    tries = []

    def database_down(*args, **kwargs):
        tries.append(1)
        raise RuntimeError("database down")

    real = service.store_undecodable
    monkeypatch.setattr(service, "store_undecodable", database_down)
    g.sim.inject_pdu(broken_pdu(clock))
    g.until(lambda: tries, advance=5, what="a try to store it")
    assert len(g.sim.stored()) == 1 and undecodable() == []  # not stored: not deleted
    monkeypatch.setattr(service, "store_undecodable", real)
    g.until(lambda: undecodable() and g.sim.stored() == {}, advance=5, what="stored, then deleted")
    assert len(undecodable()) == 1


def test_item15_a_listing_cut_by_a_glitch_is_read_again_and_handled_as_usual(start_gateway):
    g = start_gateway()
    g.sim.garble("AT+CMGL", count=3)
    g.sim.inject_sms(ANN, "OK")
    g.until(lambda: g.sent_to(ANN), advance=1, what="reply")
    assert g.sent_to(ANN)[0].startswith("Check-in noted")
    assert undecodable() == [] and g.sim.stored() == {}


def test_item15_an_undecodable_pushed_sms_is_kept(start_gateway, clock):
    g = start_gateway()
    pdu = broken_pdu(clock)
    g.sim.inject_pdu(pdu, direct=True)  # +CMT: never on the SIM, this copy is the only one
    g.until(lambda: undecodable(), advance=1, what="undecodable pushed SMS kept")
    (msg,) = undecodable()
    assert (msg.number, msg.text) == (ANN, pdu.upper())


def test_item15_kiosk_messages_lists_it(start_gateway, clock):
    g = start_gateway()
    g.sim.inject_pdu("0004FFFF")  # nothing readable, not even the sender
    g.until(lambda: undecodable(), advance=5, what="undecodable SMS kept")
    env = {"KIOSK_NOW": clock.now().isoformat()}
    listed = run_kiosk("messages", "--db", str(g.db_path), env=env)
    assert listed.returncode == 0, listed.stderr
    assert "(unknown)" in listed.stdout and "undecodable" in listed.stdout and "0004FFFF" in listed.stdout
    rows = json.loads(run_kiosk("messages", "--json", "--db", str(g.db_path), env=env).stdout)
    assert [(r["direction"], r["number"], r["state"], r["text"]) for r in rows] == \
        [("in", "", "undecodable", "0004FFFF")]
