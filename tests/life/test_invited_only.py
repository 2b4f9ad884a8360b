"""A program someone is only invited to is not offered for a pause beside a
program they take part in, nor for withdrawing consent (trial 2, finding
24): no consent was given there. Someone only invited who withdraws consent
is told so; a pause of the sign-up itself still works as before."""

from __future__ import annotations

import pytest

from bot.messages import Buttons
from bot.store.models import EnrollmentStatus
from tests.core.harness import World, enroll, make_core, texts, typed_cleanly

SETUP = (
    "program create Stockholm 2027 start=2027-01-19 end=2027-12-15",
    "program create Trafikverket 2027 start=2027-01-19 end=2027-12-15",
    "org add Solna stad program=stockholm-2027",
    "org add Solna stad program=trafikverket-2027",
)


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = World(make_core(sqlite_db, clock, locale=request.param, coordinators=("console:local:eva",)))
    await typed_cleanly(w["Eva"], SETUP)
    await w["Anna"].say("help")
    await enroll(sqlite_db, clock, 1, "Anna", "adept", "Solna stad", ["budget"])
    # Invited to the second program, not answered yet.
    await enroll(sqlite_db, clock, 2, "Anna", "adept", "Solna stad", [], status=EnrollmentStatus.INVITED)
    return w


def _buttons(message) -> list[tuple[str, str]]:
    return [
        (b.action_id, b.value) for block in message.card.blocks if isinstance(block, Buttons) for b in block.buttons
    ]


async def test_home_offers_a_pause_only_where_she_takes_part(world):
    (home,) = await world["Anna"].say("home")
    assert [a for a, _ in _buttons(home) if a == "home.pause"] == ["home.pause"], _buttons(home)


async def test_pause_and_consent_withdraw_do_not_ask_about_the_invitation(world):
    paused = await world["Anna"].say("pause")
    assert paused[-1].kind == "commands/paused", texts(paused)
    withdraw = await world["Anna"].say("consent withdraw")
    assert withdraw[-1].kind == "privacy/withdraw_confirm", texts(withdraw)
    assert "Stockholm 2027" in withdraw[-1].text and "Trafikverket" not in withdraw[-1].text


async def test_someone_only_invited_is_told_there_is_no_consent_to_withdraw(world):
    await world["Bo"].say("help")
    invited = await world["Eva"].say("invite console:local:bo program=trafikverket-2027")
    assert invited[-1].kind == "commands/invited", texts(invited)
    (reply,) = await world["Bo"].say("consent withdraw")
    assert reply.kind == "errors/only_invited", reply.text
    assert "Trafikverket 2027" in reply.text
    # A pause of the sign-up itself is still asked about, as before (no reminders while signing up).
    asked = await world["Bo"].say("pause")
    assert asked[-1].kind == "commands/pause_confirm", texts(asked)


async def test_the_invitation_can_still_be_paused_by_name(world):
    paused = await world["Anna"].say("pause program=trafikverket-2027")
    assert paused[-1].kind in ("commands/paused", "commands/pause_confirm"), texts(paused)


async def test_a_cancelled_sign_up_elsewhere_is_not_taking_part(sqlite_db, clock):
    """Anna cancelled her sign-up to the first program and is invited to the
    second: she takes part in neither, so home offers a pause of the
    invitation, as `pause` does (a cancelled sign-up counted as taking part
    and hid the button, as a declined one never did)."""
    w = World(make_core(sqlite_db, clock, locale="sv", coordinators=("console:local:eva",)))
    for line in SETUP:
        await w["Eva"].say(line)
    for name in ("Bo", "Anna"):
        await w[name].say("help")
    await enroll(sqlite_db, clock, 2, "Bo", "adept", "Solna stad", ["budget"])  # the invitation's id is not 2
    await enroll(sqlite_db, clock, 1, "Anna", "adept", "Solna stad", [], status=EnrollmentStatus.CANCELLED)
    invited = await w["Eva"].say("invite console:local:anna program=trafikverket-2027")
    assert invited[-1].kind == "commands/invited", texts(invited)
    (home,) = await w["Anna"].say("home")
    assert ("home.pause", "3") in _buttons(home), (home.text, _buttons(home))
    asked = await w["Anna"].say("pause")
    assert asked[-1].kind == "commands/pause_confirm" and "Trafikverket 2027" in asked[-1].text, texts(asked)
