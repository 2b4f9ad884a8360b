"""`coordinator add|remove` take a person the way other commands do
(`bot.people.resolve_person`): the name of someone who has written to the
bot, of several words, with or without quotes, in any case, besides a
mention, a key or an e-mail address; a name no one has is answered with
every form that is accepted. In Swedish and English."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.messages import Actor, Platform
from bot.people import person_for_actor
from bot.store.models import Coordinator
from tests.core.harness import commands_world, texts

ADD = {"sv": "samordnare lägg-till", "en": "coordinator add"}
REMOVE = {"sv": "samordnare ta-bort", "en": "coordinator remove"}
SHOW = {"sv": "program visa", "en": "program show"}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = await commands_world(sqlite_db, clock, request.param)
    await w["Emma Clarke"].say("hej")  # known by name: she has written to the bot
    return w


async def _keys(db) -> list[str]:
    async with db.read() as s:
        return sorted((await s.exec(select(Coordinator.key))).all())


@pytest.mark.parametrize("typed", ["Emma Clarke", '"Emma Clarke"', "emma clarke"])
async def test_a_name_makes_that_person_a_coordinator(world, sqlite_db, typed):
    (reply,) = await world["Anna"].say(f"{ADD[world.locale]} {typed}")
    assert reply.kind == "commands/coordinator_added", reply.text
    assert await _keys(sqlite_db) == ["console:local:emma.clarke"]
    assert "Mentorprogram 2027" in texts(await world["Emma Clarke"].say(SHOW[world.locale]))


async def test_a_name_removes_the_coordinator_it_names(world, sqlite_db):
    await world["Anna"].say(f"{ADD[world.locale]} console:local:emma.clarke")
    (reply,) = await world["Anna"].say(f"{REMOVE[world.locale]} Emma Clarke")
    assert reply.kind == "commands/coordinator_removed", reply.text
    assert await _keys(sqlite_db) == []


async def test_a_name_no_one_has_is_answered_with_what_is_accepted(world, sqlite_db):
    (reply,) = await world["Anna"].say(f"{ADD[world.locale]} Emma Clark")
    assert reply.kind == "errors/bad_coordinator_key", reply.text
    accepted = {
        "sv": (
            "`Emma Clark`",
            "namnet på någon som har skrivit till mig",
            "@namn",
            "`slack:T0123:U0456`",
            "e-postadress",
        ),
        "en": (
            "`Emma Clark`",
            "name of someone who has written to me",
            "@name",
            "`slack:T0123:U0456`",
            "e-mail address",
        ),
    }[world.locale]
    for words in accepted:
        assert words in reply.text, (words, reply.text)
    assert await _keys(sqlite_db) == []


TOLD = {
    "sv": {
        "added": "Emma Clarke är nu samordnare. Hen har fått ett meddelande om det",
        "removed": "Emma Clarke är inte längre samordnare. Hen har fått ett meddelande om det.",
        "you_added": "Anna har gjort dig till samordnare.",
        "you_removed": "Anna har tagit bort dig som samordnare",
        "help": "`hjälp`",
        "shared": "Emma Clarke (`console:local:emma.clarke`) är nu samordnare.",
        "untold": "`console:local:nobody` är nu samordnare. Jag kan inte skriva till hen än",
    },
    "en": {
        "added": "Emma Clarke is now a coordinator. They have had a message about it",
        "removed": "Emma Clarke is no longer a coordinator. They have had a message about it.",
        "you_added": "Anna has made you a coordinator.",
        "you_removed": "Anna has removed you as a coordinator",
        "help": "`help`",
        "shared": "Emma Clarke (`console:local:emma.clarke`) is now a coordinator.",
        "untold": "`console:local:nobody` is now a coordinator. I cannot write to them yet",
    },
}


async def test_add_and_remove_answer_with_the_name_and_tell_the_person(world):
    """The answers named the entry by its key (`console:local:emma.clarke`
    är nu samordnare) and the person heard nothing. Now the answer names
    her, and she is told, with what she can do (`help`)."""
    told, anna, emma = TOLD[world.locale], world["Anna"], world["Emma Clarke"]
    (added,) = await anna.say(f"{ADD[world.locale]} Emma Clarke")
    assert added.text.startswith(told["added"]) and "console:local" not in added.text, added.text
    (message,) = emma.inbox()
    assert message.kind == "commands/coordinator_you_added", message.text
    assert told["you_added"] in message.text and told["help"] in message.text, message.text
    (removed,) = await anna.say(f"{REMOVE[world.locale]} Emma Clarke")
    assert removed.text == told["removed"], removed.text
    (message,) = emma.inbox()
    assert message.kind == "commands/coordinator_you_removed", message.text
    assert told["you_removed"] in message.text and told["help"] in message.text, message.text
    assert (await emma.say("coordinator list"))[0].kind == "errors/not_coordinator"


async def test_the_key_is_shown_only_where_two_people_share_the_name(world, sqlite_db, clock):
    async with sqlite_db.write() as s:  # another Emma Clarke, on Slack
        await person_for_actor(s, Actor(Platform.SLACK, "T1", "U9", display_name="Emma Clarke"), clock.now())
    (added,) = await world["Anna"].say(f"{ADD[world.locale]} console:local:emma.clarke")
    assert added.text.startswith(TOLD[world.locale]["shared"]), added.text


async def test_someone_the_bot_cannot_reach_yet_is_named_by_the_key_and_not_told(world):
    (added,) = await world["Anna"].say(f"{ADD[world.locale]} console:local:nobody")
    assert added.text.startswith(TOLD[world.locale]["untold"]), added.text


async def test_removing_one_of_two_entries_says_the_person_still_coordinates(world):
    """Emma has a second account (Slack) that is a coordinator too: removing
    her console entry leaves her one, so the answer says so and she is not
    told she no longer coordinates."""
    anna, emma = world["Anna"], world["Emma Clarke"]
    linked = texts(await anna.say("person link console:local:emma.clarke slack:T1:U5"))
    assert "slack" in linked.lower(), linked
    for key in ("console:local:emma.clarke", "slack:T1:U5"):
        await anna.say(f"{ADD[world.locale]} {key}")
    emma.inbox()
    (removed,) = await anna.say(f"{REMOVE[world.locale]} console:local:emma.clarke")
    still = {
        "sv": "Posten för Emma Clarke är borttagen, men hen är fortfarande samordnare",
        "en": "The entry for Emma Clarke is removed, but they are still a coordinator",
    }
    assert removed.text.startswith(still[world.locale]), removed.text
    assert emma.inbox() == []
