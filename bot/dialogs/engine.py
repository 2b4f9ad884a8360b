"""The dialogue engine: named, persisted state machines.

A `Flow` is a named dialogue: its steps, and for each step a transition that
returns the next step from the answers so far. Each turn loads the person's
`DialogState`, lets the current step read the answer, and saves the state
with `version + 1` through a compare-and-set (`UPDATE ... WHERE id AND
version`). Buttons carry the state id and version in their action id, so a
click on an old card (a double click, a card from yesterday) is recognised
and answered kindly instead of being applied twice. A restart loses nothing:
the next message simply continues from the stored step.

Words that work at every step, in both languages: `back`/`tillbaka`,
`skip`/`hoppa över` (where the step allows it), `cancel`/`avbryt` (asks to
confirm; nothing half-done is kept), `help`/`hjälp`. Three invalid answers in
a row offer help from the coordinator instead of asking again. Someone who
comes back after a long pause with a line that is no answer ("hej!") is
greeted and asked again, without counting a miss.

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
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlmodel import select

from bot.commands.registry import COORDINATOR, lookup_command, parse_args, tokenize
from bot.dialogs.flow import (
    ACTION_PREFIX,
    ACTIVE,
    CANCELLED,
    CONFIRM_CANCEL,
    DECLINED,
    DONE,
    EDIT,
    FLOWS,
    MAX_INVALID,
    SUMMARY,
    Ctx,
    Flow,
    State,
    active_state,
    load_ctx,
    save,
    step_of,
)
from bot.dialogs.prompt import prompt, question_context
from bot.dialogs.steps import Invalid, Step, norm
from bot.errors import UserError, stale_button
from bot.inputs import parse_int
from bot.messages import Button, Buttons, Card, Inbound, Outbound, Text, Where
from bot.people import coordinator_people
from bot.store.models import DialogState, Enrollment, EnrollmentStatus, Program
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
# An open question never swallows a command: a line that is a whole, valid
# command the person may run (`join`, `met 2027-03-02 90`, `pause`, `mydata`)
# runs as that command, and the question stays open ("still waiting").
# The words above (back, skip, cancel, help) steer the dialogue instead.
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
                skippable=step.skippable,
                first=not state.history,
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
    return [prompt(turn, flow, state, ctx)]


async def _invalid(turn: Turn, flow: Flow, state: State, ctx: Ctx, bad: Invalid) -> list[Outbound]:
    state.invalid_count += 1
    if state.invalid_count >= MAX_INVALID:
        state.invalid_count = 0
        await save(turn, state)
        names = await _coordinator_names(turn)
        card = Card(
            (
                Text(turn.render("dialogs/stuck", coordinators=names)),
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
        return [turn.say("dialogs/stuck", card=card, coordinators=names)]
    await save(turn, state)
    why = turn.render(bad.template, **bad.context)
    return [prompt(turn, flow, state, ctx, notes=[why])]


async def _coordinator_names(turn: Turn) -> list[str]:
    return [p.name for p in await coordinator_people(turn.session, turn.core.config)]


async def _ask_coordinator(turn: Turn, flow: Flow, state: State, ctx: Ctx) -> list[Outbound]:
    told = 0
    for person in await coordinator_people(turn.session, turn.core.config):
        if person.id != turn.person.id and await turn.tell(
            pk(person),
            "dialogs/coordinator_help_wanted",
            program=ctx.program,
            name=turn.person.name,
            flow=flow.name,
            question=_question_label(flow, state),
            program_name=ctx.program.name,
        ):
            told += 1
    await turn.audit("dialog.help_wanted", program=ctx.program, flow=flow.name, step=state.step)
    return [turn.say("dialogs/coordinator_told", told=told), prompt(turn, flow, state, ctx)]


def _question_label(flow: Flow, state: State) -> str:
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


# ----------------------------------------------------------------- entrances


async def start(
    turn: Turn, flow_name: str, program: Program, enrollment: Enrollment, notes: Sequence[str] = ()
) -> list[Outbound]:
    """Begin `flow_name` for this enrollment, or continue it where it stopped."""
    flow = FLOWS[flow_name]
    session = turn.session
    row = (
        await session.exec(
            select(DialogState).where(
                DialogState.person_id == turn.person.id,
                DialogState.name == flow.name,
                DialogState.program_id == program.id,
            )
        )
    ).first()
    fresh: dict[str, Any] = {"enrollment_id": enrollment.id, "answers": {}, "prior_status": enrollment.status}
    if row is None:
        row = DialogState(
            person_id=pk(turn.person),
            program_id=pk(program),
            name=flow.name,
            step=flow.first,
            data=fresh,
            history=[],
            status=ACTIVE,
            version=1,
            updated_at=turn.now,
        )
        session.add(row)
        await session.flush()
        state = State.of(row)
    else:
        state = State.of(row)
        if state.status == ACTIVE and state.data.get("enrollment_id") == enrollment.id:
            ctx = await load_ctx(turn.session, state, turn)
            if ctx is not None:
                return [prompt(turn, flow, state, ctx, notes=[*notes, turn.render("dialogs/resumed")])]
        state.step, state.data, state.history = flow.first, fresh, []
        state.invalid_count, state.status = 0, ACTIVE
        await save(turn, state)
    ctx = await load_ctx(turn.session, state, turn)
    if ctx is None:  # the caller passed an enrollment that is not this person's in this program
        raise ValueError(f"enrollment {enrollment.id} is not person {turn.person.id}'s in program {program.id}")
    if flow.started is not None:
        await flow.started(turn, ctx, state)
    return [prompt(turn, flow, state, ctx, notes=list(notes))]


async def is_command_aside(turn: Turn, text: str) -> bool:
    """A line that is a known, complete command of the person's role (and not
    one of the words that steer the dialogue)."""
    if norm(text) in NAV_WORDS:
        return False
    found = lookup_command(tokenize(text))
    if found is None:
        return False
    cmd, rest = found
    if cmd.role == COORDINATOR and not await turn.coordinates():
        return False
    try:
        parse_args(cmd, rest)
    except UserError:
        return False
    return True


async def still_waiting(turn: Turn) -> Outbound | None:
    """After a command typed in the middle of a dialogue: its question is still open."""
    if turn.inbound.where.where != Where.DM:
        return None
    row = await active_state(turn)
    if row is None or row.name not in FLOWS:
        return None
    state = State.of(row)
    return turn.say("dialogs/still_waiting", question=_question_label(FLOWS[state.name], state))


async def continue_text(turn: Turn, text: str) -> list[Outbound] | None:
    if turn.inbound.where.where != Where.DM:  # answers (wishes!) never go to a channel
        return None
    row = await active_state(turn)
    if row is None or row.name not in FLOWS or await is_command_aside(turn, text):
        return None
    state = State.of(row)
    expired = (
        state.step == CONFIRM_CANCEL and row.updated_at is not None and turn.now - row.updated_at > CONFIRM_EXPIRES
    )
    if expired:
        state.step = state.data.pop("cancel_from", None) or FLOWS[state.name].first
        await save(turn, state)
    ctx = await load_ctx(turn.session, state, turn)
    if ctx is None or ctx.member.status not in (FLOWS[state.name].open_for or OPEN):
        # The enrollment is gone or over (left, declined): close the dialogue quietly.
        state.status, state.history = CANCELLED, []
        state.data = {"enrollment_id": state.data.get("enrollment_id"), "answers": {}}
        await save(turn, state)
        return None
    given = read_text(text)
    if expired or (row.updated_at is not None and turn.now - row.updated_at > AWAY):
        given = replace(given, returning=True)
    return await answer(turn, FLOWS[state.name], state, ctx, given)


def parse_action_id(action_id: str) -> tuple[int, int] | None:
    parts = action_id[len(ACTION_PREFIX) :].split(":")
    if len(parts) < 3:
        return None
    row_id, version = parse_int(parts[0]), parse_int(parts[1])
    if row_id is None or version is None:
        return None
    return row_id, version


def action_values(inbound: Inbound) -> tuple[str, ...]:
    chosen = inbound.values.get(inbound.action_id or "") if inbound.values else None
    if chosen is None and inbound.values and len(inbound.values) == 1:
        chosen = next(iter(inbound.values.values()))
    if chosen is None:
        chosen = inbound.value or ""
    if isinstance(chosen, str):
        chosen = tuple(v for v in chosen.split(",") if v)
    return tuple(str(v) for v in chosen)


async def continue_action(turn: Turn) -> list[Outbound]:
    """A click on a dialogue card."""
    inbound = turn.inbound
    parsed = parse_action_id(inbound.action_id or "")
    row = await turn.session.get(DialogState, parsed[0]) if parsed else None
    if parsed is None or row is None or row.person_id != turn.person.id or row.name not in FLOWS:
        raise stale_button()
    state = State.of(row)
    flow = FLOWS[state.name]
    ctx = await load_ctx(turn.session, state, turn)
    if ctx is None:
        raise stale_button()
    if state.status != ACTIVE or state.version != parsed[1]:
        replies = [turn.say("dialogs/already_answered", ephemeral=True)]
        if state.status == ACTIVE:
            replies.append(prompt(turn, flow, state, ctx))
        return replies
    values = action_values(inbound)
    nav = NAV_VALUES.get(values[0]) if len(values) == 1 else None
    given = Answer(nav=nav) if nav else Answer(values=values)
    asked = step_of(flow, state)
    said = _said(asked, values, ctx, turn) if not nav else turn.render(f"dialogs/option/{values[0][1:]}")
    question = turn.render(asked.ask_template, **question_context(flow, state, ctx))
    replies = await answer(turn, flow, state, ctx, given)
    if inbound.message is not None and state.version != parsed[1]:
        # The clicked card is answered: it keeps its question, shows the
        # answer, and has no buttons left.
        answered = turn.render("dialogs/answered", answer=said)
        replies.insert(
            0,
            Outbound(
                text=answered,
                card=Card((Text(question), Text(answered))),
                replace=inbound.message,
                kind="dialogs/answered",
                locale=turn.locale,
            ),
        )
    return replies


def _said(step: Step, values: Sequence[str], ctx: Ctx, turn: Turn) -> str:
    labels = {o.value: o.label for o in step.options(ctx, turn.render)}
    return ", ".join(labels.get(v, v) for v in values)
