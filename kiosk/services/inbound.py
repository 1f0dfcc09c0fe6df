"""One SMS in: store it (code words redacted, duress raised), then process it exactly once.

`receive_sms` is what the gateway calls before it deletes the SMS from the modem: one transaction
stores the message and, if a code word is in it, the red duress alarm and its alerts. Only then is
the text safe to lose from the SIM. `process_message` parses and applies it; it marks the message
`processed` in the same transaction as its effects, so a crash in between leaves it `received`
and a second call does nothing. Under duress the command is worked out and its reply queued,
but every effect is rolled back: the sender sees the normal reply, nothing on the board moves.

This module must never store or send a code word, nor reply to an unregistered number except to
confirm a plea for help (`kiosk.services.strangers`: a plea or a code word from an unknown number
raises red).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from kiosk.domain import commands as C
from kiosk.domain import ladder as L
from kiosk.domain import replies
from kiosk.domain.codewords import REDACTED, find_code_words, redact
from kiosk.domain.parser import COMMANDS_HELP, parse_command
from kiosk.domain.phones import normalise_sender
from kiosk.domain.times import DueError, resolve_due
from kiosk.services import alarms, audit, flood, lookup, selftest, strangers, visits
from kiosk.services.context import Context
from kiosk.services.errors import Invalid, Refused
from kiosk.store.models import Alarm, Message

MAX_TEXT = 2000  # longer texts are cut before storage (a concatenated SMS is at most a few k)


@dataclass
class ProcessResult:
    """What processing one inbound message did."""

    message: Message
    processed: bool  # False: it had been processed (or ignored) already, nothing done now
    command: C.Command | None = None
    reply: Message | None = None
    duress: bool = False
    alarms: list[Alarm] = field(default_factory=list)
    reply_held: bool = False  # its number floods: the reply was stored, not sent (see services.flood)
    error: Exception | None = None  # receive_and_process(reraise=False): processing failed, the text is stored


def receive_sms(ctx: Context, number: str, text: str, *, received_at: datetime | None = None,
                fingerprint: str | None = None) -> tuple[Message, bool]:
    """Store one inbound SMS; returns (message, created). Idempotent on `fingerprint`.

    A code word (any member's standing one, any open visit's) is replaced by "[code word]" and
    raises a red duress alarm with alerts to the receivers not on the sender's visit. From an
    unregistered number anything but a plea or a code word is stored as `ignored` and gets no
    reply (`kiosk.services.strangers`)."""
    with ctx.atomic():
        msg, created, _ = _store(ctx, number, text, received_at, fingerprint)
    return msg, created


def _store(ctx: Context, number: str, text: str, received_at: datetime | None,
           fingerprint: str | None) -> tuple[Message, bool, lookup.Sender | None]:
    """receive_sms inside the caller's transaction; also returns who sent it (None if not created)."""
    text = (text if isinstance(text, str) else str(text))[:MAX_TEXT]
    number = normalise_sender(number)
    received_at = received_at or ctx.now()
    if fingerprint:
        existing = Message.get_or_none(Message.fingerprint == fingerprint)
        if existing is not None:
            return existing, False, None
    test = selftest.recognise(ctx, text, received_at)  # the kiosk's own loop-back text: never a command
    if test is not None:
        return selftest.store_reply(ctx, test, number, text, received_at, fingerprint), True, None
    words = lookup.live_code_words()
    duress_words = find_code_words(text, words)
    sender = lookup.identify(number)
    registered = sender.registered
    msg = Message.create(direction="in", number=number, text=redact(text, words),
                         state="received" if registered else "ignored", created_at=received_at,
                         visit=sender.visit, staff=sender.staff, duress=bool(duress_words) and registered,
                         fingerprint=fingerprint or None)
    if not registered:
        strangers.receive(ctx, msg, bool(duress_words))  # a plea or a code word still raises red
        return msg, True, sender
    audit.record("sms-received", ctx.now(), actor=f"sms:{number}", message=msg, visit=sender.visit,
                 staff=sender.staff, summary=f"message {msg.id} received" + (" (duress)" if msg.duress else ""))
    if msg.duress:
        who = f"{sender.staff.name}" if sender.staff else "a registered phone"
        flood.raise_or_join(ctx, msg, L.DURESS, f"code word in a text from {who} (message {msg.id})",
                               visit=sender.visit, sender=sender.staff)
    return msg, True, sender


def process_message(ctx: Context, message_id: int) -> ProcessResult:
    """Apply one received message, exactly once."""
    with ctx.atomic():
        return _process(ctx, message_id)


