"""The mentor intake: experience, capacity and availability. Mentors have
been managers for at least `Program.mentor_min_years` (default 5) and are
nominated by their own manager: a nomination on record is shown, not asked;
without one the mentor names their nominator and a coordinator confirms
(`approve-participant`). Answer keys: see `bot.dialogs.intake`.

```mermaid
stateDiagram-v2
    [*] --> consent
    consent --> [*]: no (nothing stored)
    consent --> organisation: yes, program has organisations
    consent --> department: yes, no organisations listed
    organisation --> department
    department --> years_as_manager
    years_as_manager --> nominator: no nomination on record
    years_as_manager --> experience: nominated through the bot
    nominator --> experience
    experience --> capacity
    capacity --> joint_meetings: answer or skip (1)
    joint_meetings --> training: the coaching session is ahead or not dated
    joint_meetings --> format: the coaching session is over (a late joiner)
    training --> format
    format --> place: in person / mixed
    format --> languages: digital
    place --> languages
    languages --> summary
    summary --> edit: edit
    edit --> summary: after the chosen answer
    summary --> active: confirm, eligible and nominated
    summary --> pending: confirm, too few years or unconfirmed nomination
    pending --> active: approve-participant
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dialogs import intake
from bot.dialogs.flow import Ctx, State, register
from bot.dialogs.prompt import events_all_over
from bot.dialogs.steps import NumberStep, TextStep, YesNoStep
from bot.messages import Outbound

if TYPE_CHECKING:
    from bot.turn import Turn

NAME = "mentor_intake"

YEARS = NumberStep("years_as_manager", field="years_as_manager", unit="years", minimum=0, maximum=60)
NOMINATOR = TextStep("nominator", field="nominator_name", max_length=120)
EXPERIENCE = intake.topics_step("experience")
CAPACITY = NumberStep(
    "capacity",
    field="capacity",
    minimum=1,
    skippable=True,
    maximum_from=lambda ctx: max(1, ctx.program.mentor_max_capacity),
)
# Each lists the program's dates of the meetings it asks about, where they are set.
JOINT = YesNoStep(
    "joint_meetings", field="can_attend_joint_meetings", event_kinds=("kickoff", "inspiration", "closing")
)
TRAINING = YesNoStep("training", field="can_attend_training", event_kinds=("mentor_training",))


async def _years_note(turn: Turn, ctx: Ctx, state: State, years: int) -> list[str]:
    if years >= ctx.program.mentor_min_years:
        return []
    return [turn.render("dialogs/mentor_too_few_years", years=years, min_years=ctx.program.mentor_min_years)]


def _after_years(answers: dict, ctx: Ctx) -> str:
    return EXPERIENCE.name if ctx.nominator is not None else NOMINATOR.name


def _after_joint_meetings(answers: dict, ctx: Ctx) -> str:
    """A mentor who joins after the coaching session is not asked about it
    (the rule that lists only the coming joint meetings)."""
    return "format" if events_all_over(TRAINING, ctx) else TRAINING.name


async def _finish(turn: Turn, ctx: Ctx, state: State) -> list[Outbound]:
    answers = dict(state.answers)
    years = answers["years_as_manager"]
    answers["months_as_manager"] = years * 12
    answers["capacity"] = answers.get("capacity") or 1
    answers["nominated_by"] = ctx.nominator.id if ctx.nominator else None
    reasons = []
    if years < ctx.program.mentor_min_years:
        reasons.append("years")
    if ctx.nominator is None:
        reasons.append("nomination")
    return await intake.complete(turn, ctx, state, answers, reasons)


FLOW = register(
    intake.intake_flow(
        NAME,
        "mentor",
        (YEARS, NOMINATOR, EXPERIENCE, CAPACITY, JOINT, TRAINING),
        transitions={
            "years_as_manager": _after_years,
            "nominator": lambda a, ctx: "experience",
            "experience": lambda a, ctx: "capacity",
            "capacity": lambda a, ctx: "joint_meetings",
            "joint_meetings": _after_joint_meetings,
            "training": lambda a, ctx: "format",
        },
        hooks={"years_as_manager": _years_note},
        finish=_finish,
    )
)
