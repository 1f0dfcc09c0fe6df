"""Marking a visit back with the post-visit questions the policies ask (all optional, all prompted).

Objective achieved (yes / partly / no), follow-up needed, any safeguarding concern. Answers are
stored on the visit in the same transaction as the mark-back; a safeguarding concern itself is
recorded on the school's safeguarding system (CPOMS/MyConcern), never here. The audit summary holds
the answers as words, never free text. Invalid answers change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.domain import limits
from kiosk.services import audit
from kiosk.services.context import Context
from kiosk.services.errors import Invalid
from kiosk.services.visits import mark_back
from kiosk.store.models import Visit

OBJECTIVE_ANSWERS = ("yes", "partly", "no")
MAX_NOTE = limits.NOTE


@dataclass(frozen=True)
class PostVisit:
    objective_achieved: str | None = None  # yes | partly | no | None (not answered)
    follow_up_needed: bool | None = None
    safeguarding_concern: bool | None = None
    note: str = ""

    @property
    def unanswered(self) -> list[str]:
        names = []
        if self.objective_achieved is None:
            names.append("objective achieved")
        if self.follow_up_needed is None:
            names.append("follow-up needed")
        if self.safeguarding_concern is None:
            names.append("safeguarding concern")
        return names


def _word(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "no")


def check_answers(answers: PostVisit) -> PostVisit:
    if answers.objective_achieved is not None and answers.objective_achieved not in OBJECTIVE_ANSWERS:
        raise Invalid("objective achieved: answer yes, partly or no")
    for name in ("follow_up_needed", "safeguarding_concern"):
        if getattr(answers, name) not in (None, True, False):
            raise Invalid(f"{name.replace('_', ' ')}: answer yes or no")
    note = " ".join((answers.note or "").split())
    if len(note) > MAX_NOTE:
        raise Invalid(limits.too_long("the note", len(note), MAX_NOTE))
    if not note.isprintable():
        raise Invalid("the note contains control characters")
    return PostVisit(answers.objective_achieved, answers.follow_up_needed, answers.safeguarding_concern, note)


def mark_back_with_answers(ctx: Context, visit_id: int, *, by: str, answers: PostVisit,
                           actor: str = "kiosk") -> Visit:
    """mark_back (refused while a red alarm is open) plus the answers, in one transaction."""
    answers = check_answers(answers)
    with ctx.atomic():
        visit = mark_back(ctx, visit_id, by=by, outcome=answers.note, actor=actor,
                          objective_achieved=answers.objective_achieved, follow_up_needed=answers.follow_up_needed,
                          safeguarding_concern=answers.safeguarding_concern)
        audit.record("post-visit-answers", ctx.now(), actor=f"{actor}:{' '.join(by.split())}", visit=visit,
                     summary=f"visit {visit.id}: objective {answers.objective_achieved or '-'}, follow-up "
                             f"{_word(answers.follow_up_needed)}, safeguarding concern "
                             f"{_word(answers.safeguarding_concern)}")
    return visit
