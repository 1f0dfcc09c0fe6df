"""Visit actions: sign-out, contact, extend, back, approve, and what reception hears by phone.

Every function here is one transaction that checks the rules before writing anything, so a refused
or invalid request leaves the database as it was. The checks that read the store (already out, the
lone-visit rule and the register, the visit still open, an open red alarm) run inside that
transaction, under the write lock (kiosk.store.db): a fact another process commits between a
check and its write would otherwise be written over (tests/services/test_race_guards.py). The
same functions serve the kiosk screen, the CLI and texts from staff (`kiosk.services.inbound`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kiosk.domain import ladder as L, limits
from kiosk.domain.visits import (OPEN_STATES, PURPOSES, REFUSE, WARN, Flag, matching_flags, near_flags, public_label,
                                 sign_out_verdict)
from kiosk.services import alarms, approval, audit, lookup
from kiosk.services.closing import close, has_open_red, open_red_kinds  # noqa: F401 - callers use visits.close
from kiosk.services.contact import Contact, record_contact  # noqa: F401 - visits.record_contact, visits.Contact
from kiosk.services.context import Context
from kiosk.services.errors import Invalid, NotFound, Refused
from kiosk.store.models import Alarm, RegisterEntry, Staff, Visit, VisitMember


@dataclass
class SignOut:
    visit: Visit
    warnings: list[str] = field(default_factory=list)


def get_open(visit_id: int) -> Visit:
    """The open visit `visit_id`, read now. Call it inside the transaction that writes to the visit,
    so "still open" holds until the commit (another process may be closing it)."""
    visit = Visit.get_or_none(Visit.id == visit_id)
    if visit is None:
        raise NotFound(f"no visit {visit_id}")
    if visit.state not in OPEN_STATES:
        raise Refused(f"visit {visit_id} is already over")
    return visit


def register_flags() -> list[Flag]:
    return [Flag(e.id, e.reason, e.address, e.postcode, e.prohibited)
            for e in RegisterEntry.select().where(RegisterEntry.active == True)]  # noqa: E712


def sign_out(ctx: Context, staff: list[Staff | str | int], place: str, due_back: datetime, *,
             check_in_minutes: int | None = None, approved_by: str | None = None,
             code_word: str | None = None, phones: dict[int, str] | None = None, home_phone: str = "",
             family_ref: str = "", purpose: str = "other", travel: str = "", vehicle: str = "",
             vehicle_make: str = "", vehicle_colour: str = "", started_by: str = "cli", by: str = "") -> SignOut:
    """Start a visit. Refused (nothing written) when the register or `lone_visits` says no, when a
    member has no code word (and the visit sets none), or is already out on another visit.
    `vehicle` (registration, or the car as typed), `vehicle_make`, `vehicle_colour`: a car taken for
    this visit; left blank, a member's own car on record is the car used (kiosk.domain.cars).

    `approved_by`: an approver not on the visit (kiosk.services.approval), else the visit starts
    unapproved, which `visits.approval = "require"` refuses unless it was started by text.
    `staff`: Staff rows, names or ids. `phones`: staff id -> E.164 number carried, default each
    member's own mobile. `due_back`: aware UTC, in the future and within max_extend_minutes."""
    now = ctx.now()
    people = [_staff(s) for s in staff]
    if len({p.id for p in people}) != len(people):
        raise Invalid("the same member of staff is listed twice")
    place = _free_text(place, "the place", limits.PLACE)
    if not place:
        raise Invalid("--place is required: the full address of the visit")
    home_phone = _free_text(home_phone, "the home phone", limits.HOME_PHONE)
    family_ref = _free_text(family_ref, "the family reference", limits.FAMILY_REF)
    travel, vehicle = _free_text(travel, "travel", limits.TRAVEL), _free_text(vehicle, "the vehicle", limits.VEHICLE)
    vehicle_make = _free_text(vehicle_make, "the vehicle make/model", limits.VEHICLE_MAKE)
    vehicle_colour = _free_text(vehicle_colour, "the vehicle colour", limits.VEHICLE_COLOUR)
    approved_by = _free_text(approved_by, "approved by", limits.BY) or None
    if purpose not in PURPOSES:
        raise Invalid(f"unknown purpose {purpose!r}: use one of {', '.join(PURPOSES)}")
    if due_back <= now:
        raise Invalid("due back must be in the future")
    if due_back > now + timedelta(minutes=ctx.max_extend_minutes):
        raise Invalid(f"due back more than {ctx.max_extend_minutes} minutes ahead is not accepted")
    if check_in_minutes is not None and not 1 <= check_in_minutes <= 240:
        raise Invalid("check-in interval must be 1-240 minutes")
    if code_word is not None:
        code_word = _code_word(code_word)
    refuse_code_words({"the place": place, "the home phone": home_phone, "the family reference": family_ref,
                       "travel": travel, "the vehicle": vehicle, "the vehicle make/model": vehicle_make,
                       "the vehicle colour": vehicle_colour, "approved by": approved_by},
                      extra=[code_word] if code_word else [])
    phones = dict(phones or {})
    approval.check_required(ctx, approved_by, started_by)
    if check_in_minutes is None and ctx.config.visits.default_check_in_minutes:
        check_in_minutes = int(ctx.config.visits.default_check_in_minutes)
    with ctx.atomic():
        # The rules that guard the write are read under the write lock, in the same transaction:
        # a member signed out, deactivated or a place added to the register by another process a
        # moment ago is seen here, never decided on from an earlier read.
        people = [_staff(p.id) for p in people]
        for person in people:
            if not person.active:
                raise Refused(f"{person.name} is not active")
            if not person.code_word and not code_word:
                raise Refused(f"{person.name} has no code word: set one before going out")
            if lookup.open_visit_of_staff(person) is not None:
                raise Refused(f"{person.name} is already out on a visit")
            if not phones.get(person.id) and not person.mobile:
                raise Invalid(f"{person.name} has no mobile: give the phone carried")
        approver = approval.find_approver(approved_by, {p.id for p in people}) if approved_by else None
        flags = register_flags()
        verdict = sign_out_verdict(len(people), matching_flags(place, flags), ctx.config.visits.lone_visits,
                                   near_flags(place, flags))
        if verdict.outcome == REFUSE:
            raise Refused(verdict.reason)
        warnings = [verdict.reason] if verdict.outcome == WARN else []
        visit = Visit.create(place=place, home_phone=home_phone, family_ref=family_ref, purpose=purpose,
                             travel=travel, vehicle=vehicle, vehicle_make=vehicle_make,
                             vehicle_colour=vehicle_colour, code_word=code_word,
                             started_by=started_by, created_at=now, left_at=now, due_back=due_back,
                             check_in_minutes=check_in_minutes, state="out")
        visit.label = public_label(visit.id, place)
        visit.save()
        for person in people:
            VisitMember.create(visit=visit, staff=person, phone_number=phones.get(person.id) or person.mobile)
        actor = f"{started_by}:{by}" if by else started_by
        audit.record("visit-out", now, actor=actor, visit=visit,
                     summary=f"visit {visit.id} out, {len(people)} member(s), staff "
                             f"{','.join(str(p.id) for p in people)}" + (", unapproved" if approver is None else ""))
        if approver is not None:
            approval.record(ctx, visit, approver, actor=actor)
    return SignOut(visit, warnings)


