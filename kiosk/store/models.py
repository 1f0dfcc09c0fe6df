"""The tables of kiosk: staff, phones, visits, the register, messages, alarms and the audit trail.

Models are declarations only: no rules, no queries beyond what peewee gives. They must never store
a code word anywhere but Staff.code_word / Visit.code_word, and never store times other than aware
UTC (see UtcDateTimeField).
"""

from __future__ import annotations

from datetime import datetime, timezone

from typing import TYPE_CHECKING, Any

import peewee

from kiosk.store.db import database_proxy

UTC = timezone.utc


class UtcDateTimeField(peewee.DateTimeField):
    """Aware UTC datetimes in, aware UTC datetimes out.

    Stored as naive UTC ('YYYY-MM-DD HH:MM:SS[.ffffff]'), which sorts and compares correctly as text
    in SQLite and maps to `timestamp` in PostgreSQL. A naive datetime is refused: it is a bug."""

    if TYPE_CHECKING:  # on a row it is the value (peewee's field accessor): say so to the type checker
        def __get__(self, instance: Any, owner: Any) -> Any: ...
        def __set__(self, instance: Any, value: Any) -> None: ...

    def db_value(self, value: Any) -> Any:
        if isinstance(value, datetime):
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"{self.name}: naive datetime refused, store aware UTC")
            value = value.astimezone(UTC).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value: Any) -> Any:
        value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class BaseModel(peewee.Model):
    # What peewee adds at run time, declared for the type checker (annotations only: peewee reads
    # fields from the class body's values, so these change nothing): the primary key, and each
    # foreign key's `<name>_id` in the models below. Any, like every peewee field (peewee ships no
    # types): `Visit.id` is a field in a query, `visit.id` an int on a row.
    id: Any

    class Meta:
        database = database_proxy
        legacy_table_names = False


class Staff(BaseModel):
    """A member of staff: may go out on visits (needs a code word) and/or receive alerts."""

    name = peewee.CharField(unique=True)
    mobile = peewee.CharField(unique=True, null=True)  # E.164
    role = peewee.CharField(default="")
    receives_alerts = peewee.BooleanField(default=False)
    code_word = peewee.CharField(null=True)  # normalised; never printed, never in a message
    vehicle_reg = peewee.CharField(default="")
    vehicle_make = peewee.CharField(default="")  # make and model
    vehicle_colour = peewee.CharField(default="")
    active = peewee.BooleanField(default=True)
    created_at = UtcDateTimeField()
    approver = peewee.BooleanField(default=False)  # may approve visits (a senior leader); v6
    alert_tier = peewee.IntegerField(default=1)  # v9: 1 is told first, 2 if nobody takes charge... (issue 18)


class Phone(BaseModel):
    """A school mobile that staff may carry instead of their own."""

    number = peewee.CharField(unique=True)  # E.164
    label = peewee.CharField(default="")
    active = peewee.BooleanField(default=True)
    created_at = UtcDateTimeField()


class Visit(BaseModel):
    """One home visit, from sign-out to back. `label` is generated (never typed from the address)."""

    label = peewee.CharField(default="")
    place = peewee.TextField()  # full address: never on the public board
    home_phone = peewee.CharField(default="")
    family_ref = peewee.CharField(default="")
    purpose = peewee.CharField(default="other")
    travel = peewee.CharField(default="")
    vehicle = peewee.CharField(default="")  # registration of the car taken, if given for this visit
    code_word = peewee.CharField(null=True)  # one word for this visit, else each member's own
    approved_by = peewee.CharField(null=True)  # the first approver's name (later approvals: the audit trail)
    approved_at = UtcDateTimeField(null=True)
    started_by = peewee.CharField(default="kiosk")  # kiosk | cli | sms
    created_at = UtcDateTimeField()
    left_at = UtcDateTimeField()
    due_back = UtcDateTimeField()
    check_in_minutes = peewee.IntegerField(null=True)
    last_contact_at = UtcDateTimeField(null=True)
    state = peewee.CharField(default="out", index=True)  # out | on-site | leaving | back
    ended_at = UtcDateTimeField(null=True, index=True)
    ended_by = peewee.CharField(null=True)
    outcome = peewee.TextField(default="")
    # The post-visit questions (asked when reception marks the visit back; each may be left unanswered).
    objective_achieved = peewee.CharField(null=True)  # yes | partly | no
    follow_up_needed = peewee.BooleanField(null=True)
    safeguarding_concern = peewee.BooleanField(null=True)  # details go to the safeguarding system, not here
    # The car given for this visit (`vehicle` is its registration): v6. Blank: a member's own car.
    vehicle_make = peewee.CharField(default="")  # make and model
    vehicle_colour = peewee.CharField(default="")
    # v8: BACK texted while a red alarm was open: held (no reminders, no new amber); the visit
    # closes when reception resolves the alarm.
    back_claimed_at = UtcDateTimeField(null=True)


