"""`met` by someone in two pairs (a mentor with two mentees): asked which pair
met, with a button per pair carrying the pair's id; the meeting is logged for
the pressed pair only, with the date typed."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from bot.messages import Buttons
from bot.store.models import Enrollment, Meeting, Pairing, Person
from tests.core.cockpit import announce, cockpit_world, enroll

ASKED = {"sv": "Vilket av dina par träffades", "en": "Which of your pairs met"}


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_a_mentor_with_two_mentees_is_asked_which_pair_met(sqlite_db, clock, locale):
    world = await cockpit_world(sqlite_db, clock, locale)
    await enroll(world, "Bertil", "adept", "Täby kommun")  # enrolled first: his pair is not the newest
    await enroll(world, "Cecilia", "adept", "Täby kommun")
    await enroll(world, "Frida", "mentor", "Knivsta kommun", capacity=2)
    await announce(world)
    async with sqlite_db.read() as s:
        pairs = {
            name: pairing.id
            for pairing, name in (
                await s.exec(
                    select(Pairing, Person.name)
                    .join(Enrollment, Enrollment.id == Pairing.adept_id)
                    .join(Person, Person.id == Enrollment.person_id)
                )
            ).all()
        }
    assert set(pairs) == {"Bertil", "Cecilia"}

    clock.advance(timedelta(days=60))  # 2027-02-10 has been
    (question,) = await world["Frida"].say("met 2027-02-10 60")
    assert question.kind == "nudges/which_pair" and ASKED[locale] in question.text
    (buttons,) = [b for b in question.card.blocks if isinstance(b, Buttons)]
    by_label = {b.label: b for b in buttons.buttons}
    assert set(by_label) == {"Bertil", "Cecilia"}
    async with sqlite_db.read() as s:
        assert (await s.exec(select(Meeting))).all() == [], "nothing is logged before a pair is pressed"

    bertil = by_label["Bertil"]
    assert bertil.value.split(":")[0] == str(pairs["Bertil"])  # the pair's id, not its place on the card
    await world["Frida"].click(bertil.action_id, bertil.value, on=question)
    async with sqlite_db.read() as s:
        meetings = (await s.exec(select(Meeting))).all()
    assert [(m.pairing_id, m.held_on, m.minutes) for m in meetings] == [(pairs["Bertil"], date(2027, 2, 10), 60)]


async def test_a_forged_pair_id_logs_nothing(sqlite_db, clock):
    world = await cockpit_world(sqlite_db, clock, "en")
    await enroll(world, "Bertil", "adept", "Täby kommun")
    await enroll(world, "Cecilia", "adept", "Täby kommun")
    await enroll(world, "Frida", "mentor", "Knivsta kommun", capacity=2)
    await enroll(world, "Gustav", "adept", "Knivsta kommun")
    await enroll(world, "Hedda", "mentor", "Täby kommun")
    await announce(world)
    async with sqlite_db.read() as s:
        others = [p.id for p in (await s.exec(select(Pairing))).all()]
    (question,) = await world["Frida"].say("met")
    for value in (f"{max(others) + 7}::", "x:2027-02-10:60", f"{others[0]}:not-a-date:"):
        await world["Frida"].click("met.pair", value, on=question)
    async with sqlite_db.read() as s:
        logged = (await s.exec(select(Meeting))).all()
    assert all(m.pairing_id in others for m in logged)
    hedda_pair = [p for p in others if str(p) not in {b.value.split(":")[0] for b in _buttons(question)}]
    await world["Frida"].click("met.pair", f"{hedda_pair[0]}::", on=question)  # someone else's pair
    async with sqlite_db.read() as s:
        assert not [m for m in (await s.exec(select(Meeting))).all() if m.pairing_id == hedda_pair[0]]


def _buttons(message):
    return [b for block in message.card.blocks if isinstance(block, Buttons) for b in block.buttons]
