"""One enrollment per person and program; changing role is a confirmed step,
and pressing the same button twice changes nothing and says nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.store.models import AuditLog, Enrollment
from tests.dialogs.conftest import COORDINATOR, make_world
from tests.dialogs.script import ADEPT, asked, run

SWITCH = {"sv": "Ja, byt till mentor", "en": "Yes, switch to mentor"}
KEEP = {"sv": "Nej, fortsätt som adept", "en": "No, stay a mentee"}


@pytest.fixture(params=["sv", "en"])
async def lw(request, sqlite_db, clock):
    world = await make_world(sqlite_db, clock, locale=request.param)
    world.locale = request.param
    return world


async def enrollments(world, name):
    async with world.db.read() as s:
        person = await world.person(name)
        return list((await s.exec(select(Enrollment).where(Enrollment.person_id == person.id))).all())


async def test_join_as_mentor_when_enrolled_as_adept_asks_first_and_creates_nothing(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale)
    await anna.say("1")  # confirm: an active adept
    asked_to_switch = await anna.say("join role=mentor")
    assert asked(asked_to_switch) == "dialogs/role_change_ask"
    assert [(e.role, e.status) for e in await enrollments(lw, "Anna")] == [("adept", "active")]
    labels = [b.label for b in asked_to_switch[-1].card.blocks[1].buttons]
    assert labels == [SWITCH[lw.locale], KEEP[lw.locale]]

    kept = await anna.choose(2)
    assert [(e.role, e.status) for e in await enrollments(lw, "Anna")] == [("adept", "active")]
    assert ("adept" if lw.locale == "sv" else "mentee") in kept[-1].text


async def test_confirming_the_switch_turns_the_same_enrollment_into_a_mentor(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale)
    await anna.say("1")
    (before,) = await enrollments(lw, "Anna")
    card = (await anna.say("join role=mentor"))[-1]
    switched = await anna.choose(1, [card])
    assert asked(switched) == "dialogs/ask/consent_mentor"
    (after,) = await enrollments(lw, "Anna")
    assert after.id == before.id and after.role == "mentor" and after.status == "invited" and after.answers == {}
    async with lw.db.read() as s:
        assert (await s.exec(select(AuditLog).where(AuditLog.action == "enrollment.role_changed"))).first()
    # The same press again: nothing happens, nothing is said.
    assert (
        await anna.click(card.card.blocks[1].buttons[0].action_id, card.card.blocks[1].buttons[0].value, on=card) == []
    )


async def test_a_nominated_adept_is_refused_with_the_reason(lw):
    await run(lw.chat("Anna"), ADEPT, lw.locale)
    await lw.chat("Anna").say("1")
    replies = await lw.chat(COORDINATOR).say("nominate Anna")
    assert replies[-1].kind == "errors/already_adept"
    assert [e.role for e in await enrollments(lw, "Anna")] == ["adept"]


async def test_inviting_a_mentor_as_adept_creates_no_second_enrollment(lw):
    bo = lw.chat("Bo")
    await bo.say("join role=mentor")
    replies = await lw.chat(COORDINATOR).say("invite console:local:bo")
    assert "Bo" in replies[-1].text
    assert [e.role for e in await enrollments(lw, "Bo")] == ["mentor"]


async def test_pressing_join_on_an_invitation_twice_says_welcome_once(lw):
    anna = lw.chat("Anna")
    await anna.say("help")  # known to the bot, so she can be reached
    await lw.chat(COORDINATOR).say("invite console:local:anna")
    (invitation,) = anna.inbox()
    first = await anna.choose(1, [invitation])
    assert asked(first) == "dialogs/ask/consent_adept"
    assert await anna.choose(1, [invitation]) == []


async def test_a_typed_yes_right_after_the_switch_card_answers_it_as_its_yes_button(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale)
    await anna.say("1")
    await anna.say("join role=mentor")
    switched = await anna.say({"sv": "ja", "en": "yes"}[lw.locale])
    assert asked(switched) == "dialogs/ask/consent_mentor", [r.text for r in switched]
    assert [(e.role, e.status) for e in await enrollments(lw, "Anna")] == [("mentor", "invited")]


async def test_a_typed_no_right_after_the_switch_card_keeps_the_role(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale)
    await anna.say("1")
    await anna.say("join role=mentor")
    await anna.say({"sv": "nej", "en": "no"}[lw.locale])
    assert [(e.role, e.status) for e in await enrollments(lw, "Anna")] == [("adept", "active")]


async def test_someone_only_invited_is_asked_as_invited_not_as_signed_up(lw):
    david = lw.chat("David")
    await david.say("help")
    await lw.chat(COORDINATOR).say("invite console:local:david")
    david.inbox()
    (card,) = await david.say("join role=mentor")
    assert card.kind == "dialogs/role_change_ask"
    said = {
        "sv": ("Du är inbjuden som adept", "har inte svarat än", "anmäld", "tas bort"),
        "en": ("You are invited as a mentee", "have not answered yet", "already taking part", "removed"),
    }[lw.locale]
    assert said[0] in card.text and said[1] in card.text, card.text
    assert said[2] not in card.text and said[3] not in card.text, card.text
    switched = await david.say({"sv": "ja", "en": "yes"}[lw.locale])
    assert asked(switched) == "dialogs/ask/consent_mentor", [r.text for r in switched]
    assert [(e.role, e.status) for e in await enrollments(lw, "David")] == [("mentor", "invited")]


async def test_the_switch_card_label_typed_points_to_its_buttons(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale)
    await anna.say("1")
    card = (await anna.say("join role=mentor"))[-1]
    (reply,) = await anna.say(SWITCH[lw.locale])
    assert reply.kind == "core/no_open_question", reply.text
    assert {"sv": "Svara med knapparna på kortet", "en": "Answer with the buttons on the card"}[lw.locale] in reply.text
    assert "confirm=yes" not in reply.text and "bekräfta=ja" not in reply.text  # no such command of hers
    assert [(e.role, e.status) for e in await enrollments(lw, "Anna")] == [("adept", "active")]
    # ... and the card's button still does what it says.
    assert asked(await anna.choose(1, [card])) == "dialogs/ask/consent_mentor"


async def test_a_switch_card_sent_before_still_works_by_its_old_button_ids(lw):
    anna = lw.chat("Anna")
    await run(anna, ADEPT, lw.locale)
    await anna.say("1")
    (before,) = await enrollments(lw, "Anna")
    switched = await anna.click("role.change", f"{before.id}:mentor")
    assert asked(switched) == "dialogs/ask/consent_mentor"