def set_state(ctx: Context, visit: Visit, state: str, *, actor: str) -> None:
    """ARRIVED -> on-site, LEAVING -> leaving."""
    with ctx.atomic():
        visit.state = state
        visit.save()
        audit.record(f"visit-{state}", ctx.now(), actor=actor, visit=visit, summary=f"visit {visit.id} {state}")


OBJECTIVE_ANSWERS = ("yes", "partly", "no")


def mark_back(ctx: Context, visit_id: int, *, by: str, outcome: str = "", actor: str = "cli",
              objective_achieved: str | None = None, follow_up_needed: bool | None = None,
              safeguarding_concern: bool | None = None) -> Visit:
    """Reception records the visit as over, with the post-visit answers (each may be left None;
    details of a concern go to the safeguarding system, not here). Refused while a red alarm on it
    is unresolved: red is ended by an acknowledgement, so the board keeps showing it until then."""
    if objective_achieved is not None and objective_achieved not in OBJECTIVE_ANSWERS:
        raise Invalid(f"objective achieved: answer {', '.join(OBJECTIVE_ANSWERS)}")
    by = _by(by)
    refuse_code_words({"the note": outcome})
    with ctx.atomic():  # the visit is read, and its red alarms checked (in close), under the write lock
        visit = get_open(visit_id)
        visit.objective_achieved = objective_achieved
        visit.follow_up_needed = follow_up_needed
        visit.safeguarding_concern = safeguarding_concern
        close(ctx, visit, actor=f"{actor}:{by}", outcome=" ".join(outcome.split()))
    return visit


