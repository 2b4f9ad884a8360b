"""`forget` by a coordinator says what becomes of their rights: entries
added in chat (`coordinator add`) are deleted with the rest, so the rights
end (and, when no one else coordinates, nobody can run coordinator commands
after); an entry of `bot.coordinators` stays, so writing again they
coordinate again. Both checked by what happens after the Yes. Swedish and English."""

from __future__ import annotations

import pytest

from bot.messages import Buttons, Outbound
from bot.store.models import Coordinator
from tests.core.harness import World, commands_world, make_core

SAY = {
    "sv": {
        "added": "Du är också samordnare, och det slutar du vara: bara en annan samordnare kan lägga till dig "
        "igen, med `samordnare lägg-till`.",
        "last": "Du är den enda samordnaren",
        "configured": "Du är samordnare genom inställningen `bot.coordinators`, och det fortsätter du att vara",
        "coordinator": "samordnare",
    },
    "en": {
        "added": "You are also a coordinator, and that ends too: only another coordinator can add you again, "
        "with `coordinator add`.",
        "last": "You are the only coordinator",
        "configured": "You are a coordinator through the `bot.coordinators` setting, and you stay one",
        "coordinator": "coordinator",
    },
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    world = await commands_world(sqlite_db, clock, request.param)
    world.say = SAY[request.param]
    return world


async def _question(chat) -> Outbound:
    (asked,) = await chat.say("forget")
    assert asked.kind == "commands/forget_confirm", asked.text
    return asked


async def _yes(chat, asked: Outbound) -> str:
    """Press the question's Yes, by its value, as a client does: what the bot answered."""
    (yes,) = [b for block in asked.card.blocks if isinstance(block, Buttons) for b in block.buttons][:1]
    assert yes.action_id == "forget.confirm"
    (done,) = await chat.click(yes.action_id, yes.value, on=asked)
    return done.kind


async def test_a_coordinator_added_in_chat_is_told_the_role_ends_and_it_does(world):
    eva, say = world["Eva"], world.say
    await eva.say("hej")
    await world["Anna"].say("coordinator add console:local:eva")
    assert (await eva.say("coordinator list"))[0].kind == "commands/coordinator_list"
    asked = await _question(eva)
    text = asked.text
    assert say["added"] in text and say["last"] not in text and say["configured"] not in text, text
    assert await _yes(eva, asked) == "commands/forgotten"
    assert (await eva.say("coordinator list"))[0].kind == "errors/not_coordinator"


async def test_a_configured_coordinator_is_told_the_role_stays_and_it_does(world):
    anna, say = world["Anna"], world.say
    asked = await _question(anna)
    assert say["configured"] in asked.text and say["added"] not in asked.text, asked.text
    assert await _yes(anna, asked) == "commands/forgotten"
    assert (await anna.say("coordinator list"))[0].kind == "commands/coordinator_list"


async def test_the_only_coordinator_is_told_nobody_coordinates_after(sqlite_db, clock):
    world = World(make_core(sqlite_db, clock, locale="en", coordinators=()))
    eva = world["Eva"]
    await eva.say("hello")
    async with sqlite_db.write() as s:
        s.add(Coordinator(key="console:local:eva", added_by="console:local:anna", created_at=clock.now()))
    text = (await _question(eva)).text
    assert SAY["en"]["added"] in text and SAY["en"]["last"] in text, text


async def test_a_participant_hears_nothing_about_coordinators(world):
    eva, say = world["Eva"], world.say
    await eva.say("hej")
    text = (await _question(eva)).text
    assert say["added"] not in text and say["configured"] not in text and say["last"] not in text, text
