"""A coordinator, Helena, who types English only, runs an English and a
Swedish program in an English installation and takes part in neither
(a new-user trial in the console). What she met, each reproduced here."""

from __future__ import annotations

import pytest

from tests.core.harness import World, make_core, typed_cleanly

ENGLISH, SWEDISH = "mentoring-2027", "hostprogram-2027"


@pytest.fixture
async def world(sqlite_db, clock):
    w = World(make_core(sqlite_db, clock, locale="en", coordinators=("console:local:helena",)))
    w.db, w.clock = sqlite_db, clock
    await typed_cleanly(
        w["Helena"],
        (
            "program create Mentoring 2027 start=2027-01-19 end=2027-12-15",
            "program create Höstprogram 2027 start=2027-01-19 end=2027-12-15 locale=sv",
            *(f"org add {org} program={SWEDISH}" for org in ("Enköpings kommun", "Knivsta kommun", "Täby kommun")),
            f"org add Täby kommun program={ENGLISH}",
        ),
    )
    return w


async def test_status_points_a_coordinator_who_takes_part_in_nothing_to_home_and_program_show(world):
    """`status` told her "You are not taking part in a mentor program. Type
    `join` to join.", as if she were a newcomer: a coordinator is shown
    where her programs are (`home`, `program show`); `join` only as taking
    part herself."""
    (status,) = await world["Helena"].say("status")
    assert status.kind == "commands/status" and status.locale == "en", status.text
    assert status.text.startswith("You are not taking part in a mentor program."), status.text
    assert "`home`" in status.text and "`program show`" in status.text, status.text
    assert "Type `join` to join." not in status.text, status.text
    assert "To take part yourself, type `join`." in status.text, status.text  # it is open to her
    # In Swedish, with the Swedish words.
    await world["Helena"].say("language sv")
    (status,) = await world["Helena"].say("status")
    assert "`hem`" in status.text and "`program visa`" in status.text and "Vill du själv delta" in status.text
