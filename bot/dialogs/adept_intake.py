"""The adept intake: who they are, what they want from a mentor, how they
want to meet. Eligibility comes from the program (`adept_min_months` ..
`adept_max_months`, default 6 months to 3 years as a manager); outside it the
adept is told kindly, may finish, and waits as `pending` until a coordinator
approves (`approve-participant`). Answer keys: see `bot.dialogs.intake`.

```mermaid
stateDiagram-v2
    [*] --> consent
    consent --> [*]: no (nothing stored)
    consent --> organisation: yes, program has organisations
    consent --> department: yes, no organisations listed
    organisation --> department
    department --> role_title
    role_title --> months_as_manager: answer or skip
    months_as_manager --> topics: note if outside the program's range
    topics --> wishes
    wishes --> wishes_with_mentor: answered (sensitive)
    wishes --> format: skipped
    wishes_with_mentor --> format: yes (the mentor sees them) / no (the coordinator only)
    format --> place: in person / mixed
    format --> languages: digital
    place --> languages: answer or skip
    languages --> summary
    summary --> edit: edit
    edit --> summary: after the chosen answer
    summary --> active: confirm, eligible
    summary --> pending: confirm, outside the range (coordinators told)
    pending --> active: approve-participant
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.dialogs import intake
from bot.dialogs.flow import Ctx, State, register
from bot.dialogs.steps import NumberStep, TextStep, YesNoStep
from bot.messages import Outbound

if TYPE_CHECKING:
    from bot.turn import Turn

NAME = "adept_intake"

ROLE_TITLE = TextStep("role_title", field="role_title", skippable=True, max_length=120)
MONTHS = NumberStep("months_as_manager", field="months_as_manager", unit="months", minimum=0, maximum=600)
TOPICS = intake.topics_step("topics")
WISHES = TextStep("wishes", field="wishes", skippable=True, max_length=2000, lines=True)
# Asked only after wishes were given: no = the dilemmas stay with the coordinator.
WISHES_WITH_MENTOR = YesNoStep("wishes_with_mentor", field="wishes_with_mentor")


def inside_range(months: int, ctx: Ctx) -> bool:
    return ctx.program.adept_min_months <= months <= ctx.program.adept_max_months


async def _months_note(turn: Turn, ctx: Ctx, state: State, months: int) -> list[str]:
    if inside_range(months, ctx):
        return []
    return [
        turn.render(
            "dialogs/adept_outside_range",
            months=months,
            min_months=ctx.program.adept_min_months,
            max_months=ctx.program.adept_max_months,
        )
    ]


async def _finish(turn: Turn, ctx: Ctx, state: State) -> list[Outbound]:
    answers = dict(state.answers)
    months = answers["months_as_manager"]
    answers["years_as_manager"] = round(months / 12, 1)
    reasons = [] if inside_range(months, ctx) else ["months"]
    return await intake.complete(turn, ctx, state, answers, reasons)


FLOW = register(
    intake.intake_flow(
        NAME,
        "adept",
        (ROLE_TITLE, MONTHS, TOPICS, WISHES, WISHES_WITH_MENTOR),
        transitions={
            "role_title": lambda a, ctx: "months_as_manager",
            "months_as_manager": lambda a, ctx: "topics",
            "topics": lambda a, ctx: "wishes",
            "wishes": lambda a, ctx: "wishes_with_mentor" if a.get("wishes") else "format",
            "wishes_with_mentor": lambda a, ctx: "format",
        },
        hooks={"months_as_manager": _months_note},
        finish=_finish,
    )
)
