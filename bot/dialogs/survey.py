"""Surveys in chat: a dialogue on the intake's engine with a few 1–5
questions and one optional free-text answer, per role. Two surveys a year:
after the inspiration meeting and at the close-out (the reflection
questions). Answers go to `survey_response`; coordinators see aggregates
only (bot.commands.surveys).

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

from bot.dialogs.flow import SUMMARY, Ctx, Flow, State, register
from bot.dialogs.steps import ChoiceStep, TextStep
from bot.messages import Option, Outbound
from bot.store.models import EnrollmentStatus, SurveyResponse
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
MAX_COMMENT = 1000


def flow_name(survey: str, role: str) -> str:
    return f"survey_{survey}_{role}"


def _scale(ctx, render) -> list[Option]:
    return [Option(str(n), render(f"surveys/scale_{n}")) for n in range(1, 6)]


def _step(name: str) -> ChoiceStep:
    return ChoiceStep(name, field=name, source=_scale, max_buttons=5, ask=f"surveys/ask/{name}", nav_buttons=False)


COMMENT = TextStep("comment", field="comment", skippable=True, max_length=MAX_COMMENT, ask="surveys/ask/comment")


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
    for _role in ("adept", "mentor"):
        _names = QUESTIONS[(_survey, _role)]
        _order = [*_names, "comment"]
        register(
            Flow(
                name=flow_name(_survey, _role),
                steps=(*(_step(n) for n in _names), COMMENT),
                transitions={n: _goto(_order[i + 1] if i + 1 < len(_order) else SUMMARY) for i, n in enumerate(_order)},
                finish=_finish(_survey, _role),
                cancelled=_cancelled,
                declined=_cancelled,
                open_for=(EnrollmentStatus.ACTIVE,),
                kind="survey",
            )
        )