def _process(ctx: Context, message_id: int, stored: Message | None = None,
             sender: lookup.Sender | None = None) -> ProcessResult:
    """process_message inside the caller's transaction. `stored` and `sender`: the message just
    stored in this same transaction and who sent it (saves reading them again)."""
    claimed = (Message.update(state="processed")
               .where((Message.id == message_id) & (Message.state == "received") & (Message.direction == "in"))
               .execute())
    if stored is not None and claimed:
        msg = stored
        msg.state = "processed"
    else:
        msg = Message.get_by_id(message_id)
    if not claimed:
        return ProcessResult(msg, processed=False)
    if sender is None:
        sender = lookup.identify(msg.number)
    command = parse_command(msg.text.replace(REDACTED, " "), max_minutes=ctx.max_extend_minutes)
    with ctx.atomic() as effects:
        reply, raised = _handle(ctx, command, sender, msg)
        if msg.duress:
            effects.rollback()  # exactly the normal reply, and nothing applied
            raised = []
    reply_msg, held = None, False
    if reply:
        reply_msg, held = flood.queue_reply(ctx, msg, replies.fit(reply), visit=sender.visit, staff=sender.staff)
    audit.record("sms-processed", ctx.now(), actor=f"sms:{msg.number}", message=msg, visit=sender.visit,
                 staff=sender.staff, summary=f"message {msg.id}: {type(command).__name__}"
                                             + (" under duress: nothing applied" if msg.duress else ""))
    return ProcessResult(msg, True, command, reply_msg, msg.duress, raised, reply_held=held)


def sms_in(ctx: Context, number: str, text: str, *, received_at: datetime | None = None,
           fingerprint: str | None = None) -> ProcessResult:
    """Receive and process one SMS: the whole path `kiosk sms-in` and the gateway use."""
    return receive_and_process(ctx, number, text, received_at=received_at, fingerprint=fingerprint)[0]


def receive_and_process(ctx: Context, number: str, text: str, *, received_at: datetime | None = None,
                        fingerprint: str | None = None, reraise: bool = True) -> tuple[ProcessResult, bool]:
    """Store one SMS and apply it in ONE transaction (one commit, one fsync); returns (result, created).

    The same guarantees as receive_sms then process_message: processing runs in a savepoint, so
    if it fails the stored message (and any duress alarm) is still committed, left `received` for
    `pending()` to retry, and the exception is raised after the commit (`reraise=False`: returned
    in the result's `error` instead). An exception while storing is always raised: nothing was
    committed. Processed exactly once: the `processed` mark commits with its effects."""
    failure: Exception | None = None
    with ctx.atomic():
        msg, created, sender = _store(ctx, number, text, received_at, fingerprint)
        if msg.state != "received":
            return ProcessResult(msg, processed=False, duress=msg.duress), created
        try:
            with ctx.atomic():
                result = _process(ctx, msg.id, msg if created else None, sender)
        except Exception as exc:  # noqa: BLE001 - re-raised once the text itself is committed
            failure = exc
            msg.state = "received"
    if failure is not None:
        if reraise:
            raise failure
        return ProcessResult(msg, processed=False, duress=msg.duress, error=failure), created
    return result, created


def pending(ctx: Context) -> list[int]:
    """Ids of messages received but not yet processed (e.g. after a crash): the gateway processes
    these on start."""
    return [m.id for m in Message.select(Message.id).where((Message.direction == "in")
                                                            & (Message.state == "received")).order_by(Message.id)]


# --- what each command does ------------------------------------------------------------------

