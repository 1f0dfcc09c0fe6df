"""The one path from "something happened" to stored facts: used by the CLI, the gateway and the UI.

Every public function takes a `Context` (config + clock; the database is the one bound by
`kiosk.store.open_database`) and does its work in one transaction. Errors: `Invalid`/`NotFound`
(bad input, nothing written), `Refused` (the rules say no, nothing written).
"""

import importlib

from kiosk.services.context import Context
from kiosk.services.errors import Invalid, NotFound, Refused
from kiosk.services.tick import TickResult, tick  # not lazy: `tick` is also its module's name

# The rest is imported on first use (PEP 562): the reception UI's first frame needs none of the
# SMS path (the parser, phonenumbers' metadata, code words), and `kiosk ui` starts faster without.
_LAZY = {
    "ACTIONS": "alarms", "acknowledge": "alarms", "take_charge": "alarms",
    "ProcessResult": "inbound", "pending": "inbound", "process_message": "inbound", "receive_sms": "inbound",
    "sms_in": "inbound",
    "claim_next": "outbox", "mark_delivered_by_ref": "delivery", "mark_failed": "delivery", "mark_sending": "outbox",
    "mark_sent": "outbox", "next_outgoing": "outbox", "outbox_size": "outbox", "recover_in_flight": "outbox",
    "add_phone": "people", "add_register_entry": "people", "add_staff": "people", "list_phones": "people",
    "list_register": "people", "list_staff": "people",
    "BoardRow": "queries", "alarm_history": "queries", "board": "queries", "ignored_count": "queries", "list_alarms": "queries",
    "list_messages": "queries", "warnings": "queries",
    "Contact": "contact", "SignOut": "visits", "approve": "visits", "check_in_by_phone": "visits",
    "duress_by_phone": "visits", "extend": "visits", "mark_back": "visits", "sign_out": "visits",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "ACTIONS", "BoardRow", "Contact", "Context", "Invalid", "NotFound", "ProcessResult", "Refused", "SignOut",
    "TickResult", "acknowledge", "add_phone", "alarm_history", "add_register_entry", "add_staff", "approve", "board",
    "check_in_by_phone", "duress_by_phone", "extend", "ignored_count", "list_alarms", "list_messages",
    "list_phones", "list_register", "list_staff", "mark_back", "mark_delivered_by_ref", "mark_failed",
    "claim_next", "mark_sending", "mark_sent", "next_outgoing", "outbox_size", "pending", "process_message",
    "receive_sms", "recover_in_flight", "sign_out", "sms_in", "take_charge", "tick", "warnings",
]
