"""Surveys in chat: a dialogue on the intake's engine with a few 1–5
questions and one optional free-text answer, per role. Two surveys a year:
after the inspiration meeting and at the close-out (the reflection
questions). The survey after the inspiration meeting is about the pair
(`ABOUT_THE_PAIR`): it goes only to someone in a pair when it is sent
(`bot.reminders.surveys`). Someone not in a pair (a mentor with no mentee, a
pair that ended) is not asked the questions about the pair (`PAIR_QUESTIONS`):
at the close-out, and when a pair ends between the survey's message and its
Start button. Answers
go to `survey_response`; coordinators see aggregates only
(bot.commands.surveys).

```mermaid
stateDiagram-v2
    [*] --> q1: "Start the survey"
    q1 --> q2
    q2 --> q3
    q3 --> comment
    comment --> summary: answer or skip
    summary --> done: confirm (one survey_response row)
    summary --> edit: edit
    q1 --> cancelled: cancel (nothing kept)
```
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dialogs.choice import ChoiceStep
from bot.dialogs.flow import SUMMARY, Ctx, Flow, State, register
from bot.dialogs.steps import TextStep
from bot.messages import Option, Outbound
from bot.store.models import Enrollment, EnrollmentStatus, Pairing, PairStatus, SurveyResponse
from bot.store.rows import pk

if TYPE_CHECKING:
    from bot.turn import Turn

SURVEYS = ("inspiration", "closeout")
QUESTIONS = {
    ("inspiration", "adept"): ("expectations", "relationship", "useful"),
    ("inspiration", "mentor"): ("expectations", "relationship", "own_growth"),
    ("closeout", "adept"): ("goals_reached", "relationship", "recommend"),
    ("closeout", "mentor"): ("goals_reached", "own_growth", "recommend"),
}
# Questions about the pair ("how do the conversations in your pair work?",
# "the goals you set", "using the conversations"): asked only of someone in a
# pair (`in_a_pair`); a mentor without a mentee gets the others.
PAIR_QUESTIONS = frozenset({"relationship", "goals_reached", "useful"})
# The pairs someone "is in" for a survey: running, or settled at the close-out.
PAIRED = (PairStatus.ANNOUNCED, PairStatus.CONTINUING, PairStatus.COMPLETED)
# Surveys about the pair: every question of the one after the inspiration
# meeting is about the mentorship so far ("has it met your expectations",
# "what have you learned as a mentor"), so it is sent only to someone in a pair
# at that moment; someone whose pair ended, or who has none, gets no message
# and `survey` does not offer it. The close-out survey (the year, the program)
# goes to every active participant, without the pair questions to the unpaired.
ABOUT_THE_PAIR = frozenset({"inspiration"})
MAX_COMMENT = 1000


def flow_name(survey: str, role: str, paired: bool = True) -> str:
    return f"survey_{survey}_{role}" if paired else f"survey_{survey}_{role}_unpaired"


def questions(survey: str, role: str, paired: bool = True) -> tuple[str, ...]:
    return tuple(q for q in QUESTIONS[(survey, role)] if paired or q not in PAIR_QUESTIONS)


def paired(enrollment_id) -> ColumnElement[bool]:
    """Where a pairing is one the enrollment `enrollment_id` (a value or a
    column) is in for a survey (`PAIRED`): `in_a_pair`, and the survey
    reminders' own statement (`bot.reminders.surveys`)."""
    return and_(
        or_(col(Pairing.adept_id) == enrollment_id, col(Pairing.mentor_id) == enrollment_id),
        col(Pairing.status).in_(PAIRED),
    )


async def in_a_pair(session: AsyncSession, enrollment: Enrollment) -> bool:
    """Whether the person has a pair in the program now (or had one until the
    close-out); one whose pair ended during the year, or who never had one,
    has not."""
    found = await session.exec(select(Pairing.id).where(paired(enrollment.id)))
    return found.first() is not None


def _scale(ctx, render) -> list[Option]:
    return [Option(str(n), render(f"surveys/scale_{n}")) for n in range(1, 6)]


def _step(name: str) -> ChoiceStep:
    return ChoiceStep(name, field=name, source=_scale, max_buttons=5, ask=f"surveys/ask/{name}", nav_buttons=False)


COMMENT = TextStep(
    "comment", field="comment", skippable=True, max_length=MAX_COMMENT, ask="surveys/ask/comment", lines=True
)


def _finish(survey: str, role: str):
    async def finish(turn: Turn, ctx: Ctx, state: State) -> list[Outbound]:
        answers = {k: (int(v) if k != "comment" else v) for k, v in state.answers.items() if v is not None}
        turn.session.add(
            SurveyResponse(
                program_id=pk(ctx.program),
                person_id=pk(turn.person),
                survey=survey,
                answers={"role": role, **answers},
                created_at=turn.now,
            )
        )
        await turn.audit("survey answered", program=ctx.program, survey=survey)  # never the answers
        return [turn.say("surveys/thanks", program=ctx.program)]

    return finish


def _goto(step: str) -> Callable[[dict, Ctx], str]:
    """A transition that always goes to `step` (a survey asks its questions in order)."""
    return lambda answers, ctx: step


async def _cancelled(turn: Turn, ctx: Ctx, state: State) -> list[Outbound]:
    return [turn.say("surveys/cancelled")]


for _survey in SURVEYS:
    for _role, _paired in (("adept", True), ("mentor", True), ("adept", False), ("mentor", False)):
        _names = questions(_survey, _role, _paired)
        _order = [*_names, "comment"]
        register(
            Flow(
                name=flow_name(_survey, _role, _paired),
                steps=(*(_step(n) for n in _names), COMMENT),
                transitions={n: _goto(_order[i + 1] if i + 1 < len(_order) else SUMMARY) for i, n in enumerate(_order)},
                finish=_finish(_survey, _role),
                cancelled=_cancelled,
                declined=_cancelled,
                open_for=(EnrollmentStatus.ACTIVE,),
                kind="survey",
            )
        )
