"""A name with an apostrophe (`Jean-Luc O'Brien`) is typed without quotes
like any other: an apostrophe inside a word (a letter on each side) is part
of the word, never a quote, and the typographic apostrophe phones and Macs
type (`O’Brien`) is the same apostrophe, whatever the case. A double quote
that never closes is still refused, with how the command typed is written
(not an example from another command)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.commands.words import tokenize
from bot.names import name_key
from bot.store.models import Enrollment, Organisation, Person
from tests.core.cockpit import cockpit_world, enroll
from tests.core.harness import texts

JEAN_LUC = "Jean-Luc O'Brien"


def test_an_apostrophe_inside_a_word_is_part_of_it():
    assert tokenize("person jean-luc o'brien") == ["person", "jean-luc", "o'brien"]
    assert tokenize("invite Jean-Luc O'Brien Anna Berg") == ["invite", "Jean-Luc", "O'Brien", "Anna", "Berg"]
    assert tokenize("person 'Jean-Luc O'Brien'") == ["person", "Jean-Luc O'Brien"]
    assert tokenize("unpair 3 'she'\"'\"'s moving'") == ["unpair", "3", "she's moving"]  # shlex.quote, as a button
    assert not any(getattr(w, "unclosed", False) for w in tokenize("Hej Kalle's"))
    assert getattr(tokenize('person "Jean-Luc')[-1], "unclosed", False)


def test_both_apostrophes_are_one_in_a_name():
    assert name_key("Jean-Luc O’Brien") == name_key("jean-luc o'brien") == name_key(JEAN_LUC)


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    world = await cockpit_world(sqlite_db, clock, request.param)  # Täby kommun and Knivsta kommun take part
    await enroll(world, JEAN_LUC, "adept", "Täby kommun")
    await world["Anna Berg"].say("hello")  # known to the bot, in no program yet
    async with sqlite_db.write() as s:
        anna_berg = (await s.exec(select(Person).where(Person.name == "Anna Berg"))).one()
        knivsta = (await s.exec(select(Organisation).where(Organisation.name == "Knivsta kommun"))).one()
        anna_berg.organisation_id = knivsta.id
        s.add(anna_berg)
    return world


@pytest.mark.parametrize("typed", ["jean-luc o'brien", "Jean-Luc O’Brien", "JEAN-LUC O’BRIEN", "'Jean-Luc O'Brien'"])
async def test_person_finds_a_name_with_an_apostrophe(world, typed):
    (reply,) = await world["Anna"].say(f"person {typed}")
    assert not reply.kind.startswith("errors/"), texts([reply])
    assert JEAN_LUC in reply.text


async def test_invite_reads_a_list_of_names_with_an_apostrophe(world, sqlite_db):
    replies = await world["Anna"].say("invite Jean-Luc O’Brien Anna Berg")
    assert not any(r.kind.startswith("errors/") for r in replies), texts(replies)
    async with sqlite_db.read() as s:
        invited = (await s.exec(select(Person.name).join(Enrollment, Enrollment.person_id == Person.id))).all()
    assert "Anna Berg" in invited


async def test_nominate_a_name_with_an_apostrophe(world):
    (reply,) = await world["Anna"].say("nominate Jean-Luc O'Brien He has led for ten years")
    assert reply.kind == "errors/already_adept", texts([reply])  # read as him, already an adept


async def test_a_quote_left_open_is_answered_with_the_command_typed(world):
    (refused,) = await world["Anna"].say("person \"Jean-Luc O'Brien")
    assert refused.kind == "errors/unbalanced_quotes"
    assert {"sv": "plats=", "en": "place="}[world.locale] not in refused.text
    assert {"sv": "`person NAMN", "en": "`person NAME"}[world.locale] in refused.text
    (refused,) = await world["Anna"].say('hello "there')  # no command: a general example
    assert refused.kind == "errors/unbalanced_quotes"
    assert '`"Anna Berg"`' in refused.text
