"""The buttons of the weekly stall digest (bot.reminders.digest), for
coordinators: remind the pair now, ask them how it goes, or end the pair
(after the question `unpair` asks: `bot.commands.unpair.ask_to_end`). Each
pair has its row of buttons: a press leaves the digest as it is (`keeps_card`),
the other pairs' buttons, and this pair's, still there to press."""

from __future__ import annotations

from collections.abc import Callable

from bot import plan
from bot.commands.registry import COORDINATOR, action
from bot.commands.unpair import ask_to_end
from bot.errors import stale_button
from bot.inputs import parse_int
from bot.messages import Card
from bot.reminders.kinds import nudge_card
from bot.store.models import Enrollment, Pairing, PairStatus, Person, Program
from bot.store.rows import fetch, pk
from bot.turn import Turn


async def _stalled_pair(turn: Turn) -> tuple[Pairing, Program, Person, Person]:
    """The live pair a digest button names (who may press is declared: coordinators)."""
    value = turn.inbound.value or ""
    number = parse_int(value, low=1)
    pairing = await turn.session.get(Pairing, number) if number is not None else None
    if pairing is None or pairing.status != PairStatus.ANNOUNCED:
        raise stale_button()
    program = await fetch(turn.session, Program, pairing.program_id)
    adept = await fetch(turn.session, Person, (await fetch(turn.session, Enrollment, pairing.adept_id)).person_id)
    mentor = await fetch(turn.session, Person, (await fetch(turn.session, Enrollment, pairing.mentor_id)).person_id)
    return pairing, program, adept, mentor


@action("stall.nudge", role=COORDINATOR, name="stall", keeps_card=True)
async def stall_nudge(turn: Turn):
    pairing, program, adept, mentor = await _stalled_pair(turn)
    day = await plan.pair_snoozed(turn, pairing, days=0)  # the next allowed day from today
    await turn.audit("stall nudged", program=program, pairing=pairing.id, day=day)
    return [turn.say("scheduler/stall_nudged", adept=adept.name, mentor=mentor.name, day=day)]


@action("stall.ask", role=COORDINATOR, name="stall", keeps_card=True)
async def stall_ask(turn: Turn):
    pairing, program, adept, mentor = await _stalled_pair(turn)
    pairing_id = pk(pairing)
    for me, partner in ((adept, mentor), (mentor, adept)):

        def card(render: Callable[..., str], p: Person = partner) -> Card:
            return nudge_card(
                render,
                render("scheduler/stall_question", program=program, partner=p.name, coordinator=turn.person.name),
                pairing_id,
            )

        await turn.tell(
            pk(me),
            "scheduler/stall_question",
            program=program,
            partner=partner.name,
            coordinator=turn.person.name,
            card=card,
        )
    await turn.audit("stall asked", program=program, pairing=pairing.id)
    return [turn.say("scheduler/stall_asked", adept=adept.name, mentor=mentor.name)]


@action("stall.unpair", role=COORDINATOR, name="stall", keeps_card=True)
async def stall_unpair(turn: Turn):
    pairing, program, _adept, _mentor = await _stalled_pair(turn)
    return [await ask_to_end(turn, pairing, turn.render("scheduler/stall_unpair_reason"), program=program)]
