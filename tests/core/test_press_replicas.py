"""The same button pressed twice at the same moment, each press reaching
another replica of one PostgreSQL database: it is applied once. The first
press holds its double-click record uncommitted while the second arrives;
the second waits for it and then finds the press already on record
(`bot.presses.first_press`), whether the person's previous turn was a
press (its record is moved) or not (a record is inserted)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import IntegrityError

from bot.messages import Actor, Address, Inbound, Kind, MessageRef, Platform
from bot.people import person_for_actor, turn_start
from bot.presses import first_press, press_prefix
from tests.conftest import fresh_pg_database, migrated

ANNA = Actor(Platform.CONSOLE, "local", "anna", display_name="Anna")


def press(card: str) -> Inbound:
    dm = Address(Platform.CONSOLE, "local", "dm:anna", "anna")
    return Inbound(
        ANNA, dm, Kind.ACTION, action_id="nudge.met", value="1", message=MessageRef(Platform.CONSOLE, "dm:anna", card)
    )


async def pressed_in_a_turn(db, inbound: Inbound, now, recorded=None, release=None) -> bool:
    """A turn's first statement and its press record; with `release`, the
    transaction stays open (the record uncommitted) until it is set."""
    async with db.write() as session:
        _, _, pressed, _ = await turn_start(session, ANNA, now, press_prefix(inbound))
        applied = await first_press(session, inbound, now, pressed)
        if recorded is not None:
            recorded.set()
            await release.wait()
        return applied


@pytest.mark.postgres
@pytest.mark.parametrize("before", ["no press", "another press"])
async def test_the_same_press_on_two_replicas_at_the_same_moment_is_applied_once(clock, before):
    async with fresh_pg_database() as url, migrated(url) as one, migrated(url) as other:
        async with one.write() as session:
            await person_for_actor(session, ANNA, clock.now())
        if before == "another press":
            assert await pressed_in_a_turn(one, press("card-1"), clock.now())
        recorded, release = asyncio.Event(), asyncio.Event()
        first = asyncio.create_task(pressed_in_a_turn(one, press("card-2"), clock.now(), recorded, release))
        await recorded.wait()
        second = asyncio.create_task(pressed_in_a_turn(other, press("card-2"), clock.now()))
        await asyncio.sleep(0.5)
        assert not second.done(), "the second press did not wait for the first one's record"
        release.set()
        assert await first is True
        try:
            applied_again = await second
        except IntegrityError:  # what the turn answers with nothing (`Core.handle`)
            applied_again = False
        assert applied_again is False
        # After another turn the same press is a new one.
        assert await pressed_in_a_turn(other, press("card-3"), clock.now())
        assert await pressed_in_a_turn(one, press("card-2"), clock.now())
