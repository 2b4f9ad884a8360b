"""Intake answers in words, for the people allowed to read them.

The intake steps already know how to show their own answers (the summary
uses them); this module walks a role's intake flow over a stored
`Enrollment.answers` and returns label/value lines for a reader:

- `COORDINATOR` and `SELF` read every answer; sensitive ones are marked
  confidential.
- `MENTOR` (the matched mentor, in the introduction) reads the adept's needs
  and wishes, unless the adept chose at intake to keep their wishes and
  dilemmas for the coordinator only (`wishes_with_mentor` = false).
- `PARTNER` (a coordinator who is also in a pair with the person) reads what
  a coordinator reads, except what the person keeps from their mentor by
  that same rule (`kept_from_mentor`): such a line comes `withheld`, without
  its value, so the reader sees that something is held back and why.

`draft_lines` reads the answers of an intake still in progress (kept in the
dialogue's state until the final confirm), for the person alone (`mydata`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dialogs.flow import ACTIVE, FLOWS, Ctx
from bot.store.models import DialogState, Enrollment, Program

COORDINATOR, SELF, MENTOR, PARTNER = "coordinator", "self", "mentor", "partner"
# What a matched mentor reads of the adept: needs, wishes, how and where to meet.
_FOR_MENTOR = ("role_title", "topics", "wishes", "format", "place", "languages")
_FLOW_OF_ROLE = {"adept": "adept_intake", "mentor": "mentor_intake"}
# Answers shown only to the coordinator and (unless the adept said no) the matched mentor.
SENSITIVE = ("wishes",)


def sensitive_keys(answers: dict) -> list[str]:
    """The sensitive answer keys among `answers` (stored as `answers["sensitive"]`)."""
    return [key for key in SENSITIVE if key in answers]


@dataclass(frozen=True)
class Line:
    field: str
    label: str
    value: str
    confidential: bool = False
    withheld: bool = False  # kept from this reader (`PARTNER`): `value` is empty


def shares_wishes(answers: dict) -> bool:
    """Does the matched mentor read the adept's wishes and dilemmas?
    (Answers given before the question existed follow the consent text: yes.)"""
    return answers.get("wishes_with_mentor", True) is not False


def kept_from_mentor(name: str, answers: dict) -> bool:
    """Is the answer `name` one the adept keeps from their mentor (a sensitive
    answer, and `wishes_with_mentor` is false)?"""
    return name in set(answers.get("sensitive") or ()) and not shares_wishes(answers)


async def answer_ctx(session: AsyncSession, program: Program, enrollment: Enrollment | None = None) -> Ctx:
    """What the intake steps look at to show an answer (organisation names, topics)."""
    from bot.matching.topics import program_topics
    from bot.programs import organisations

    return Ctx(None, program, enrollment, await organisations(session, program), program_topics(program.topics))


def lines(answers: dict, role: str, ctx: Ctx, render: Callable[..., str], reader: str) -> list[Line]:
    flow = FLOWS.get(_FLOW_OF_ROLE.get(role, ""))
    if flow is None or not answers:
        return []
    sensitive = set(answers.get("sensitive") or ())
    out = []
    for step in flow.steps:
        name = step.field
        if not name or name not in answers:
            continue
        kept = kept_from_mentor(name, answers)
        if reader == MENTOR and (name not in _FOR_MENTOR or answers[name] is None or kept):
            continue
        label = render(f"dialogs/label/{name}")
        if reader == PARTNER and kept:
            out.append(Line(name, label, "", True, withheld=True))
            continue
        out.append(Line(name, label, step.show(answers[name], ctx, render), name in sensitive))
    return out


async def answer_lines(
    session: AsyncSession, program: Program, enrollment: Enrollment, render: Callable[..., str], reader: str
) -> list[Line]:
    return lines(
        enrollment.answers or {}, enrollment.role, await answer_ctx(session, program, enrollment), render, reader
    )


async def draft_lines(
    session: AsyncSession, program: Program, enrollment: Enrollment, render: Callable[..., str]
) -> list[Line]:
    """The answers given so far in the enrollment's intake, while it is still
    in progress: not submitted yet, so for the person alone (`SELF`)."""
    flow_name = _FLOW_OF_ROLE.get(enrollment.role)
    state = (
        await session.exec(
            select(DialogState).where(
                DialogState.person_id == enrollment.person_id,
                DialogState.program_id == program.id,
                DialogState.name == flow_name,
                DialogState.status == ACTIVE,
            )
        )
    ).first()
    data = (state.data or {}) if state is not None else {}
    answers = dict(data.get("answers") or {}) if data.get("enrollment_id") == enrollment.id else {}
    if not answers:
        return []
    answers["sensitive"] = sensitive_keys(answers)
    return lines(answers, enrollment.role, await answer_ctx(session, program, enrollment), render, SELF)
