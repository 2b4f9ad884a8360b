"""A person's name of several words typed without quotes, in Swedish and
English: a command whose grammar leaves no doubt takes all the words as the
name; a list of people or a name before free text takes the words that are
a known person's name, and a word that names no one is answered with the
name in quotes, changing nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.store.models import Enrollment, Person
from tests.core.harness import program_world, texts


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = await program_world(sqlite_db, clock, request.param)
    for name in ("Anna Berg", "Anna Lind", "Bo"):
        await w[name].say("hej")  # known by name: they have written to the bot
    return w


async def _enrolled(db) -> dict[str, str]:
    async with db.read() as s:
        rows = (
            await s.exec(select(Person.name, Enrollment.role).join(Enrollment, Enrollment.person_id == Person.id))
        ).all()
    return dict(rows)


async def test_invite_takes_a_two_word_name_as_one_person(world, sqlite_db):
    (reply,) = await world["Anna"].say({"sv": "bjud-in Anna Berg Bo", "en": "invite Anna Berg Bo"}[world.locale])
    assert reply.kind == "commands/invited", reply.text
    assert await _enrolled(sqlite_db) == {"Anna Berg": "adept", "Bo": "adept"}


async def test_a_word_that_names_no_one_is_answered_with_the_name_in_quotes(world, sqlite_db):
    line = {"sv": "bjud-in Bo Gunnar", "en": "invite Bo Gunnar"}[world.locale]
    (reply,) = await world["Anna"].say(line)
    assert reply.kind == "errors/name_in_quotes", reply.text
    assert {"sv": '`bjud-in "Bo Gunnar"`', "en": '`invite "Bo Gunnar"`'}[world.locale] in reply.text
    assert "Gunnar" in reply.text.split(".")[0]  # first what was wrong, then the right form
    assert await _enrolled(sqlite_db) == {}  # Bo, found first, is not invited either


async def test_nominate_takes_the_known_name_and_keeps_the_rest_as_the_reason(world, sqlite_db):
    line = {"sv": "nominera Anna Lind har lett länge", "en": "nominate Anna Lind has led for years"}[world.locale]
    (reply,) = await world["Anna"].say(line)
    assert reply.kind == "commands/nominated", reply.text
    reason = {"sv": "har lett länge", "en": "has led for years"}[world.locale]
    assert "Anna Lind" in reply.text and reason in reply.text  # the reply shows where the name ended
    async with sqlite_db.read() as s:
        assert (await s.exec(select(Enrollment.nomination_reason))).one() == reason


async def test_a_name_alone_after_the_command_takes_every_word(world, sqlite_db):
    anna = world["Anna"]
    await anna.say('invite "Anna Berg"')
    words = {"sv": "matcha väntelista Anna Berg", "en": "match waitlist Anna Berg"}[world.locale]
    async with sqlite_db.write() as s:
        (await s.exec(select(Enrollment))).one().status = "active"
    (reply,) = await anna.say(words)
    assert "errors/" not in reply.kind, reply.text
    async with sqlite_db.read() as s:
        assert (await s.exec(select(Enrollment.waitlisted))).one() is True
    linked = texts(await anna.say("person link Anna Berg console:local:anna.b"))
    assert "Anna Berg" in linked and "`Berg`" not in linked


async def test_two_names_split_between_two_arguments_are_answered_with_both_in_quotes(world):
    """`match unexclude Anna Berg Anna Lind` reads `Anna` as the adept and
    `Berg Anna Lind` as the mentor: the answer says that no one is `Anna`
    (here: the coordinator Anna, who is no mentee) and shows the command
    with each name in quotes; it picks no one."""
    line = {"sv": "matcha tillåt Anna Berg Anna Lind", "en": "match unexclude Anna Berg Anna Lind"}[world.locale]
    (reply,) = await world["Anna"].say(line)
    assert reply.kind == "errors/name_in_quotes", reply.text
    right = {"sv": '`matcha tillåt "Anna Berg" "Anna Lind"`', "en": '`match unexclude "Anna Berg" "Anna Lind"`'}
    assert right[world.locale] in reply.text
    assert "Anna" in reply.text.split(".")[0]  # first what was wrong, then the right form


async def test_a_name_whose_last_word_was_read_as_the_account_is_answered_with_the_name_in_quotes(world, sqlite_db):
    (reply,) = await world["Anna"].say({"sv": "person koppla Anna Berg", "en": "person link Anna Berg"}[world.locale])
    assert reply.kind == "errors/name_in_quotes", reply.text
    right = {"sv": '`person koppla "Anna Berg" KONTO`', "en": '`person link "Anna Berg" IDENTITY`'}
    assert right[world.locale] in reply.text
    assert "`Berg`" in reply.text


async def test_a_name_that_is_one_arguments_words_gets_no_quotes_hint(world):
    """Words that are a known name inside one argument were not split: the
    answer is the argument's own (`Bo` is not a mentee, the mentor read as
    `Anna Berg Anna`)."""
    line = {"sv": "matcha tillåt Bo Anna Berg Anna", "en": "match unexclude Bo Anna Berg Anna"}
    (reply,) = await world["Anna"].say(line[world.locale])
    assert reply.kind != "errors/name_in_quotes", reply.text
