"""How a turn reaches a dialogue: starting (or resuming) one, a typed line for
the person's active dialogue, a click on a dialogue card, and a command typed
in the middle of one. The state machine the answer then goes through is
`bot.dialogs.engine`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sqlmodel import col, select

from bot.commands.arguments import parse_args
from bot.commands.registry import COORDINATOR, lookup_command
from bot.commands.words import tokenize
from bot.dialogs.choice import ChoiceStep
from bot.dialogs.engine import (
    AWAY,
    CONFIRM_EXPIRES,
    NAV_VALUES,
    NAV_WORDS,
    OPEN,
    Answer,
    answer,
    question_label,
    read_text,
)
from bot.dialogs.flow import (
    ACTION_PREFIX,
    ACTIVE,
    CANCELLED,
    CONFIRM_CANCEL,
    FLOWS,
    Ctx,
    Flow,
    State,
    active_state,
    dialogue_started,
    load_ctx,
    save,
    state_by_id,
    step_of,
)
from bot.dialogs.prompt import prompt, question_context
from bot.dialogs.steps import Step, norm
from bot.errors import UserError, stale_button
from bot.inputs import parse_int
from bot.language import DIALOGUE_KEY, locale_for
from bot.lifecycle import is_over
from bot.messages import Card, Inbound, Outbound, Text, Where
from bot.store.models import DialogState, Enrollment, Program
from bot.store.rows import pk

if TYPE_CHECKING:
    from bot.turn import Turn


async def start(
    turn: Turn, flow_name: str, program: Program, enrollment: Enrollment, notes: Sequence[str] = ()
) -> list[Outbound]:
    """Begin `flow_name` for this enrollment, or continue it where it stopped."""
    flow = FLOWS[flow_name]
    session = turn.session
    dialogue_started(session, pk(turn.person))
    row = (
        await session.exec(
            select(DialogState).where(
                DialogState.person_id == turn.person.id,
                DialogState.name == flow.name,
                DialogState.program_id == program.id,
            )
        )
    ).first()
    if row is not None and row.status == ACTIVE and (row.data or {}).get("enrollment_id") == enrollment.id:
        state = State.of(row)
        ctx = await load_ctx(turn.session, state, turn)
        if ctx is not None:
            turn.about(program, dialogue=state.locale)
            return [prompt(turn, flow, state, ctx, notes=[*notes, turn.render("dialogs/resumed")])]
    # A new dialogue (or one begun again): in the language the rule gives
    # for its program, which it keeps to the end.
    turn.about(program)
    if turn.person.started_locale is None:  # the language they begin in stays theirs (`bot.language`)
        first = turn.current_program  # a program they were in before this one: the language they have used
        before = first is not None and first.id != program.id
        turn.person.started_locale = locale_for(turn.person, first, turn.core.config) if before else turn.locale
        session.add(turn.person)
    fresh: dict[str, Any] = {
        "enrollment_id": enrollment.id,
        "answers": {},
        "prior_status": enrollment.status,
        DIALOGUE_KEY: turn.locale,
    }
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
    """Whether a line typed at an open question runs as a command (the
    question then waits) instead of answering it. One rule:

    - a word that steers the dialogue (`back`, `skip`, `cancel`, `help`) steers it;
    - a line that is exactly a command, in either language, runs as that
      command: its words, and after them nothing (`språk`, which then says
      what it needs) or arguments that fit it (`met 2027-03-02 90`). Words
      that only start like one (`Status quo`, `Rapport om ekonomi`) answer;
    - a coordinator's command runs only for a coordinator. Typed by anyone
      else it is their answer when it is one ordinary word (`match`,
      `export`, `deltagare`: a department may be called Export, nobody
      should be refused for answering), and refused, with the question
      waiting, when it can only be a command: a phrase (`program visa`,
      `matcha godkänn`) or a word with arguments that fit (`person Bertil`).
      Nobody's role title is `program visa`, and the refusal tells a
      coordinator not (yet) known as one on this account what is wrong.
    """
    if norm(text) in NAV_WORDS:
        return False
    tokens = tokenize(text)
    found = lookup_command(tokens)  # a quote that never closes is an answer unless in a command's free text
    if found is None:
        return False
    cmd, rest = found
    if rest:
        try:
            parse_args(cmd, rest, turn.today)
        except UserError:
            return False
    if cmd.role == COORDINATOR and not await turn.coordinates():
        return len(tokens) > 1
    return True


async def still_waiting(turn: Turn) -> Outbound | None:
    """After a command typed in the middle of a dialogue: its question is still open."""
    if turn.inbound.where.where != Where.DM:
        return None
    found = await active_state(turn)
    if found is None or found[0].name not in FLOWS:
        return None
    state = State.of(found[0])
    return turn.say("dialogs/still_waiting", question=question_label(FLOWS[state.name], state))


async def open_question(turn: Turn) -> Outbound | None:
    """The question the person's open dialogue waits on, as it asks it,
    changing nothing: for an adapter that shows it again to someone coming
    back (the console lists it among the cards waiting for an answer)."""
    found = await active_state(turn)
    if found is None or found[0].name not in FLOWS:
        return None
    row, enrollment = found
    state = State.of(row)
    ctx = await load_ctx(turn.session, state, turn, enrollment)
    if ctx is None or ctx.member.status not in (FLOWS[state.name].open_for or OPEN):
        return None
    turn.about(ctx.program, dialogue=state.locale)
    return prompt(turn, FLOWS[state.name], state, ctx)


async def continue_text(turn: Turn, text: str) -> list[Outbound] | None:
    if turn.inbound.where.where != Where.DM:  # answers (wishes!) never go to a channel
        return None
    found = await active_state(turn)
    if found is None or found[0].name not in FLOWS or await is_command_aside(turn, text):
        return None
    row, enrollment = found
    state = State.of(row)
    expired = (
        state.step == CONFIRM_CANCEL and row.updated_at is not None and turn.now - row.updated_at > CONFIRM_EXPIRES
    )
    if expired:
        state.step = state.data.pop("cancel_from", None) or FLOWS[state.name].first
        await save(turn, state)
    ctx = await load_ctx(turn.session, state, turn, enrollment)
    if ctx is None or ctx.member.status not in (FLOWS[state.name].open_for or OPEN):
        # The enrollment is gone or over (left, declined): close the dialogue quietly.
        _close(state)
        await save(turn, state)
        return None
    turn.about(ctx.program, dialogue=state.locale)
    if signing_up_to_closed(FLOWS[state.name], ctx):  # begun before `program close` ended intakes
        _close(state)
        await save(turn, state)
        return [turn.say("dialogs/program_closed", program=ctx.program.name)]
    given = read_text(text)
    if expired or (row.updated_at is not None and turn.now - row.updated_at > AWAY):
        given = replace(given, returning=True)
    return await answer(turn, FLOWS[state.name], state, ctx, given)


def _close(state: State) -> None:
    """A dialogue that will not go on: nothing of its answers is kept."""
    state.status, state.history = CANCELLED, []
    state.data = {"enrollment_id": state.data.get("enrollment_id"), "answers": {}}


def signing_up_to_closed(flow: Flow, ctx: Ctx) -> bool:
    """An intake (consent included) for a program that has closed: nobody
    signs up to it any more, whatever they answer or press."""
    return flow.kind == "intake" and is_over(ctx.program)


async def ended_by_close(turn: Turn) -> UserError | None:
    """A yes or no (or a card's number) typed when no dialogue is open: when
    the person's last dialogue is an intake that a program's close ended
    (`end_sign_ups`: cancelled at the close or after it), the answer its
    card's buttons get (`continue_action`), that the program has closed,
    instead of "no question waits for an answer", to raise; else None."""
    if turn.inbound.where.where != Where.DM:
        return None
    newest = (
        select(DialogState)
        .where(DialogState.person_id == turn.person.id)
        .order_by(col(DialogState.updated_at).desc(), col(DialogState.id).desc())
        .limit(1)
    )
    row = (await turn.session.exec(newest)).first()
    if row is None or row.status != CANCELLED or row.name not in FLOWS or FLOWS[row.name].kind != "intake":
        return None
    program = await turn.session.get(Program, row.program_id) if row.program_id else None
    if program is None or not is_over(program) or program.closed_at is None or row.updated_at is None:
        return None
    if row.updated_at < program.closed_at:  # ended before the close (the person stopped it): nothing waits
        return None
    return UserError("dialogs/program_closed", program=program.name)


async def end_sign_ups(turn: Turn, program: Program) -> None:
    """`program close`: every intake still under way in the program stops
    (the invited who are at its consent question, and those in the middle of
    it), its draft answers dropped, so no later answer signs anyone up."""
    rows = await turn.session.exec(
        select(DialogState).where(DialogState.program_id == program.id, DialogState.status == ACTIVE)
    )
    for row in rows.all():
        if row.name in FLOWS and FLOWS[row.name].kind == "intake":
            state = State.of(row)
            _close(state)
            await save(turn, state)


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
    found = await state_by_id(turn.session, parsed[0]) if parsed else None
    if parsed is None or found is None or found[0].person_id != turn.person.id or found[0].name not in FLOWS:
        raise stale_button()
    row, enrollment = found
    state = State.of(row)
    flow = FLOWS[state.name]
    ctx = await load_ctx(turn.session, state, turn, enrollment)
    if ctx is None:
        raise stale_button()
    if signing_up_to_closed(flow, ctx):  # a card of an intake the close ended: not "already answered"
        raise UserError("dialogs/program_closed", program=ctx.program.name)
    turn.about(ctx.program, dialogue=state.locale)
    if state.status != ACTIVE or state.version != parsed[1]:
        replies = [turn.say("dialogs/already_answered", ephemeral=True)]
        if state.status == ACTIVE:
            replies.append(prompt(turn, flow, state, ctx))
        return replies
    values = action_values(inbound)
    nav = NAV_VALUES.get(values[0]) if len(values) == 1 else None
    asked = step_of(flow, state)
    if nav is None and not _offered(asked, values, ctx, turn):
        raise stale_button()  # before anything changes: the card and the dialogue stay as they are
    given = Answer(nav=nav) if nav else Answer(values=values)
    said = _said(asked, values, ctx, turn) if not nav else turn.render(f"dialogs/option/{values[0][1:]}")
    question = turn.render(asked.ask_template, **question_context(flow, state, ctx))
    replies = await answer(turn, flow, state, ctx, given)
    if inbound.message is not None and state.version != parsed[1]:
        # The clicked card is answered: it keeps its question, shows the
        # answer, and has no buttons left.
        answered = turn.render("dialogs/answered", answer=said)
        replies.insert(
            0,
            turn.reply(
                answered, card=Card((Text(question), Text(answered))), replace=inbound.message, kind="dialogs/answered"
            ),
        )
    return replies


def _offered(step: Step, values: Sequence[str], ctx: Ctx, turn: Turn) -> bool:
    """Whether a click chose options the question offers. A button's value is
    the client's to send: one that is no option (forged, or from a list that
    has changed since) answers nothing. Nothing chosen is the question's to
    answer where its card has a menu of several (the menu's button sent
    empty); a question without options has nothing to click but the ways out."""
    offered = {o.value for o in step.options(ctx, turn.render)}
    if not values:
        return bool(offered) and isinstance(step, ChoiceStep) and step.multi
    return set(values) <= offered


def _said(step: Step, values: Sequence[str], ctx: Ctx, turn: Turn) -> str:
    labels = {o.value: o.label for o in step.options(ctx, turn.render)}
    return ", ".join(labels.get(v, v) for v in values)
