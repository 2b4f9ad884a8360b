"""The dialogue engine: named, persisted state machines.

A `Flow` is a named dialogue: its steps, and for each step a transition that
returns the next step from the answers so far. Each turn loads the person's
`DialogState`, lets the current step read the answer, and saves the state
with `version + 1` through a compare-and-set (`UPDATE ... WHERE id AND
version`). Buttons carry the state id and version in their action id, so a
click on an old card (a double click, a card from yesterday) is recognised
and answered kindly instead of being applied twice. A restart loses nothing:
the next message simply continues from the stored step.

How a turn gets here (a typed line, a click on a card, starting a dialogue)
is `bot.dialogs.entrances`; this module is the machine itself.

Words that work at every step, in both languages: `back`/`tillbaka`,
`skip`/`hoppa över` (where the step allows it), `cancel`/`avbryt` (asks to
confirm; nothing half-done is kept), `help`/`hjälp` (how to answer this
question, the words above, and how to stop and carry on later). An empty
line is answered with how to answer, in a line, at every step (the question is
not repeated, nothing is counted). Every invalid
answer says what was wrong and what would be right; the third in a row says so
too and offers help from the coordinator, another try or cancel (the question
stays open). Someone who comes back after a long pause with a line that is no
answer ("hej!") is greeted and asked again, without counting a miss.

```mermaid
stateDiagram-v2
    [*] --> step: start(flow)
    step --> step: invalid answer (re-prompt, count + 1)
    step --> stuck: third invalid answer
    stuck --> step: try again
    stuck --> coordinator_told: "ask the coordinator"
    step --> next_step: valid answer / skip
    next_step --> step: back
    step --> confirm_cancel: cancel
    confirm_cancel --> step: no
    confirm_cancel --> cancelled: yes (answers dropped)
    next_step --> summary: last question
    summary --> edit: edit
    edit --> step: choose an answer
    summary --> done: confirm (answers written)
    cancelled --> [*]
    done --> [*]
```
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.coordinators import coordinator_people
from bot.dialogs.flow import (
    CANCELLED,
    CONFIRM_CANCEL,
    DECLINED,
    DONE,
    EDIT,
    MAX_INVALID,
    SUMMARY,
    Ctx,
    Flow,
    State,
    read_for,
    save,
    step_of,
)
from bot.dialogs.prompt import prompt
from bot.dialogs.steps import Invalid, Step, norm
from bot.messages import Button, Buttons, Card, Outbound, Text
from bot.store.models import EnrollmentStatus
from bot.store.rows import pk

if TYPE_CHECKING:
    from bot.turn import Turn

log = logging.getLogger(__name__)

# Enrollment states in which an intake dialogue can go on.
OPEN = (EnrollmentStatus.INVITED, EnrollmentStatus.ONBOARDING)

# Words that steer the dialogue at any step (after `norm`).
NAV_WORDS = {
    "back": "back",
    "tillbaka": "back",
    "bakåt": "back",
    "backa": "back",
    "föregående": "back",
    "skip": "skip",
    "hoppa över": "skip",
    "hoppa": "skip",
    "skippa": "skip",
    "pass": "skip",
    "cancel": "cancel",
    "avbryt": "cancel",
    "stop": "cancel",
    "stopp": "cancel",
    "sluta": "cancel",
    "help": "help",
    "hjälp": "help",
    "hjalp": "help",
    "?": "help",
}
# An open question never swallows a command: a line that is exactly a command
# the person may run (`join`, `met 2027-03-02 90`, `pause`, `mydata`) runs as
# that command, and the question stays open ("still waiting"); the whole rule,
# coordinators' commands typed by others included, is
# `bot.dialogs.entrances.is_command_aside`. The words above (back, skip,
# cancel, help) steer the dialogue instead.
NAV_VALUES = {
    "_back": "back",
    "_skip": "skip",
    "_cancel": "cancel",
    "_help": "help",
    "_coordinator": "coordinator",
    "_retry": "retry",
}

# ------------------------------------------------------------------ answering


@dataclass(frozen=True)
class Answer:
    text: str | None = None
    values: tuple[str, ...] | None = None
    nav: str | None = None
    # The person comes back after a long pause: a line that does not answer
    # the question is a greeting, not a mistake.
    returning: bool = False


# After this long, the dialogue greets the person back instead of counting a miss.
AWAY = timedelta(hours=12)
# A "really cancel?" left unanswered this long has expired: the question it
# interrupted is asked again instead of reading the next line as yes or no.
CONFIRM_EXPIRES = timedelta(hours=1)


def read_text(text: str) -> Answer:
    return Answer(text=text, nav=NAV_WORDS.get(norm(text)))


async def answer(turn: Turn, flow: Flow, state: State, ctx: Ctx, given: Answer) -> list[Outbound]:
    """Apply one answer to the current step and return what to say."""
    step = step_of(flow, state)
    render = turn.render
    if given.nav == "help":
        return [
            turn.say(
                "dialogs/help",
                how=step.how(ctx, render),
                kind=flow.kind,
                skippable=step.skippable,
                first=not state.history,
                reviewing=state.step in (SUMMARY, EDIT, CONFIRM_CANCEL),
                coordinators=await _coordinator_names(turn),
            ),
            prompt(turn, flow, state, ctx),
        ]
    if given.nav == "coordinator":
        return await _ask_coordinator(turn, flow, state, ctx)
    if given.nav == "retry":
        return [prompt(turn, flow, state, ctx)]
    if state.step == CONFIRM_CANCEL and given.nav in ("cancel", "back"):
        given = Answer(values=("yes",) if given.nav == "cancel" else ("no",))
    if given.nav == "cancel":
        state.data["cancel_from"] = state.step
        state.step = CONFIRM_CANCEL
        state.invalid_count = 0
        await save(turn, state)
        return [prompt(turn, flow, state, ctx)]
    if given.nav == "back":
        return await _back(turn, flow, state, ctx)
    if given.values is None and not norm(given.text or "") and not given.returning:
        # An empty line (Enter pressed too soon) is no answer and no miss: how
        # to answer, in a line, not the question (the consent text!) again.
        return [turn.say("dialogs/invalid/empty", how=step.how(ctx, render), skippable=step.skippable)]
    if given.nav == "skip":
        if not step.skippable:
            return await _invalid(turn, flow, state, ctx, Invalid("dialogs/invalid/not_skippable"))
        value = None
    else:
        try:
            if given.values is not None:
                value = step.parse_values(given.values, ctx, render)
            else:
                value = step.parse(given.text or "", ctx, render)
        except Invalid as bad:
            if given.returning:
                return [prompt(turn, flow, state, ctx, notes=[turn.render("dialogs/resumed")])]
            return await _invalid(turn, flow, state, ctx, bad)
    return await _advance(turn, flow, state, ctx, step, value)


async def _advance(turn: Turn, flow: Flow, state: State, ctx: Ctx, step: Step, value) -> list[Outbound]:
    state.invalid_count = 0
    if state.step == CONFIRM_CANCEL:
        if value is True:
            return await end(turn, flow, state, ctx, cancelled=True)
        state.step = state.data.pop("cancel_from", None) or flow.first
        await save(turn, state)
        return [prompt(turn, flow, state, ctx, notes=[turn.render("dialogs/not_cancelled")])]
    if state.step == SUMMARY:
        if value == "confirm":
            return await end(turn, flow, state, ctx, cancelled=False)
        if value == "cancel":
            state.data["cancel_from"] = SUMMARY
            state.step = CONFIRM_CANCEL
        else:
            state.step = EDIT
        await save(turn, state)
        return [prompt(turn, flow, state, ctx)]
    if state.step == EDIT:
        state.data["editing"] = True
        state.step = value
        await save(turn, state)
        return [prompt(turn, flow, state, ctx)]
    notes: list[str] = []
    if step.field:
        state.answers[step.field] = value
    hook = flow.hooks.get(step.name)
    if hook is not None:
        notes = await hook(turn, ctx, state, value)
    following = flow.transitions[step.name](state.answers, ctx)
    if following == DECLINED:
        return await end(turn, flow, state, ctx, cancelled=True, declined=True)
    if state.editing and (following == SUMMARY or flow.by_name[following].field in state.answers):
        following = SUMMARY
    if not state.editing:
        state.history.append(step.name)
    if following == SUMMARY:
        state.data.pop("editing", None)
    state.step = following
    await save(turn, state)
    await read_for(turn.session, flow, ctx, following)
    return [prompt(turn, flow, state, ctx, notes=notes)]


async def _back(turn: Turn, flow: Flow, state: State, ctx: Ctx) -> list[Outbound]:
    if state.editing:
        state.data.pop("editing", None)
        state.step = SUMMARY
    elif state.step == EDIT:
        state.step = SUMMARY
    elif state.history:
        state.step = state.history.pop()
    else:
        return [prompt(turn, flow, state, ctx, notes=[turn.render("dialogs/first_question")])]
    state.invalid_count = 0
    await save(turn, state)
    await read_for(turn.session, flow, ctx, state.step)
    return [prompt(turn, flow, state, ctx)]


async def _invalid(turn: Turn, flow: Flow, state: State, ctx: Ctx, bad: Invalid) -> list[Outbound]:
    """What was wrong and what would be right, before the question again; the
    third miss in a row also offers the coordinator, another try or cancel."""
    state.invalid_count += 1
    why = turn.render(bad.template, **{"today": turn.now.date().isoformat(), **bad.context})
    if state.invalid_count >= MAX_INVALID:
        state.invalid_count = 0
        await save(turn, state)
        names = await _coordinator_names(turn)
        stuck = turn.render("dialogs/stuck", coordinators=names, why=why)
        card = Card(
            (
                Text(stuck),
                Buttons(
                    (
                        Button(
                            f"{state.action_prefix}:s:0",
                            turn.render("dialogs/option/coordinator"),
                            "_coordinator",
                            style="primary",
                        ),
                        Button(f"{state.action_prefix}:s:1", turn.render("dialogs/option/retry"), "_retry"),
                        Button(f"{state.action_prefix}:s:2", turn.render("dialogs/option/cancel"), "_cancel"),
                    )
                ),
            )
        )
        return [turn.reply(stuck, card=card, kind="dialogs/stuck")]
    await save(turn, state)
    return [prompt(turn, flow, state, ctx, notes=[why])]


async def _coordinator_names(turn: Turn) -> list[str]:
    return [p.name for p in await coordinator_people(turn.session, turn.core.config)]


async def _ask_coordinator(turn: Turn, flow: Flow, state: State, ctx: Ctx) -> list[Outbound]:
    told = 0
    for person in await coordinator_people(turn.session, turn.core.config):
        if person.id != turn.person.id and await turn.tell(
            pk(person),
            "dialogs/coordinator_help_wanted",
            as_coordinator=True,
            program=ctx.program,
            name=turn.person.name,
            flow=flow.name,
            question=question_label(flow, state),
            program_name=ctx.program.name,
        ):
            told += 1
    await turn.audit("dialog.help_wanted", program=ctx.program, flow=flow.name, step=state.step)
    return [turn.say("dialogs/coordinator_told", told=told), prompt(turn, flow, state, ctx)]


def question_label(flow: Flow, state: State) -> str:
    """The label template of the question someone is stuck at."""
    step = flow.by_name.get(state.step)
    if step is not None and step.field:
        return f"dialogs/label/{step.field}"
    return "dialogs/label/consent" if state.step == flow.first else "dialogs/label/summary"


async def end(
    turn: Turn, flow: Flow, state: State, ctx: Ctx, *, cancelled: bool, declined: bool = False
) -> list[Outbound]:
    """Finish (the flow writes the answers to the enrollment) or cancel
    (nothing kept). Either way the dialogue state keeps no answers of its own."""
    if cancelled:
        replies = await (flow.declined if declined else flow.cancelled)(turn, ctx, state)
        state.status = CANCELLED
    else:
        replies = await flow.finish(turn, ctx, state)
        state.status = DONE
    state.data = {"enrollment_id": state.data.get("enrollment_id"), "answers": {}}
    state.history = []
    state.step = SUMMARY if not cancelled else flow.first
    state.invalid_count = 0
    await save(turn, state)
    return replies
