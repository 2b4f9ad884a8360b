"""A person's language is theirs: what they chose, else their platform's,
else the language they began their intake in. A later change of the
program's language (`program set locale=`) reaches only those who have not
begun, and the coordinator's reply says how many that is. A coordinator's
own replies stay in her language whichever program she works on (`program
use`, `program set`), not the program's. Swedish and English programs in a
Swedish installation."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.store.models import Person
from tests.core.harness import texts
from tests.dialogs.conftest import COORDINATOR, make_world
from tests.dialogs.script import ADEPT, asked, run

OTHER = {"sv": "en", "en": "sv"}


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_a_new_program_language_does_not_switch_those_who_have_begun(sqlite_db, clock, locale):
    world = await make_world(sqlite_db, clock, locale=locale)
    anna = world.chat("Anna")
    await run(anna, ADEPT, locale)
    assert asked(await anna.say("1")) == "dialogs/done"
    hanna = world.chat(COORDINATOR)
    used = await hanna.say("program use mentor-2027")
    assert [m.locale for m in used] == ["sv"], texts(used)  # the installation's, not the program's
    (reply,) = await hanna.say(f"program set locale={OTHER[locale]}")
    assert reply.kind == "commands/program_settings" and reply.locale == "sv", reply.text
    assert "De som redan har börjat behåller sitt språk." in reply.text, reply.text
    (status,) = await anna.say("status")
    assert status.locale == locale, status.text  # the language she signed up in


async def test_the_reply_counts_who_gets_the_new_language(sqlite_db, clock):
    """Bo has only been invited (no language of his own, not begun): he is
    the one the change reaches."""
    world = await make_world(sqlite_db, clock, locale="sv")
    hanna = world.chat(COORDINATOR)
    await world.chat("Bo").say("hej")
    invited = await hanna.say("invite console:local:bo")
    assert [m.kind for m in invited] == ["commands/invited"], texts(invited)
    (reply,) = await hanna.say("program set locale=en")
    assert "1 person i programmet som inte har börjat sin anmälan och inte har valt språk får nu engelska" in (
        reply.text
    ), reply.text
    (status,) = await world.chat("Bo").say("status")
    assert status.locale == "en", status.text


async def test_the_count_leaves_out_a_cancelled_sign_up(sqlite_db, clock):
    """Cia cancelled her sign-up before `person.started_locale` existed
    (migration 0013 gave her none: her dialogue kept no language): she is
    not taking part, and is not counted, as someone who said no is not.
    Bo, only invited, is the one the change reaches."""
    world = await make_world(sqlite_db, clock, locale="sv")
    hanna, cia = world.chat(COORDINATOR), world.chat("Cia")
    await world.chat("Bo").say("hej")
    await hanna.say("invite console:local:bo")
    await run(cia, ADEPT, "sv", upto=3)
    await cia.say("avbryt")
    assert asked(await cia.say("ja")) == "dialogs/cancelled"
    assert (await world.enrollment("Cia")).status == "cancelled"
    async with sqlite_db.write() as s:
        person = (await s.exec(select(Person).where(Person.name == "Cia"))).one()
        person.started_locale = None  # as a sign-up cancelled before migration 0013 is
        s.add(person)
    (reply,) = await hanna.say("program set locale=en")
    assert "1 person i programmet som inte har börjat sin anmälan och inte har valt språk får nu engelska" in (
        reply.text
    ), reply.text
