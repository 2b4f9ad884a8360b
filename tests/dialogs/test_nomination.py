"""Nominations and invitations: the card's buttons start the intake or
decline politely."""

from __future__ import annotations

from datetime import UTC

import pytest

from bot.i18n import render
from tests.dialogs.conftest import COORDINATOR, make_world, text_of
from tests.dialogs.script import MENTOR, asked, line


@pytest.fixture(params=["sv", "en"])
async def lw(request, sqlite_db, clock):
    world = await make_world(sqlite_db, clock, locale=request.param, nominators="anyone")
    world.locale = request.param
    return world


@pytest.fixture
async def world(sqlite_db, clock):
    """Karin, an area manager who takes no part herself, nominates: the
    program allows anyone to (the default is its participants only)."""
    return await make_world(sqlite_db, clock, nominators="anyone")


async def nominated(world):
    karin = world.chat("Karin")
    replies = await karin.say('nominate console:local:bo "Bo har lett socialtjänsten i tio år"')
    assert replies[0].kind == "commands/nominated"
    bo = world.chat("Bo")
    (card,) = bo.inbox()
    assert card.kind == "commands/nomination" and "Karin" in card.text
    return karin, bo, card


async def test_accepting_a_nomination_starts_the_mentor_intake_without_asking_who(lw):
    _karin, bo, card = await nominated(lw)
    replies = await bo.choose(1, [card])  # accept
    assert replies[0].kind == "dialogs/card_accepted" and replies[0].replace is not None
    assert asked(replies) == "dialogs/ask/consent_mentor"
    for typed, expected in MENTOR[1:4]:
        assert asked(await bo.say(line(typed, lw.locale))) == expected
    assert asked(await bo.say("12")) == "dialogs/ask/experience"  # no nominator question
    for typed, _ in MENTOR[6:]:
        await bo.say(line(typed, lw.locale))
    done = await bo.say("1")
    assert asked(done) == "dialogs/done"
    enrollment = await lw.enrollment("Bo", "mentor")
    karin_id = (await lw.person("Karin")).id
    assert enrollment.status == "active" and enrollment.answers["nominated_by"] == karin_id
    assert enrollment.answers["pending_reasons"] == []
    assert lw.chat(COORDINATOR).inbox() == []


async def test_declining_tells_the_nominator_politely(lw):
    karin, bo, card = await nominated(lw)
    replies = await bo.choose(2, [card])
    assert [r.kind for r in replies] == ["dialogs/card_declined", "dialogs/nomination_declined"]
    assert (await lw.enrollment("Bo", "mentor")).status == "declined"
    (told,) = karin.inbox()
    assert told.kind == "dialogs/nomination_declined_nominator" and "Bo" in told.text
    again = await bo.choose(2, [card])
    assert again == []  # a double click: nothing changes, nothing is said
    assert karin.inbox() == []
    # Changing their mind later is fine.
    later = await bo.choose(1, [card])
    assert asked(later) == "dialogs/ask/consent_mentor"
    assert ("ändrat dig" if lw.locale == "sv" else "changed your mind") in text_of(later)


async def test_a_nomination_card_answers_only_its_nominee(world):
    _karin, _bo, card = await nominated(world)
    replies = await world.chat("Eva").choose(1, [card])
    assert [r.kind for r in replies] == ["errors/stale_action"]
    assert (await world.enrollment("Bo", "mentor")).status == "invited"


async def test_accepting_twice_continues_instead_of_restarting(world):
    _karin, bo, card = await nominated(world)
    await bo.choose(1, [card])
    await bo.say("ja")
    replies = await bo.choose(1, [card])
    assert asked(replies) == "dialogs/ask/organisation" and "Välkommen tillbaka" in replies[-1].text


async def test_an_invitation_card_starts_the_adept_intake(lw):
    hanna = lw.chat(COORDINATOR)
    assert (await hanna.say("invite console:local:anna"))[0].kind == "commands/invited"
    anna = lw.chat("Anna")
    (card,) = anna.inbox()
    replies = await anna.choose(1, [card])
    assert asked(replies) == "dialogs/ask/consent_adept"
    await anna.say("ja" if lw.locale == "sv" else "yes")
    enrollment = await lw.enrollment("Anna", "adept")
    assert enrollment.status == "onboarding" and enrollment.consent_at is not None


async def test_an_invitation_card_can_be_declined_as_a_nomination_can(lw):
    """The mentee's invitation has a "No thanks" beside "Yes": it is noted
    as declined and answered kindly, the card's buttons gone."""
    hanna = lw.chat(COORDINATOR)
    await hanna.say("invite console:local:anna")
    anna = lw.chat("Anna")
    (card,) = anna.inbox()
    assert len(card.card.blocks[-1].buttons) == 2
    assert render(lw.locale, "commands/button_decline") in text_of([card])
    replies = await anna.choose(2, [card])
    assert [r.kind for r in replies] == ["dialogs/card_declined", "dialogs/invitation_declined"]
    assert (await lw.enrollment("Anna", "adept")).status == "declined"
    assert hanna.inbox() == []  # no nominator to tell; the list says she declined


