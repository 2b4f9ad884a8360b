"""`names_in_channel`: the pairs' names go to the program channel only for
people who were told so when they agreed. The consent question says it while
the setting is on (and only then), and the setting cannot be turned on once
someone has agreed without being told."""

from __future__ import annotations

import pytest

from bot.store.models import Program
from tests.dialogs.conftest import COORDINATOR, make_world, text_of
from tests.dialogs.script import ADEPT, MENTOR, WORDS, asked, run

SAID = {
    "sv": {
        "adept": "ditt namn och din mentors namn visas där när ert par presenteras",
        "mentor": "ditt namn och din adepts namn visas där när ert par presenteras",
        "refused": "1 person har redan svarat ja på samtyckesfrågan",
        "off": "namn i kanalen: nej",
        "on": "namn i kanalen: ja",
    },
    "en": {
        "adept": "your name and your mentor's name will be shown there when your pair is announced",
        "mentor": "your name and your mentee's name will be shown there when your pair is announced",
        "refused": "1 person has already agreed to the consent question",
        "off": "names in the channel: no",
        "on": "names in the channel: yes",
    },
}


async def _program(world) -> Program:
    async with world.db.read() as s:
        return await s.get(Program, world.program_id)


async def _coordinator(world, locale: str):
    """The coordinator, reading replies in `locale` (the program's language is the participants')."""
    chat = world.chat(COORDINATOR)
    await chat.say("språk " + locale)
    return chat


@pytest.fixture(params=["sv", "en"])
def locale(request) -> str:
    return request.param


@pytest.mark.parametrize("on", [True, False])
async def test_the_consent_question_names_the_channel_only_when_names_are_shown_there(sqlite_db, clock, locale, on):
    world = await make_world(sqlite_db, clock, locale=locale, names_in_channel=on)
    for name, script, role in (("Anna", ADEPT, "adept"), ("Bo", MENTOR, "mentor")):
        question = text_of(await run(world.chat(name), script, locale, upto=1))
        assert (SAID[locale][role] in question) is on
        assert ("programkanalen" if locale == "sv" else "program channel") in question  # who_sees says it either way


async def test_names_in_channel_cannot_be_turned_on_after_someone_agreed_without_being_told(sqlite_db, clock, locale):
    world = await make_world(sqlite_db, clock, locale=locale)
    await run(world.chat("Anna"), ADEPT, locale, upto=2)  # agreed to the consent question
    await run(world.chat("Bo"), MENTOR, locale, upto=1)  # asked, has not answered yet
    declined = await world.chat("Cecilia").say("join")
    assert asked(declined) == "dialogs/ask/consent_adept"
    await world.chat("Cecilia").say(WORDS[locale]["no"])  # said no: nothing of hers is kept
    coordinator = await _coordinator(world, locale)

    refused = text_of(await coordinator.say("program set names_in_channel=yes"))
    assert SAID[locale]["refused"] in refused
    assert not (await _program(world)).names_in_channel
    # Bo, who had not yet answered, still reads a consent question without the channel.
    assert SAID[locale]["mentor"] not in text_of(await world.chat("Bo").say("kanske" if locale == "sv" else "maybe"))


async def test_names_in_channel_turns_on_before_anyone_agreed_and_the_next_consent_says_so(sqlite_db, clock, locale):
    world = await make_world(sqlite_db, clock, locale=locale)
    coordinator = await _coordinator(world, locale)
    assert SAID[locale]["on"] in text_of(await coordinator.say("program set names_in_channel=yes"))
    question = text_of(await run(world.chat("Anna"), ADEPT, locale, upto=1))
    assert SAID[locale]["adept"] in question
    await run(world.chat("Anna"), ADEPT[1:], locale, upto=1)  # agreed, under the setting
    # Saying it again changes nothing and is not refused; turning it off always works.
    assert SAID[locale]["refused"] not in text_of(await coordinator.say("program set names_in_channel=yes"))
    assert SAID[locale]["off"] in text_of(await coordinator.say("program set names_in_channel=no"))
    # Off again, with Anna's agreement kept: it cannot come back on.
    assert SAID[locale]["refused"] in text_of(await coordinator.say("program set names_in_channel=yes"))