class VisitMember(BaseModel):
    """A member of staff on a visit and the phone number they carry (default: their own mobile)."""

    visit = peewee.ForeignKeyField(Visit, backref="members", on_delete="CASCADE")
    visit_id: Any
    staff = peewee.ForeignKeyField(Staff, backref="visits")
    staff_id: Any
    phone_number = peewee.CharField(null=True, index=True)  # E.164

    class Meta:
        indexes = ((("visit", "staff"), True),)


class RegisterEntry(BaseModel):
    """The "don't visit alone" / prohibited-places register: a flagged address or postcode."""

    address = peewee.TextField(default="")
    postcode = peewee.CharField(default="")  # normalised, e.g. "LU4 9AB"
    reason = peewee.TextField()
    prohibited = peewee.BooleanField(default=False)  # no visit at all, not even in pairs
    active = peewee.BooleanField(default=True)
    created_at = UtcDateTimeField()


class Alarm(BaseModel):
    """Something reception must act on. Amber may resolve by itself on contact; red never does."""

    visit = peewee.ForeignKeyField(Visit, backref="alarms", null=True)
    visit_id: Any
    kind = peewee.CharField()  # overdue | missed-check-in | no-reply | duress | sos | send-failed
    level = peewee.CharField()  # amber | red
    raised_at = UtcDateTimeField()
    parent = peewee.ForeignKeyField("self", backref="children", null=True)  # the amber a no-reply came from
    parent_id: Any
    summary = peewee.TextField(default="")  # what triggered it: never SMS text, never a code word
    owner = peewee.ForeignKeyField(Staff, backref="owned_alarms", null=True)  # ACK by SMS
    owner_id: Any
    owner_at = UtcDateTimeField(null=True)
    acknowledged_by = peewee.CharField(null=True)  # initials at the kiosk / CLI
    acknowledged_at = UtcDateTimeField(null=True)
    action = peewee.CharField(null=True)
    police_ref = peewee.CharField(null=True)
    note = peewee.TextField(null=True)
    resolved_at = UtcDateTimeField(null=True, index=True)
    resolved_by = peewee.CharField(null=True)
    last_alert_at = UtcDateTimeField(null=True)
    alert_count = peewee.IntegerField(default=0)
    # v8: what was missed, for the ladder's alarms: the due-back (overdue) or the check-in due
    # (missed-check-in); a no-reply keeps its amber's. Alert texts say it, never the time of a repeat.
    missed_at = UtcDateTimeField(null=True)
    # v9 (issue 18): the highest tier of alert receivers told and when (the climb decides from these)
    alert_tier = peewee.IntegerField(null=True)
    tier_at = UtcDateTimeField(null=True)


