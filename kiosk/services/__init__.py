"""The one path from "something happened" to stored facts: used by the CLI, the gateway and the UI.

Every public function takes a `Context` (config + clock; the database is the one bound by
`kiosk.store.open_database`) and does its work in one transaction. Errors: `Invalid`/`NotFound`
(bad input, nothing written), `Refused` (the rules say no, nothing written).
"""

from kiosk.services.alarms import ACTIONS, acknowledge, take_charge
from kiosk.services.context import Context
from kiosk.services.errors import Invalid, NotFound, Refused
from kiosk.services.inbound import ProcessResult, pending, process_message, receive_sms, sms_in
from kiosk.services.outbox import (
    claim_next, mark_delivered_by_ref, mark_failed, mark_sending, mark_sent, next_outgoing, outbox_size,
    recover_in_flight,
)
from kiosk.services.people import add_phone, add_register_entry, add_staff, list_phones, list_register, list_staff
from kiosk.services.queries import BoardRow, board, ignored_count, list_alarms, list_messages, warnings
from kiosk.services.tick import TickResult, tick
from kiosk.services.visits import (
    Contact, SignOut, approve, check_in_by_phone, duress_by_phone, extend, mark_back, sign_out,
)

__all__ = [
    "ACTIONS", "BoardRow", "Contact", "Context", "Invalid", "NotFound", "ProcessResult", "Refused", "SignOut",
    "TickResult", "acknowledge", "add_phone", "add_register_entry", "add_staff", "approve", "board",
    "check_in_by_phone", "duress_by_phone", "extend", "ignored_count", "list_alarms", "list_messages",
    "list_phones", "list_register", "list_staff", "mark_back", "mark_delivered_by_ref", "mark_failed",
    "claim_next", "mark_sending", "mark_sent", "next_outgoing", "outbox_size", "pending", "process_message",
    "receive_sms", "recover_in_flight", "sign_out", "sms_in", "take_charge", "tick", "warnings",
]
