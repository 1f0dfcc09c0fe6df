"""What a site publishes to its trust: an allow-list of tables and columns, and why the rest stays home.

This is the one place that decides what leaves a school. It must never list a code-word column, nor
any column that can hold a code word in clear or free text typed by people (an inbound SMS body, a
multi-part SMS's raw parts, notes, outcomes), nor addresses, phone numbers or PIN hashes: the trust
view shows what the reception board shows, masked as it is. Every column of every model is either
published here or withheld with a reason (tests/trust/test_published.py holds both lists against
the models, so a new column stays home until someone decides).

Logical replication's column lists (PostgreSQL 15+) send only the listed columns, in the initial
copy and in every change after it; the `id` primary key (the replica identity) is always listed, so
updates and deletes replicate too.
"""

from __future__ import annotations

PUBLICATION = "kiosk_trust"

# table -> published columns (id first: the replica identity)
PUBLISHED: dict[str, tuple[str, ...]] = {
    "staff": ("id", "name", "role", "receives_alerts", "active", "created_at"),
    "visit": ("id", "label", "purpose", "started_by", "created_at", "left_at", "due_back", "check_in_minutes",
              "last_contact_at", "state", "ended_at", "approved_at",
              "objective_achieved", "follow_up_needed", "safeguarding_concern"),
    "visit_member": ("id", "visit_id", "staff_id"),
    "alarm": ("id", "visit_id", "kind", "level", "raised_at", "parent_id", "owner_id", "owner_at",
              "acknowledged_by", "acknowledged_at", "action", "resolved_at", "resolved_by",
              "last_alert_at", "alert_count"),
    "gateway_health": ("id", "heartbeat_at", "started_at", "stopped_at", "modem_connected", "modem_gone_at",
                       "modem_back_at", "signal_bars", "registration", "last_exchange_at", "queue_length"),
    "schema_version": ("version", "applied_at"),
}

_CODE_WORD = "a code word in clear"
_ADDRESS = "an address (the board shows the generated label only)"
_PHONE = "a phone number"
_FREE_TEXT = "free text typed by people: it could hold anything, a code word included"
_NOT_NEEDED = "not shown on the trust view (data minimisation)"
_SITE_ONLY = "the site's own SMS checks (self-test, credit, watchdog): its board and kiosk doctor show them"

# table -> {column: why it is not published}, for tables that are published in part
WITHHELD_COLUMNS: dict[str, dict[str, str]] = {
    "staff": {"code_word": _CODE_WORD, "mobile": _PHONE, "vehicle_reg": _NOT_NEEDED,
              "vehicle_make": _NOT_NEEDED, "vehicle_colour": _NOT_NEEDED, "approver": _NOT_NEEDED,
              "alert_tier": "who is told first of an alarm: " + _NOT_NEEDED},
    "visit": {"code_word": _CODE_WORD, "place": _ADDRESS, "home_phone": _PHONE,
              "family_ref": "identifies a family: " + _NOT_NEEDED, "travel": _FREE_TEXT, "vehicle": _FREE_TEXT,
              "vehicle_make": _FREE_TEXT, "vehicle_colour": _FREE_TEXT,
              "outcome": _FREE_TEXT, "approved_by": _NOT_NEEDED, "ended_by": _NOT_NEEDED,
              "back_claimed_at": "a BACK held while a red alarm is open: the site's alarm view shows it; "
                                 + _NOT_NEEDED},
    "visit_member": {"phone_number": _PHONE},
    "alarm": {"summary": "built from messages and modem errors (names, numbers): " + _NOT_NEEDED,
              "note": _FREE_TEXT, "police_ref": _NOT_NEEDED,
              "missed_at": "which check-in was missed, for the site's alert wording: " + _NOT_NEEDED,
              "alert_tier": "the site's escalation through its alert receivers: " + _NOT_NEEDED,
              "tier_at": "the site's escalation through its alert receivers: " + _NOT_NEEDED},
    "gateway_health": {"pid": _NOT_NEEDED, "port": _NOT_NEEDED, "signal_dbm": _NOT_NEEDED,
                       "operator": _NOT_NEEDED, "sim_state": _NOT_NEEDED, "modem_model": _NOT_NEEDED,
                       "last_error": "modem error text: " + _NOT_NEEDED, "last_error_at": _NOT_NEEDED,
                       "clock_source": _NOT_NEEDED, "clock_warning": _NOT_NEEDED, "sound_warning": _NOT_NEEDED,
                       **{column: _SITE_ONLY for column in (
                           "selftest_sent_at", "selftest_received_at", "selftest_due_by", "selftest_proven_at",
                           "selftest_note", "access_technology", "credit", "credit_amount", "credit_at",
                           "credit_note", "sent_this_month", "watchdog_step", "watchdog_count", "watchdog_at",
                           "watchdog_reason")}},
    "schema_version": {},
}

# tables never published at all, and why
WITHHELD_TABLES: dict[str, str] = {
    "message": "SMS bodies: a code word only known later (a changed or former one) is in clear; numbers",
    "sms_part": "raw parts of multi-part SMS before redaction: code words in clear",
    "event": "the audit trail's summaries are free text about people; the site keeps its own record",
    "register_entry": "addresses and reasons for the don't-visit-alone register",
    "phone": _PHONE,
    "reception_user": "PIN hashes",
    "self_test": "the site's loop-back self-tests: their texts and tokens stay home",
    "alarm_action": "every step taken about an alarm: police references and notes typed by people ("
                    + _FREE_TEXT + "); the published alarm row carries its latest action",
}


def column_list_sql(table: str) -> str:
    """`visit (id, label, ...)` for CREATE/ALTER PUBLICATION (names are ours, fixed, lower case)."""
    return f'"{table}" (' + ", ".join(f'"{c}"' for c in PUBLISHED[table]) + ")"