class Message(BaseModel):
    """Every SMS in and out. The outbox is the rows with direction 'out' and state 'queued'."""

    direction = peewee.CharField()  # in | out
    number = peewee.CharField()
    text = peewee.TextField()  # code words already replaced by "[code word]"
    state = peewee.CharField()  # received processed ignored | queued sending sent failed delivered
    error = peewee.TextField(null=True)
    kind = peewee.CharField(null=True)  # out: reply | reminder | alert | stand-down | report
    priority = peewee.IntegerField(default=5)  # lower is sent first: alerts 0
    attempts = peewee.IntegerField(default=0)
    next_attempt_at = UtcDateTimeField(null=True)
    modem_ref = peewee.IntegerField(null=True)  # TP-MR, to match delivery reports
    created_at = UtcDateTimeField()
    sent_at = UtcDateTimeField(null=True)
    delivered_at = UtcDateTimeField(null=True)
    visit = peewee.ForeignKeyField(Visit, backref="messages", null=True)
    visit_id: Any
    alarm = peewee.ForeignKeyField(Alarm, backref="messages", null=True)
    alarm_id: Any
    staff = peewee.ForeignKeyField(Staff, backref="messages", null=True)  # sender / recipient
    staff_id: Any
    duress = peewee.BooleanField(default=False)
    fingerprint = peewee.CharField(unique=True, null=True)  # exactly-once inbound

    class Meta:
        indexes = ((("direction", "state", "priority"), False), (("number", "created_at"), False))


class Event(BaseModel):
    """The audit trail: append-only, ids and short summaries, never SMS text or code words.

    Ids are plain integers (no foreign keys) so that the trail outlives what it refers to."""

    at = UtcDateTimeField()
    kind = peewee.CharField(index=True)
    visit_id = peewee.IntegerField(null=True, index=True)
    alarm_id = peewee.IntegerField(null=True)
    staff_id = peewee.IntegerField(null=True)
    message_id = peewee.IntegerField(null=True)
    actor = peewee.CharField(default="")  # "kiosk:AB", "cli:AB", "sms:+447700900123", "ladder"
    summary = peewee.TextField(default="")


ALL_MODELS: list[type[BaseModel]] = [
    Staff, Phone, Visit, VisitMember, RegisterEntry, Alarm, Message, Event,
]


class GatewayHealth(BaseModel):
    """The gateway's heartbeat and modem status: one row (id 1), rewritten by the gateway, read by
    the board. Never holds message text, numbers or code words."""

    heartbeat_at = UtcDateTimeField(null=True)
    pid = peewee.IntegerField(null=True)
    started_at = UtcDateTimeField(null=True)
    stopped_at = UtcDateTimeField(null=True)  # set on a clean shutdown
    port = peewee.CharField(default="")
    modem_connected = peewee.BooleanField(default=False)
    modem_gone_at = UtcDateTimeField(null=True)  # start of the current (or last) outage
    modem_back_at = UtcDateTimeField(null=True)
    signal_bars = peewee.IntegerField(null=True)  # 0..5
    signal_dbm = peewee.IntegerField(null=True)
    operator = peewee.CharField(default="")
    registration = peewee.CharField(default="")
    sim_state = peewee.CharField(default="")
    modem_model = peewee.CharField(default="")
    last_exchange_at = UtcDateTimeField(null=True)
    queue_length = peewee.IntegerField(default=0)
    last_error = peewee.TextField(null=True)
    last_error_at = UtcDateTimeField(null=True)
    clock_source = peewee.CharField(default="system")  # system | network | floor
    clock_warning = peewee.TextField(null=True)
    sound_warning = peewee.TextField(null=True)
    # v7 (issue 17): the loop-back self-test as the board judges it (kiosk.domain.selftest)
    selftest_sent_at = UtcDateTimeField(null=True)  # the latest self-test text went to the modem
    selftest_received_at = UtcDateTimeField(null=True)  # the latest one that came back
    selftest_due_by = UtcDateTimeField(null=True)  # not back by then: the SMS link is down
    selftest_proven_at = UtcDateTimeField(null=True)  # a text from staff since proved the path
    selftest_note = peewee.TextField(null=True)  # why there is no self-test (off, no own number)
    access_technology = peewee.CharField(default="")  # GSM | UMTS | LTE ... (AT+COPS? / AT+CREG=2)
    credit = peewee.CharField(null=True)  # the SIM's credit as the network said it, e.g. "£4.20"
    credit_amount = peewee.FloatField(null=True)
    credit_at = UtcDateTimeField(null=True)
    credit_note = peewee.TextField(null=True)  # e.g. "this modem cannot do USSD"
    sent_this_month = peewee.IntegerField(default=0)
    watchdog_step = peewee.CharField(default="")  # the last rung of the reset ladder climbed
    watchdog_count = peewee.IntegerField(default=0)  # rungs climbed since the gateway started
    watchdog_at = UtcDateTimeField(null=True)
    watchdog_reason = peewee.TextField(null=True)

    class Meta:
        table_name = "gateway_health"


