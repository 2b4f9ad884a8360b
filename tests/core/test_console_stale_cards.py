"""Cards that can no longer be answered (a new user's trial in the console):
an event's "Are you coming?" of a program closed and archived since still
took a Yes, with a calendar file; `cards` listed it, and cards of a pair
that has ended, of an event cancelled since, as waiting; a session began by
showing again a question already answered by typing. Such a card is refused
as any stale button is, `cards` lists only cards that can still be answered
(`Core.would_take`), and a session shows again only such a card."""

from __future__ import annotations

import pytest
from sqlmodel import select

from adapters.console import Chat, ConsolePort, setup_person
from adapters.console_cards import Cards
from adapters.console_render import options, said
from adapters.console_session import start
from bot.store.models import EventRsvp
from tests.core.harness import enroll, make_core

YES = {"sv": "ja", "en": "yes"}


@pytest.fixture(params=["sv", "en"])
def locale(request) -> str:
    return request.param


async def _program(db, clock, locale: str):
    """Anna's program, Erik and Hanna a pair in it, and one event to come:
    #3 X1 (events #1 and #2 were removed), each told to both by a card."""
    core = make_core(db, clock, locale=locale, coordinators=("console:local:anna",))
    port = ConsolePort(keep=db, clock=clock)
    anna = Chat(core, port, "Anna")
    await setup_person(core, anna, org="Täby kommun", coordinator=True)
    for line in (
        "program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19",
        "org add Täby kommun",
        "org add Knivsta kommun",
    ):
        await anna.say(line)
    await enroll(db, clock, 1, "Erik", "adept", "Täby kommun", ["change"])
    await enroll(db, clock, 1, "Hanna", "mentor", "Knivsta kommun", ["change"])
    for line in (
        "match",
        "match approve",
        "match announce",
        'event add custom 2027-03-01 10:00 place="Täby" title="A0"',
        'event add custom 2027-03-02 10:00 place="Täby" title="B0"',
        'event add custom 2027-03-05 10:00 place="Knivsta bibliotek" title="X1"',
        "event remove 1 confirm=yes",
        "event remove 2 confirm=yes",
    ):
        replies = await anna.say(line)
        assert not [r for r in replies if "errors/" in r.kind], (line, [r.text for r in replies])
    return core, port, anna


def _titled(cards, title: str) -> list:
    return [w for w in cards if f"*{title}*" in w.message.text]


async def test_a_closed_programs_event_card_is_refused_not_listed_nor_shown_again(sqlite_db, clock, locale, capsys):
    core, port, anna = await _program(sqlite_db, clock, locale)
    erik = Chat(core, port, "Erik")
    await start(erik, Cards(erik), locale)
    rsvp = erik.newest_card()
    assert rsvp is not None and "*X1*" in rsvp.text and options(rsvp.card)[0].value == "3"
    assert _titled(await Cards(erik).waiting(), "X1")  # it waits while the program runs
    await anna.say("program close force=yes")
    await anna.say("1")  # Yes, close it
    assert not [r for r in await anna.say('program archive "Mentorprogram 2027"') if "errors/" in r.kind]
    capsys.readouterr()

    again = Chat(core, port, "Erik")  # his next session
    await start(again, Cards(again), locale)
    out = capsys.readouterr().out
    assert said(locale, "shown_again") not in out and "*X1*" not in out and ".ics" not in out
    assert not _titled(await Cards(again).waiting(), "X1")
    pressed = await again.click("rsvp.yes", "3", on=rsvp)  # the card from before, pressed all the same
    assert [r.kind for r in pressed] == ["errors/stale_action"] and not pressed[0].files
    async with sqlite_db.read() as s:
        assert (await s.exec(select(EventRsvp))).all() == []


async def test_cards_lists_and_shows_again_only_cards_that_can_still_be_answered(sqlite_db, clock, locale, capsys):
    core, port, anna = await _program(sqlite_db, clock, locale)
    hanna = Chat(core, port, "Hanna")
    assert _titled(await Cards(hanna).waiting(), "X1")
    agreement = [w for w in await Cards(hanna).waiting() if options(w.message.card)[0].action_id.startswith("agree.")]
    assert agreement  # the first meeting's checklist waits while the pair runs
    await anna.say("event edit 3 time=11:00")  # "moved", with its buttons
    assert len(_titled(await Cards(hanna).waiting(), "X1")) == 1  # one card stands for the same buttons
    erik = Chat(core, port, "Erik")
    await start(erik, Cards(erik), locale)  # he reads that it moved
    await erik.say("leave")
    left = await erik.say(YES[locale])  # answered by typing: the question stays his newest card
    assert not [r for r in left if "errors/" in r.kind] and erik.newest_card() is not None
    await Cards(erik).remember()
    await anna.say("event remove 3 confirm=yes")
    capsys.readouterr()

    again = Chat(core, port, "Erik")
    await start(again, Cards(again), locale)
    assert said(locale, "shown_again") not in capsys.readouterr().out  # the answered question is not shown again
    assert again.newest_card() is None and await Cards(again).waiting() == []
    # Hanna's checklist of a pair that has ended, and the cards of an event cancelled since, wait for nothing.
    assert await Cards(hanna).waiting() == []
