"""`leave` and `consent withdraw` close the loop: the partner and the
coordinator are told in words, the person's reminders stop, their answers are
deleted at once, and `status` no longer shows the program. The consent
question says what is kept, who sees it and for how long."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.config import BotSettings, Config, PrivacySettings
from bot.core import Core
from bot.i18n import render
from bot.reminders.events import plan_event
from bot.reminders.planner import plan_pair
from bot.store.models import DialogState, Enrollment, Organisation, Pairing, Person, Reminder
from tests.core.harness import World, confirmed, texts
from tests.scheduler.helpers import make_event, make_pair, make_person, make_program

UTC = UTC
ANSWERS = {"department": "Hemtjänst Norr", "wishes": "Hur leder jag en grupp som inte litar på mig?"}


async def paired_world(db, clock, **privacy) -> World:
    """Anna (adept, answers given) and Bo (mentor), announced; Cecilia coordinates;
    an event with reminders to everyone is planned."""
    async with db.write() as s:
        program = await make_program(s)
        org = Organisation(name="Täby kommun")
        s.add(org)
        await s.flush()
        anna = await make_person(s, "Anna")
        anna.organisation_id = org.id
        bo = await make_person(s, "Bo", locale="en")
        await make_person(s, "Cecilia")
        pairing = await make_pair(s, program, anna, bo, datetime(2027, 1, 4, 8, 0, tzinfo=UTC))
        pairing.rationale = [{"topics": ["change"], "format": "mixed"}]
        adept = await s.get(Enrollment, pairing.adept_id)
        adept.answers, adept.consent_at = dict(ANSWERS), clock.now()
        s.add(
            DialogState(
                person_id=anna.id,
                program_id=program.id,
                name="adept_intake",
                step="summary",
                data={"answers": dict(ANSWERS)},
                status="done",
            )
        )
        await plan_pair(s, pairing, clock.now())
        event = await make_event(s, program, "inspiration", datetime(2027, 5, 12, 11, 0, tzinfo=UTC))
        await plan_event(s, event, clock.now())
    config = Config(bot=BotSettings(coordinators=("console:local:cecilia",)), privacy=PrivacySettings(**privacy))
    return World(Core(db, config, clock))


async def pending_to(db, name: str) -> list[Reminder]:
    async with db.read() as s:
        person = (await s.exec(select(Person).where(Person.name == name))).one()
        return list(
            (await s.exec(select(Reminder).where(Reminder.person_id == person.id, Reminder.status == "pending"))).all()
        )


async def state_of(db, name: str):
    async with db.read() as s:
        person = (await s.exec(select(Person).where(Person.name == name))).one()
        enrollment = (await s.exec(select(Enrollment).where(Enrollment.person_id == person.id))).one()
        pairing = (await s.exec(select(Pairing))).one()
        states = (await s.exec(select(DialogState).where(DialogState.person_id == person.id))).all()
        return person, enrollment, pairing, states


@pytest.mark.parametrize("typed, done", [("leave", "commands/left"), ("consent withdraw", "privacy/withdrawn")])
async def test_leaving_closes_the_loop(sqlite_db, clock, typed, done):
    world = await paired_world(sqlite_db, clock)
    anna, bo, cecilia = world["Anna"], world["Bo"], world["Cecilia"]
    assert await pending_to(sqlite_db, "Anna")  # event reminders and nudges are planned
    assert "Mentorprogram 2027" in texts(await anna.say("status"))
    assert (await anna.say(typed))[0].card is not None
    (reply,) = await anna.choose(1)
    assert reply.kind == done
    # The partner is told in words, in their language, with the name; so is the coordinator.
    assert texts(bo.inbox()) == render(
        "en", "privacy/partner_ended", program={"name": "Mentorprogram 2027"}, role="adept", name="Anna"
    )
    assert "Anna" in texts(cecilia.inbox())
    # Reminders stop at once, answers are gone, the pair keeps no rationale.
    assert await pending_to(sqlite_db, "Anna") == []
    assert [r.key for r in await pending_to(sqlite_db, "Bo") if r.kind == "nudge"] == []
    person, enrollment, pairing, states = await state_of(sqlite_db, "Anna")
    assert (enrollment.status, enrollment.answers, enrollment.consent_at) == ("left", {}, None)
    assert (pairing.status, pairing.rationale) == ("ended", [])
    assert states == []
    # status no longer shows the program.
    assert "Mentorprogram 2027" not in texts(await anna.say("status"))
    if typed == "consent withdraw":
        assert person.organisation_id is None


@pytest.mark.parametrize(
    "typed, kept", [("leave", "commands/leave_kept"), ("consent withdraw", "privacy/withdraw_kept")]
)
async def test_saying_no_changes_nothing(sqlite_db, clock, typed, kept):
    world = await paired_world(sqlite_db, clock)
    anna = world["Anna"]
    await anna.say(typed)
    (reply,) = await anna.choose(2)
    assert reply.kind == kept
    _, enrollment, pairing, _ = await state_of(sqlite_db, "Anna")
    assert (enrollment.status, enrollment.answers, pairing.status) == ("active", ANSWERS, "announced")
    assert world["Bo"].inbox() == []


async def test_withdrawing_without_a_program_is_answered(sqlite_db, clock):
    world = await paired_world(sqlite_db, clock)
    (reply,) = await world["Dora"].say("consent withdraw")
    assert reply.kind == "errors/not_enrolled"


@pytest.mark.parametrize("locale", ["sv", "en"])
@pytest.mark.parametrize(
    "privacy, says",
    [
        (
            {},
            {"sv": "raderas 30 dagar efter att programmet har slutat", "en": "deleted 30 days after the program ends"},
        ),
        (
            {"answers_days": 14, "free_text_from": "match"},
            {"sv": "raderas 14 dagar efter att ni har matchats", "en": "deleted 14 days after you are matched"},
        ),
    ],
)
async def test_the_consent_question_says_what_who_and_how_long(sqlite_db, clock, locale, privacy, says):
    world = await paired_world(sqlite_db, clock, **privacy)
    await world["Cecilia"].say("invite console:local:dora")
    (question,) = await world["Dora"].say("join")
    assert question.kind == "dialogs/ask/consent_adept"
    text = render(
        locale, "dialogs/ask/consent_adept", program="X", privacy=PrivacySettings(**privacy), names_in_channel=False
    )
    assert says[locale] in text
    assert ("samordnaren ser allt" if locale == "sv" else "coordinator sees everything") in text
    assert (
        ("`samtycke återkalla`" in text and "`glöm mig`" in text)
        if locale == "sv"
        else ("`consent withdraw`" in text and "`forget`" in text)
    )
    assert says["sv"] in question.text


async def test_forget_mid_program_stops_everything_and_tells_without_the_name(sqlite_db, clock):
    world = await paired_world(sqlite_db, clock)
    anna, bo, cecilia = world["Anna"], world["Bo"], world["Cecilia"]
    async with sqlite_db.read() as s:
        anna_id = (await s.exec(select(Person.id).where(Person.name == "Anna"))).one()
        assert (await s.exec(select(Reminder).where(Reminder.person_id == anna_id, Reminder.status == "pending"))).all()
    await anna.say("forget")
    (reply,) = await anna.choose(1)
    assert reply.kind == "commands/forgotten"
    told_bo, told_cecilia = texts(bo.inbox()), texts(cecilia.inbox())
    assert told_bo == render(
        "en", "privacy/partner_ended", program={"name": "Mentorprogram 2027"}, role="adept", name=None
    )
    assert "Your mentee has left" in told_bo
    assert "Anna" not in told_bo and "Anna" not in told_cecilia
    assert "har bett mig radera sina uppgifter" in told_cecilia and "Bo" in told_cecilia
    async with sqlite_db.read() as s:
        # Nothing is pending to the tombstone, and nothing at all of the pair's nudges.
        assert (await s.exec(select(Reminder).where(Reminder.person_id == anna_id))).all() == []
        assert (
            await s.exec(select(Reminder).where(Reminder.kind == "nudge", Reminder.status == "pending"))
        ).all() == []
        tombstone = await s.get(Person, anna_id)
        assert (tombstone.email, tombstone.organisation_id, tombstone.timezone, tombstone.created_at) == (None,) * 4


@pytest.mark.parametrize(
    "locale, going_on",
    [("sv", "Ditt par med Dora fortsätter som vanligt."), ("en", "Your pair with Dora goes on as before.")],
)
async def test_forget_tells_a_mentor_of_two_which_pair_ended_by_the_one_that_goes_on(
    sqlite_db, clock, locale, going_on
):
    """Probe 2, item 20: Bo mentors Anna and Dora; Anna forgets. "Your mentee
    has left" did not say which. Her name may not be written (the notice is
    written after the erasure and would outlive it), so it names the pair
    that goes on."""
    world = await paired_world(sqlite_db, clock)
    async with sqlite_db.write() as s:
        pairing = (await s.exec(select(Pairing))).one()
        dora = await make_person(s, "Dora")
        adept = Enrollment(program_id=pairing.program_id, person_id=dora.id, role="adept", status="active")
        s.add(adept)
        await s.flush()
        s.add(
            Pairing(
                program_id=pairing.program_id,
                adept_id=adept.id,
                mentor_id=pairing.mentor_id,
                status="announced",
                announced_at=pairing.announced_at,
            )
        )
    anna, bo = world["Anna"], world["Bo"]
    await bo.say(f"language {locale}")
    await anna.say("forget")
    (reply,) = await anna.choose(1)
    assert reply.kind == "commands/forgotten"
    told_bo = texts(bo.inbox())
    assert going_on in told_bo and "Anna" not in told_bo, told_bo


# What the question and the coordinator's notice say of the pair, in each language.
PAIR_ENDS = {
    ("leave", "sv"): "Ditt par avslutas",
    ("leave", "en"): "Your pair ends",
    ("consent withdraw", "sv"): "ditt par avslutas",
    ("consent withdraw", "en"): "your pair ends",
}
PAIR_ENDED = {"sv": "Hens par är avslutat", "en": "Their pair has ended"}


@pytest.mark.parametrize("locale", ["sv", "en"])
@pytest.mark.parametrize("typed", ["leave", "consent withdraw"])
@pytest.mark.parametrize("unpaired_first", [False, True])
async def test_leaving_speaks_of_a_pair_only_when_there_is_one(sqlite_db, clock, locale, typed, unpaired_first):
    """After `unpair`, `leave` and `consent withdraw` neither ask about ending
    a pair nor tell the coordinator that one has ended."""
    world = await paired_world(sqlite_db, clock)
    anna, cecilia = world["Anna"], world["Cecilia"]
    for chat in (anna, cecilia):
        await chat.say(f"language {locale}")
    if unpaired_first:  # the coordinator ended the pair earlier
        async with sqlite_db.write() as s:
            pairing = (await s.exec(select(Pairing))).one()
            pairing.rationale = []  # (the world's is a stand-in the match card cannot show)
            s.add(pairing)
        done = await confirmed(cecilia, f"unpair {pairing.id} flyttar")
        assert done[0].kind == "matching/unpaired", done[0].text
    cecilia.inbox()
    (question,) = await anna.say(typed)
    assert (PAIR_ENDS[typed, locale] in question.text) is not unpaired_first, question.text
    await anna.choose(1)
    notice = texts(cecilia.inbox())
    assert ("Anna har lämnat" if locale == "sv" else "Anna has left") in notice
    assert (PAIR_ENDED[locale] in notice) is not unpaired_first, notice