def extend(ctx: Context, visit_id: int, *, by: str, minutes: int | None = None, due: datetime | None = None,
           actor: str = "cli") -> Visit:
    """Reception moves due-back. Minutes are added to due-back (or to now, once it has passed), so
    "+30" never brings a visit forward. It is not contact from the member (issue 14 item 8: only
    their texts and missed calls, and reception's explicit "phoned: spoke to them", `check_in_by_phone`
    or an alarm answered, set last contact): the check-in interval keeps running and a missed
    check-in stays amber. An open overdue amber is resolved as `extended` (due-back is no longer past)."""
    by = _by(by)
    now = ctx.now()
    if (minutes is None) == (due is None):
        raise Invalid("give either minutes or a due-back time")
    if minutes is not None and not 1 <= minutes <= ctx.max_extend_minutes:
        raise Invalid(f"extend by 1-{ctx.max_extend_minutes} minutes")
    if due is not None and (due <= now or due > now + timedelta(minutes=ctx.max_extend_minutes)):
        raise Invalid(f"due back must be in the next {ctx.max_extend_minutes} minutes")
    with ctx.atomic():
        visit = get_open(visit_id)  # under the write lock: never moves a visit closed a moment ago
        if minutes is not None:
            due = max(visit.due_back, now) + timedelta(minutes=minutes)
        assert due is not None  # one of the two was given (checked above)
        set_due(ctx, visit, due, actor=f"{actor}:{by}")
        for alarm in lookup.unresolved_alarms(visit).where((Alarm.level == L.AMBER) & (Alarm.kind == L.OVERDUE)):
            alarm.resolved_at, alarm.resolved_by, alarm.action = now, by, "extended"
            alarm.save()
            alarms.record_action(ctx, alarm, "extended", who=by, actor=f"{actor}:{by}")
            audit.record("alarm-resolved", now, actor=f"{actor}:{by}", alarm=alarm, visit=visit,
                         summary=f"amber alarm {alarm.id} resolved: due back moved by reception")
    return visit


def set_due(ctx: Context, visit: Visit, due: datetime, *, actor: str) -> None:
    with ctx.atomic():
        visit.due_back = due
        visit.save()
        audit.record("visit-extended", ctx.now(), actor=actor, visit=visit, summary=f"visit {visit.id} due back moved")


def check_in_by_phone(ctx: Context, visit_id: int, *, by: str, actor: str = "cli") -> Contact:
    """Reception phoned and spoke to them (or they phoned in): counts as contact, as a text does."""
    by = _by(by)
    with ctx.atomic():
        return record_contact(ctx, get_open(visit_id), actor=f"{actor}:{by}", how="check-in by phone")


def duress_by_phone(ctx: Context, visit_id: int, *, by: str, actor: str = "cli") -> Alarm:
    """The code word was heard on a call: red duress alarm at once, alert receivers texted."""
    by = _by(by)
    with ctx.atomic():  # a visit closed a moment ago by another process gets no alarm it cannot show
        return alarms.raise_alarm(ctx, L.DURESS, L.RED, visit=get_open(visit_id), actor=f"{actor}:{by}",
                                  alert=True, summary=f"code word heard on a call (recorded by {by})")


def approve(ctx: Context, visit_id: int, *, by: str, actor: str = "cli") -> Visit:
    """An approver (kiosk.services.approval) approves an open visit: visits started by text, or
    signed out without one, start unapproved. A second approval is recorded beside the first (the
    visit keeps the first's name and time). Invalid (nothing written) for someone who may not."""
    with ctx.atomic():
        visit = get_open(visit_id)
        approver = approval.find_approver(by, {m.staff_id for m in lookup.members(visit)})
        approval.record(ctx, visit, approver, actor=f"{actor}:{' '.join(by.split())}")
    return visit


def _staff(ref: Staff | str | int) -> Staff:
    if isinstance(ref, Staff):
        return ref
    if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
        found = Staff.get_or_none(Staff.id == int(ref))
    else:
        name = " ".join(str(ref).split())
        found = Staff.get_or_none(Staff.name == name)
        if found is None:
            matches = [s for s in Staff.select() if s.name.casefold() == name.casefold()]
            found = matches[0] if len(matches) == 1 else None
    if found is None:
        raise NotFound(f"no member of staff {ref!r}")
    return found


def _free_text(value: str | None, what: str, limit: int) -> str:
    """Typed text that will be shown on screens and in alerts: one line, printable, bounded (the
    limits are kiosk.domain.limits, the same the forms check)."""
    try:
        return limits.clean_text(value, what, limit)
    except limits.TextError as exc:
        raise Invalid(str(exc)) from None


def refuse_code_words(texts: dict[str, str | None], extra: list[str] | None = None) -> None:
    """Invalid (nothing written) when typed text holds a code word: it would be stored and shown in
    clear. The message names the field, never the word."""
    hits = lookup.fields_with_code_words(texts, extra or ())
    if hits:
        raise Invalid(f"{hits[0]} holds a code word: a code word goes only in the code word field, "
                      "never in other text")


def _by(by: str) -> str:
    cleaned = " ".join((by or "").split())
    if not cleaned or len(cleaned) > limits.BY or not cleaned.isprintable():
        raise Invalid("--by needs the initials (or name) of the person acting")
    refuse_code_words({"the name of the person acting": cleaned})
    return cleaned


def _code_word(word: str) -> str:
    from kiosk.domain.codewords import CodeWordError, validate_code_word  # on first use, not at the top: start-up time (the word lists load on first use)

    try:
        return validate_code_word(word)
    except CodeWordError as exc:
        raise Invalid(str(exc)) from exc
