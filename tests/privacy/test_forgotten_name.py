"""Someone who has been erased (`forget`) stays in the program's lists as a
nameless row, named in the reader's language: "(raderad)" to a Swedish
coordinator, "(deleted)" to an English one, whatever language the person
who left wrote in. Also the partner column of the pair they were in."""

from __future__ import annotations

import pytest

from tests.privacy.test_leave import paired_world

SAY = {
    "sv": {"line": "deltagare", "gone": "(raderad)", "other": "(deleted)"},
    "en": {"line": "participants", "gone": "(deleted)", "other": "(raderad)"},
}


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_an_erased_person_is_named_in_the_coordinators_language(sqlite_db, clock, locale):
    world = await paired_world(sqlite_db, clock)
    anna, cecilia = world["Anna"], world["Cecilia"]
    await anna.say("språk sv")  # Anna erases herself in Swedish
    await anna.say("forget")
    (reply,) = await anna.choose(1)
    assert reply.kind == "commands/forgotten"
    await cecilia.say({"sv": "språk sv", "en": "language en"}[locale])
    say = SAY[locale]
    (listed,) = await cecilia.say(say["line"])
    assert listed.kind == "commands/participants"
    assert say["gone"] in listed.text and say["other"] not in listed.text, listed.text
