"""Multi-part SMS and safety: a code word or SOS in the parts received so far acts at once.

A long text (one emoji makes a text UCS-2, 67 characters a part) may arrive part by part, minutes
apart, or never whole. Safety cannot wait: when the parts joined so far contain a code word, or
hold a plea for help (kiosk.domain.pleas), the gateway stores them now as the message (through
`receive_sms`, which raises duress in the same transaction) and processes it; when the rest
arrives, the same message row (same
fingerprint) gets the whole text and nothing is processed twice. This module never stores a code
word and never raises an alarm the whole text would not have raised.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from kiosk.domain import commands as C
from kiosk.domain import ladder as L
from kiosk.domain.codewords import find_code_words, redact
from kiosk.domain.parser import parse_command
from kiosk.domain.pleas import find_plea
from kiosk.domain.phones import normalise_sender
from kiosk.services import audit, flood, lookup, strangers
from kiosk.services.context import Context
from kiosk.store.models import Message


def fingerprint(key: str, first_received_at: datetime) -> str:
    """One multi-part message's id: its reassembly key and when its first stored part arrived."""
    raw = f"concat|{key}|{first_received_at.isoformat()}"
    return "c" + hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:31]


def needs_early_action(number: str, partial_text: str) -> bool:
    """True if the parts so far hold a live code word or a plea for help: from any number, since an
    unknown one raises red for either too (issue 14 item 5)."""
    if find_code_words(partial_text, lookup.live_code_words()):
        return True
    if find_plea(partial_text) is None:
        return False
    # A plea is an SOS, except "ACK 2 ... police" from an alert receiver at school: an ACK, it can wait
    return isinstance(parse_command(partial_text), C.Sos) \
        or not lookup.identify(normalise_sender(number)).reads_ack_as_taking_charge


def complete(ctx: Context, message: Message, whole_text: str) -> Message:
    """The rest of a message stored early has arrived: record the whole text (code words redacted);
    a code word that only the later parts held still raises duress (once)."""
    words = lookup.live_code_words()
    with ctx.atomic():
        message = Message.get_by_id(message.id)
        message.text = redact(whole_text, words)[:2000]
        sender = lookup.identify(message.number)
        raise_duress = bool(find_code_words(whole_text, words)) and not message.duress \
            and message.state != "ignored" and (sender.registered or strangers.may_raise(message))
        if raise_duress:
            if sender.staff is not None:
                who = sender.staff.name
            else:
                who = "a registered phone" if sender.registered else lookup.unknown_name(message.number)
            message.duress = True
            flood.raise_or_join(ctx, message, L.DURESS, f"code word in a text from {who} (message {message.id})",
                                visit=sender.visit, sender=sender.staff)
        message.save()
        audit.record("sms-completed", ctx.now(), actor="gateway", message=message,
                     summary=f"message {message.id}: the rest of a multi-part text arrived"
                             + (" (duress)" if raise_duress else ""))
    return message