class SmsPart(BaseModel):
    """One received part of a multi-part SMS, kept until the whole message is stored (then marked
    done in the same transaction). The gateway's durable PartStore for kiosk.devices.concat."""

    key = peewee.CharField()
    seq = peewee.IntegerField()
    total = peewee.IntegerField()
    text = peewee.TextField()
    received_at = UtcDateTimeField()
    done_at = UtcDateTimeField(null=True)  # the whole message is stored: kept a day to spot re-listed parts

    class Meta:
        table_name = "sms_part"
        primary_key = peewee.CompositeKey("key", "seq")


ALL_MODELS += [GatewayHealth, SmsPart]


class ReceptionUser(BaseModel):
    """A person at reception with a short personal PIN (set by an admin): acknowledging, marking
    back and extending at the kiosk ask for it and record the initials. Only the salted hash is kept."""

    initials = peewee.CharField(unique=True)  # upper case, e.g. "AB"
    name = peewee.CharField(default="")
    pin_hash = peewee.CharField()  # kiosk.security.pins.hash_pin: never the PIN
    active = peewee.BooleanField(default=True)
    created_at = UtcDateTimeField()

    class Meta:
        table_name = "reception_user"


ALL_MODELS += [ReceptionUser]


class SelfTest(BaseModel):
    """One loop-back self-test: asked for (daily schedule or `kiosk selftest`), its text queued to
    the SIM's own number (`message`), and the text that came back (`reply`). The token is one-off
    and is all that is in the text; it proves which test came back."""

    token = peewee.CharField(unique=True)
    requested_at = UtcDateTimeField()
    requested_by = peewee.CharField(default="schedule")  # schedule | cli | start
    message = peewee.ForeignKeyField(Message, null=True, on_delete="SET NULL", backref="+")  # the text sent
    message_id: Any
    reply = peewee.ForeignKeyField(Message, null=True, on_delete="SET NULL", backref="+")  # the text back
    reply_id: Any
    received_at = UtcDateTimeField(null=True)
    note = peewee.TextField(null=True)  # why it was not sent (no own number, switched off)

    class Meta:
        table_name = "self_test"


ALL_MODELS += [SelfTest]


class AlarmAction(BaseModel):
    """v8: every step taken about an alarm, in order: who took charge by text, each acknowledgement
    at the kiosk or `kiosk ack` (the alarm row keeps only the latest), an extension or a contact that
    resolved an amber. The record (export, report, timeline) reads the whole history from here."""

    alarm = peewee.ForeignKeyField(Alarm, backref="actions", on_delete="CASCADE")
    alarm_id: Any
    at = UtcDateTimeField()
    who = peewee.CharField(default="")  # initials at the kiosk / CLI, a receiver's name, "contact"
    action = peewee.CharField()  # took-charge | answered | no-answer | police | ... | extended | contact | back
    police_ref = peewee.CharField(null=True)
    note = peewee.TextField(null=True)
    actor = peewee.CharField(default="")  # as in the audit trail: "kiosk:AB", "sms:+44...", "ladder"

    class Meta:
        table_name = "alarm_action"


ALL_MODELS += [AlarmAction]