def _handle(ctx: Context, cmd: C.Command, sender: lookup.Sender, msg: Message) -> tuple[str, list[Alarm]]:
    """Apply `cmd` from `sender`; returns (reply text, alarms raised)."""
    now, tz = ctx.now(), ctx.tz
    visit = sender.visit
    actor = f"sms:{sender.number}"

    if isinstance(cmd, C.Ack) and cmd.plea and not sender.reads_ack_as_taking_charge:
        cmd = C.Sos(plea="ack")  # "ACK help" from someone who cannot take charge is a plea
    if isinstance(cmd, C.Sos):
        return _sos(ctx, sender, msg)
    if not sender.registered:  # only a plea from an unknown number is ever processed; never answered else
        return "", []
    if isinstance(cmd, C.Ack) and sender.staff is not None and sender.staff.receives_alerts:
        reply, _ = alarms.take_charge(ctx, sender.staff, cmd.alarm_id, number=sender.number)
        if reply is not None:
            return reply, []
        if cmd.plea:  # an ACK about the sender's own alarm takes nothing; its plea still counts
            return _sos(ctx, sender, msg)
        # an ACK about the sender's own alarm takes nothing: answered below as any other text
    if isinstance(cmd, C.Out):
        return _out(ctx, cmd, sender), []
    if isinstance(cmd, C.Commands):
        if visit is not None:
            visits.record_contact(ctx, visit, actor=actor, how="asked for commands")
        return COMMANDS_HELP, []
    if visit is None:
        needs_visit = (C.Arrived, C.CheckIn, C.Extend, C.Leaving, C.Back, C.Status)
        if isinstance(cmd, needs_visit):
            return replies.no_visit(), []
        return (cmd.reason if isinstance(cmd, C.Malformed) else replies.noted()), []

    contact = visits.record_contact(ctx, visit, actor=actor, how=type(cmd).__name__.lower())
    if isinstance(cmd, C.Arrived):
        visits.set_state(ctx, visit, "on-site", actor=actor)
        return replies.arrived(now, visit.due_back, tz), []
    if isinstance(cmd, C.Leaving):
        visits.set_state(ctx, visit, "leaving", actor=actor)
        return replies.leaving(now, visit.due_back, tz), []
    if isinstance(cmd, C.CheckIn):
        return replies.checked_in(now, visit.due_back, tz), []
    if isinstance(cmd, C.Status):
        return replies.status(visit.id, visit.state, visit.due_back, visit.last_contact_at, tz), []
    if isinstance(cmd, C.Extend):
        try:
            new_due = resolve_due(cmd.due, now, tz, max_ahead_minutes=ctx.max_extend_minutes)
        except DueError as exc:
            return _with_new_due(str(exc), contact, tz), []
        if cmd.more_time and contact.old_due > now:  # "EXTEND 20" adds to due-back, never shortens it
            new_due = contact.old_due + (new_due - now)
        visits.set_due(ctx, visit, new_due, actor=actor)
        return replies.extended(contact.old_due, new_due, tz), []
    if isinstance(cmd, C.Back):
        reds = visits.open_red_kinds(visit)
        if reds:
            # Red is ended by a person, never by a text: the visit stays on the board. A duress
            # alarm is never revealed to the phone (it may not be in the member's hands).
            if visit.back_claimed_at is None:  # held: no new amber or reminder; closes when red is resolved
                visit.back_claimed_at = now
                visit.save()
            audit.record("back-claimed", now, actor=actor, visit=visit,
                         summary=f"visit {visit.id}: BACK texted while a red alarm is open; held until it is resolved")
            if reds <= {L.DURESS}:
                return replies.back_closed(visit.id, now, tz), []
            return replies.back_alarm_open(now, tz), []
        visits.close(ctx, visit, actor=actor)
        return replies.back_closed(visit.id, now, tz), []
    if isinstance(cmd, C.Malformed):
        return _with_new_due(cmd.reason, contact, tz), []
    # Note, and ACK from someone who is not an alert receiver: contact
    if contact.rearmed:
        return replies.noted_new_due(contact.new_due, tz), []
    return replies.noted(), []


def _sos(ctx: Context, sender: lookup.Sender, msg: Message) -> tuple[str, list[Alarm]]:
    """A plea: red SOS at once, the overt reply. Never contact (issue 14 item 1): the amber stays,
    due-back and last contact do not move."""
    if sender.staff is not None:
        who = sender.staff.name
    else:
        who = "a registered phone" if sender.registered else lookup.unknown_name(sender.number)
    alarm = flood.raise_or_join(ctx, msg, L.SOS, f"SOS text from {who} (message {msg.id})",
                                   visit=sender.visit, sender=sender.staff)
    return replies.sos_confirmed(ctx.now(), ctx.tz), [alarm]


def _with_new_due(reason: str, contact: visits.Contact, tz) -> str:
    """A refused command still counted as contact: if that re-armed due-back, say so."""
    if not contact.rearmed:
        return reason
    extra = f" Now due back {replies.hhmm(contact.new_due, tz)}."
    return reason + extra if len(replies.gsm_safe(reason + extra)) <= replies.SEGMENT else reason


def _out(ctx: Context, cmd: C.Out, sender: lookup.Sender) -> str:
    if sender.visit is not None:
        visit = sender.visit
        visits.record_contact(ctx, visit, actor=f"sms:{sender.number}", how="OUT while out")
        return replies.out_already_open(visit.id, visit.due_back, ctx.tz)
    if not ctx.config.visits.allow_start_by_text:
        return replies.out_disabled()
    if sender.staff is None:
        return replies.out_refused("only a staff mobile can start a visit by text")
    try:
        due = resolve_due(cmd.due, ctx.now(), ctx.tz, max_ahead_minutes=ctx.max_extend_minutes)
    except DueError as exc:
        return str(exc)
    try:
        result = visits.sign_out(ctx, [sender.staff], cmd.place, due, started_by="sms")
    except (Invalid, Refused) as exc:
        return replies.out_refused(str(exc))
    return replies.out_started(result.visit.id, due, ctx.tz)
