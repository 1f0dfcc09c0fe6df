"""Texts from numbers kiosk does not know: a plea or a code word still raises red (issue 14 item 5).

A member on a borrowed phone, or one whose own phone died, must still be able to raise an alarm.
From an unregistered number, a plea for help (`kiosk.domain.pleas`) raises a red `sos` and a code
word of any member or open visit a red `duress`; the alarm's summary, the board and the alert carry
the sender's number (code words are redacted as from anyone). A plea gets the overt reply (it is
processed as any SOS); a code word gets no reply, as any unknown number. Anything else stays
ignored: stored `ignored`, audited, counted on the board, no reply, nothing changed.

Flood (`kiosk.domain.flood.unknown_may_raise`): after 3 red alarms from one unknown number within an
hour, its further texts are stored and shown (`ignored`, counted) but raise nothing new and get no
reply. Runs inside the caller's transaction (`inbound._store`).
"""

from __future__ import annotations

from kiosk.domain import flood as F
from kiosk.domain import ladder as L
from kiosk.domain.codewords import REDACTED
from kiosk.domain.pleas import find_plea
from kiosk.services import audit, flood, lookup
from kiosk.services.context import Context
from kiosk.store.models import Message


def alarms_in_window(msg: Message) -> int:
    """Distinct alarms that earlier texts from msg's number raised (or joined) within the hour before
    msg was received: stored facts only, so a drained backlog is counted as it happened."""
    return (Message.select(Message.alarm)
            .where((Message.direction == "in") & (Message.number == msg.number) & (Message.id < msg.id)
                   & Message.alarm.is_null(False) & (Message.created_at > msg.created_at - F.UNKNOWN_WINDOW)
                   & (Message.created_at <= msg.created_at))
            .distinct().count())


def may_raise(msg: Message) -> bool:
    return F.unknown_may_raise(alarms_in_window(msg))


def receive(ctx: Context, msg: Message, duress: bool) -> None:
    """An unregistered number's text, just stored as `ignored`: leave it so, or raise its alarm.

    A plea becomes `received` (processing raises the SOS and queues the overt reply); a code word
    alone raises duress here and becomes `processed` (no reply)."""
    plea = find_plea(msg.text.replace(REDACTED, " ")) is not None
    if not (plea or duress):
        audit.record("sms-ignored", ctx.now(), actor="sms", message=msg,
                     summary=f"message {msg.id} from an unregistered number ignored")
        return
    if not may_raise(msg):  # stays `ignored` and not duress: it raised nothing
        audit.record("sms-ignored", ctx.now(), actor="flood", message=msg,
                     summary=f"message {msg.id} from an unregistered number: "
                             f"{'code word' if duress else 'plea'} raises nothing new, "
                             f"{F.UNKNOWN_ALARMS_MAX} red alarms from this number within the hour")
        return
    msg.duress = duress
    msg.state = "received" if plea else "processed"
    msg.save()
    audit.record("sms-received", ctx.now(), actor=f"sms:{msg.number}", message=msg,
                 summary=f"message {msg.id} from an unregistered number received"
                         + (" (duress)" if duress else " (plea)"))
    if duress:
        flood.raise_or_join(ctx, msg, L.DURESS, f"code word in a text from {lookup.unknown_name(msg.number)} (message {msg.id})")
