"""The first meeting's agreement checklist: it goes to both members when
the pair is announced (in their group DM, else to each, naming the other),
each item a button that ticks it."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from functools import partial

from bot.commands.registry import action
from bot.errors import stale_button
from bot.matching.announce import YIELD_EVERY, group_address
from bot.meetings import pair_for_action
from bot.messages import Block, Button, Buttons, Card, Outbound, Text, Where
from bot.people import locale_for
from bot.store.models import Enrollment, Pairing, Person, Program
from bot.store.rows import fetch, pk
from bot.turn import Turn

AGREEMENT = ("how_often", "where", "confidentiality", "cancelling", "goals")


def checklist_card(render, pairing_id: int, done: dict, partner: str | None = None) -> Card:
    """The agreement checklist: every item keeps its button, and its place,
    while any is open (a ticked one says so), so a number or a second press
    means the same item it did before (finding 12: the buttons renumbered
    after a tick, and pressing `1` twice ticked another item). `partner`
    names the other member for a checklist sent to one of them (a mentor
    with two mentees gets two, finding 9)."""
    value = str(pairing_id)
    open_items = [item for item in AGREEMENT if item not in done]
    text = render("firstmeeting/checklist", done=[i for i in AGREEMENT if i in done], left=open_items, partner=partner)
    blocks: list[Block] = [Text(text)]
    if open_items:
        labels = [
            render("firstmeeting/item_ticked", item=item) if item in done else render(f"firstmeeting/item_{item}")
            for item in AGREEMENT
        ]
        blocks.append(Buttons(tuple(Button(f"agree.{item}", label, value) for item, label in zip(AGREEMENT, labels))))
    return Card(tuple(blocks))


async def send_checklists(turn: Turn, program: Program, pairs: list[Pairing]) -> None:
    """Called at the announcement: the checklist for the first meeting, in the
    pair's group DM where their introduction went, else to each member,
    naming the other (someone in two pairs gets one for each)."""
    for n, row in enumerate(pairs, 1):
        if n % YIELD_EVERY == 0:
            await asyncio.sleep(0)  # a big announcement lets the loop answer others meanwhile
        members = [await fetch(turn.session, Enrollment, i) for i in (row.adept_id, row.mentor_id)]
        group = group_address(*[await turn.address_of(e.person_id) for e in members])
        if group is not None:
            locale = locale_for(None, program, turn.core.config)

            def render(name, /, **kw):
                return turn.core.translator.render(locale, name, tz=program.timezone, **kw)  # noqa: B023 (called in this iteration)

            turn.post(
                Outbound(
                    text=render("firstmeeting/checklist_intro", program=program, partner=None),
                    card=checklist_card(render, pk(row), {}),
                    to=group,
                    kind="firstmeeting/checklist_intro",
                    locale=locale,
                )
            )
            continue
        names = [(await fetch(turn.session, Person, e.person_id)).name for e in members]
        for enrollment, partner in zip(members, reversed(names), strict=True):
            await turn.tell(
                enrollment.person_id,
                "firstmeeting/checklist_intro",
                program=program,
                partner=partner,
                card=partial(checklist_card, pairing_id=pk(row), done={}, partner=partner),
            )


@action("agree.")
async def agreement_item(turn: Turn):
    pairing, _program = await pair_for_action(turn.session, pk(turn.person), turn.inbound.value)
    item = (turn.inbound.action_id or "").removeprefix("agree.")
    if item not in AGREEMENT:
        raise stale_button()
    checks = dict(pairing.checks or {})
    ticked = item in checks.get("agreement", {})  # pressed again (by either member): nothing changes
    done = {**checks.get("agreement", {}), item: checks.get("agreement", {}).get(item, turn.person.id)}
    pairing.checks = {**checks, "agreement": done}
    turn.session.add(pairing)
    # A card in the pair's group DM names nobody; one in a person's own chat names the partner.
    partner = await _partner_name(turn, pairing) if turn.inbound.where.where == Where.DM else None
    card = checklist_card(turn.render, pk(pairing), done, partner)
    # The clicked card is replaced by the same list with this item ticked.
    template = "firstmeeting/ticked_already" if ticked else "firstmeeting/ticked"
    out = turn.say(template, item=item, left=len(AGREEMENT) - len(done), card=card)
    return [replace(out, replace=turn.inbound.message)]


async def _partner_name(turn: Turn, pairing: Pairing) -> str:
    """The name of the presser's partner in the pair."""
    for enrollment_id in (pairing.adept_id, pairing.mentor_id):
        person_id = (await fetch(turn.session, Enrollment, enrollment_id)).person_id
        if person_id != turn.person.id:
            return (await fetch(turn.session, Person, person_id)).name
    return turn.person.name
