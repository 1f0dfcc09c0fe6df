"""A received SMS that kiosk cannot decode is kept, as it came, before the modem may delete it.

The driver reads such a message twice (AT+CMGL, then AT+CMGR: kiosk.devices.modem) before it
hands it over undecoded; this stores it as an inbound message in state `undecodable`, with the
sender if the start of the PDU names one and the raw PDU in hex as its text, so it is listed by
`kiosk messages` and the messages screen and an engineer can decode it by hand. Only after this
commit does the gateway let the driver delete it from the SIM: a serial glitch can cut a line, but
nothing is ever lost for good.

It is never processed (it is not a command), never counts as contact and gets no reply: nobody
knows what it said. Idempotent on the driver's fingerprint, like every inbound message. The raw
hex of a text could hold a code word, GSM 7-bit packed: not readable at a glance, kept private
like every other text (the messages screen is behind the admin PIN) and purged with them.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.domain.phones import normalise_sender
from kiosk.services import audit, lookup
from kiosk.services.context import Context
from kiosk.store.models import Message

UNDECODABLE = "undecodable"
MAX_RAW = 2000  # a PDU is at most 176 octets (352 hex digits); anything longer is not one


def store_undecodable(ctx: Context, sender: str | None, raw_hex: str, error: str | None, *,
                      fingerprint: str | None = None, received_at: datetime | None = None) -> tuple[Message, bool]:
    """Store one undecodable received SMS; returns (message, created)."""
    now = ctx.now()
    raw = "".join((raw_hex or "").split()).upper()[:MAX_RAW]
    if not raw.isprintable():  # not hex at all (a line of line noise): keep it readable, escaped
        raw = raw.encode("unicode_escape").decode("ascii")[:MAX_RAW]
    number = normalise_sender(sender) if sender else ""
    with ctx.atomic():
        if fingerprint:
            existing = Message.get_or_none(Message.fingerprint == fingerprint)
            if existing is not None:
                return existing, False
        who = lookup.identify(number) if number else None
        msg = Message.create(direction="in", number=number, text=raw or "(no PDU)", state=UNDECODABLE,
                             error=(error or "")[:500] or None, created_at=received_at or now,
                             visit=who.visit if who else None, staff=who.staff if who else None,
                             fingerprint=fingerprint or None)
        audit.record("sms-undecodable", now, actor="gateway", message=msg, visit=msg.visit_id, staff=msg.staff_id,
                     summary=f"message {msg.id}: undecodable SMS kept as its raw PDU"
                             + ("" if number else ", sender unreadable"))
    return msg, True