async def test_joining_when_already_in(world):
    hanna = world.chat(COORDINATOR)
    await hanna.say("invite console:local:anna")
    anna = world.chat("Anna")
    (card,) = anna.inbox()
    from tests.dialogs.script import ADEPT, run

    await run(anna, ADEPT, "sv")
    await anna.say("1")
    assert asked(await anna.choose(1, [card])) == "dialogs/already_joined"
    assert asked(await anna.say("join")) == "dialogs/already_joined"


async def test_a_mentor_is_told_the_date_of_the_coaching_session(world):
    from datetime import datetime

    from bot.store.models import ProgramEvent

    async with world.db.write() as s:
        s.add(
            ProgramEvent(
                program_id=world.program_id,
                kind="mentor_training",
                audience="mentors",
                starts_at=datetime(2027, 2, 22, 8, 0, tzinfo=UTC),
            )
        )
    _karin, bo, card = await nominated(world)
    await bo.choose(1, [card])
    for typed, _ in MENTOR[1:4]:
        await bo.say(line(typed, "sv"))
    await bo.say("12")
    for typed, _ in MENTOR[6:]:
        await bo.say(line(typed, "sv"))
    done = await bo.say("1")
    assert "måndag 22 februari kl. 09:00" in done[-1].text and "tisdag 19 januari kl. 09:00" in done[-1].text


async def test_the_nominator_is_told_of_an_acceptance_once(lw):
    karin, bo, card = await nominated(lw)
    await bo.choose(1, [card])  # accept
    (told,) = karin.inbox()
    assert told.kind == "dialogs/nomination_accepted_nominator" and "Bo" in told.text
    await bo.say("ja" if lw.locale == "sv" else "yes")
    await bo.choose(1, [card])  # the card again, later: the intake resumes, Karin hears nothing more
    assert karin.inbox() == []


async def test_a_participant_learns_nothing_of_who_already_takes_part_from_a_nomination(lw):
    """A nominee already in the program (an adept, or a mentor nominated by
    someone else) gets the very answer a new nominee gets, word for word;
    nothing is written or sent. The coordinator still gets the precise answer."""
    from sqlmodel import select

    from bot.store.models import Enrollment, Person
    from tests.dialogs.script import ADEPT, run

    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale)
    await anna.say("1")  # Anna takes part as an adept
    karin, bo, card = await nominated(lw)  # Bo is invited as a mentor, nominated by Karin

    async def rows():
        async with lw.db.read() as s:
            query = select(Person.name, Enrollment.role, Enrollment.status, Enrollment.nominated_by).join(
                Person, Person.id == Enrollment.person_id
            )
            return sorted((await s.exec(query)).all())

    before = await rows()
    eva = lw.chat("Eva")
    reason = '"Har lett länge"'
    answers = {who: await eva.say(f"nominate console:local:{who.lower()} {reason}") for who in ("Anna", "Bo", "Dan")}
    assert [r.kind for replies in answers.values() for r in replies] == ["commands/nominated"] * 3
    words = {who: replies[0].text.replace(who, "NN") for who, replies in answers.items()}
    assert words["Anna"] == words["Bo"] == words["Dan"], words
    after = await rows()
    assert [r for r in after if r[0] != "Dan"] == before  # no second nomination, no change of role
    assert anna.inbox() == [] and bo.inbox() == [] and karin.inbox() == []
    too_long = f"{'x' * 1001}"
    assert [r.kind for r in await eva.say(f"nominate console:local:anna {too_long}")] == ["errors/too_long"]
    assert [r.kind for r in await eva.say(f"nominate console:local:erik {too_long}")] == ["errors/too_long"]

    # Bo accepts: Karin, who nominated him, is told; Eva is not.
    await bo.choose(1, [card])
    assert [m.kind for m in karin.inbox()] == ["dialogs/nomination_accepted_nominator"]
    assert eva.inbox() == []

    hanna = lw.chat(COORDINATOR)
    assert [r.kind for r in await hanna.say("nominate console:local:anna")] == ["errors/already_adept"]
    assert [r.kind for r in await hanna.say("nominate console:local:bo")] == ["errors/already_mentor"]


async def test_nominating_again_says_the_nominee_is_already_nominated_not_a_mentor(lw):
    """Bo has been nominated and has not answered: a coordinator who
    nominates him again is told that, not that he is already a mentor."""
    await nominated(lw)
    hanna = lw.chat(COORDINATOR)
    await hanna.say(f"language {lw.locale}")  # her replies are in her own language, not the program's
    (reply,) = await hanna.say("nominate console:local:bo")
    assert reply.kind == "errors/already_mentor"
    already = {"sv": "redan nominerad som mentor", "en": "already nominated as a mentor"}[lw.locale]
    assert already in reply.text and "redan mentor" not in reply.text and "already a mentor" not in reply.text
