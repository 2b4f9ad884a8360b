"""A dialogue's current question as a neutral message: the notes before it,
the question, its options as card blocks, and the ways out. A message with
nothing to click is plain text, which reads best on every platform."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.dialogs.flow import CONFIRM_CANCEL, SUMMARY, Ctx, Flow, State, step_of
from bot.dialogs.steps import NumberStep, Step
from bot.messages import Button, Buttons, Card, Fields, Heading, Option, Outbound, Text
from bot.programs import audience_includes
from bot.store.models import ProgramEvent

if TYPE_CHECKING:
    from bot.turn import Turn


def prompt(turn: Turn, flow: Flow, state: State, ctx: Ctx, notes: Sequence[str] = ()) -> Outbound:
    """The current question as a message: notes first, then the question, its
    options, and the ways out."""
    step = step_of(flow, state)
    render = turn.render
    blocks: list = []
    if state.step == SUMMARY:
        blocks.append(Heading(render("dialogs/summary_heading", flow=flow.name)))
        blocks.append(Fields(tuple(summary_items(flow, state, ctx, render))))
    question = render(step.ask_template, privacy=turn.core.config.privacy, **question_context(flow, state, ctx))
    can_go_back = (state.history or state.editing) and state.step not in (SUMMARY, CONFIRM_CANCEL)
    if can_go_back and isinstance(step, NumberStep):  # no Back button (a typed number would press it): the word
        question += "\n" + render("dialogs/typed_back")
    question_block = Text(question)
    blocks.append(question_block)
    blocks.extend(step.blocks(ctx, render, state.action_prefix))
    nav = []
    if step.nav_buttons and step.skippable:
        nav.append(Option("_skip", render("dialogs/option/skip")))
    if step.nav_buttons and can_go_back:
        nav.append(Option("_back", render("dialogs/option/back")))
    if nav:
        blocks.append(
            Buttons(tuple(Button(f"{state.action_prefix}:n:{i}", o.label, o.value) for i, o in enumerate(nav)))
        )
    text = "\n\n".join([*notes, question])
    blocks[blocks.index(question_block)] = Text(text)
    if len(blocks) == 1:  # nothing to click: plain text reads best everywhere
        return turn.reply(text, kind=step.ask_template)
    return turn.reply(text, card=Card(tuple(blocks)), kind=step.ask_template)


def question_context(flow: Flow, state: State, ctx: Ctx) -> dict:
    """What the question templates may use (`topic_count`: a question about
    topics gives an example of several answers that are all options;
    `events`, `unscheduled`, `dated`: a question about the program's meetings
    lists their coming dates, in the program's zone, and names those with no
    date yet; `names_in_channel`: the consent question says that the pair's
    names are shown in the program channel when the program does so)."""
    step = step_of(flow, state)
    events, unscheduled = _events_asked_about(step.event_kinds, ctx)
    return dict(
        program=ctx.program.name,
        skippable=step.skippable,
        max_capacity=ctx.program.mentor_max_capacity,
        topic_count=len(ctx.topics),
        events=events,
        unscheduled=unscheduled,
        dated=len(unscheduled) < len(step.event_kinds),
        tz=ctx.program.timezone,
        names_in_channel=ctx.program.names_in_channel,
    )


def events_all_over(step: Step, ctx: Ctx) -> bool:
    """Whether a question about the program's meetings has nothing left to
    ask: the person's meetings of its kinds are all dated and all over (a
    mentor who joins after the coaching session). A meeting not dated yet is
    still asked about, in general words; so is everything when the events
    were not read this turn."""
    if not step.event_kinds or not ctx.events_read:
        return False
    coming, unscheduled = _events_asked_about(step.event_kinds, ctx)
    return not coming and not unscheduled


def _events_asked_about(kinds: tuple[str, ...], ctx: Ctx) -> tuple[list[ProgramEvent], list[str]]:
    """The person's coming events of these kinds, and the kinds the program
    has not dated at all (all of them: the question keeps its general words)."""
    if not kinds:
        return [], []
    role = ctx.enrollment.role if ctx.enrollment is not None else None
    theirs = [e for e in ctx.events if e.kind in kinds and audience_includes(e.audience, role)]
    coming = [e for e in theirs if ctx.turn is None or e.starts_at >= ctx.turn.now]
    return coming, [k for k in kinds if not any(e.kind == k for e in theirs)]


def summary_items(flow: Flow, state: State, ctx: Ctx, render) -> list[tuple[str, str]]:
    items = []
    for step in flow.steps:
        if step.field and step.field in state.answers:
            items.append((render(f"dialogs/label/{step.field}"), step.show(state.answers[step.field], ctx, render)))
    return items
