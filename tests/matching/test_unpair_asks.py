"""`unpair N REASON` (`avsluta-par N MOTIVERING`) asks first, as the other
commands that undo people's plans do (the probe: it ended a pair at once):
the question names the pair and the reason, says what ending it does (both
are told, the pair's reminders stop, the mentee goes back among those to
match) and how to undo it; No leaves the pair as it was and tells nobody,
Yes (the button's value, as a client sends it) or the typed `confirm=yes`
ends it. A pair approved but not yet announced: nobody is told, and the
question says so. Swedish and English, through the console."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.store.models import Pairing, PairStatus
from tests.core.cockpit import announce, cockpit_world, enroll
from tests.core.harness import confirmed, pair_of, texts

SAY = {
    "sv": {
        "unpair": "avsluta-par",
        "asked": "Avsluta paret #{n} Eva → David i Mentorprogram 2027 (motivering: ”Personkemin fungerade inte”)? Båda får veta att "
        "paret är avslutat, påminnelserna till paret upphör och Eva kommer tillbaka bland dem som ska matchas. "
        "Blev det fel tar `avsluta-par ångra {n}` tillbaka paret (båda får då veta att det fortsätter). "
        "Vill du avsluta paret?",
        "not_told": "Paret har inte presenterats än, så ingen av dem får något besked",
        "kept": "Okej, jag gjorde ingenting.",
        "ended": "Paret #{n} Eva → David är avslutat. Båda har fått veta.",
        "notice": "är avslutat av samordnaren",
        "typed": "bekräfta=ja",
    },
    "en": {
        "unpair": "unpair",
        "asked": "End pair #{n} Eva → David in Mentorprogram 2027 (reason: “Personkemin fungerade inte”)? Both are told the pair has "
        "ended, the pair's reminders stop, and Eva goes back among those to match. If it was a mistake, "
        "`unpair undo {n}` brings the pair back (both are then told it goes on). End the pair?",
        "not_told": "The pair has not been announced yet, so neither of them is told",
        "kept": "All right, I did nothing.",
        "ended": "Pair #{n} Eva → David has ended. Both have been told.",
        "notice": "has been ended by the coordinator",
        "typed": "confirm=yes",
    },
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    """Eva (Knivsta) with David (Täby), announced."""
    w = await cockpit_world(sqlite_db, clock, request.param)
    w.say = SAY[request.param]
    await enroll(w, "Eva", "adept", "Knivsta kommun")
    await enroll(w, "David", "mentor", "Täby kommun")
    await announce(w)
    for name in ("Anna", "Eva", "David"):
        w[name].inbox()
    return w


async def _status(world, n: int) -> str:
    async with world.core.db.read() as s:
        return (await s.exec(select(Pairing.status).where(Pairing.id == n))).one()


async def test_unpair_asks_first_and_no_leaves_the_pair_and_tells_nobody(world):
    anna, say = world["Anna"], world.say
    n = await pair_of(world.core.db, "Eva")
    asked = await anna.say(f"{say['unpair']} {n} Personkemin fungerade inte")
    assert [m.kind for m in asked] == ["matching/unpair_confirm"]
    assert asked[0].text == say["asked"].format(n=n), asked[0].text
    assert await _status(world, n) == PairStatus.ANNOUNCED  # nothing done yet
    assert say["kept"] in texts(await anna.choose(2, asked))  # No
    assert await _status(world, n) == PairStatus.ANNOUNCED
    assert world["Eva"].inbox() == [] and world["David"].inbox() == []


async def test_yes_ends_the_pair_and_tells_both(world):
    anna, say = world["Anna"], world.say
    n = await pair_of(world.core.db, "Eva")
    done = await confirmed(anna, f"{say['unpair']} {n} Personkemin fungerade inte")
    assert say["ended"].format(n=n) in texts(done), texts(done)
    assert await _status(world, n) == PairStatus.ENDED
    for name in ("Eva", "David"):
        assert say["notice"] in texts(world[name].inbox())


async def test_the_confirmation_can_be_typed(world):
    anna, say = world["Anna"], world.say
    n = await pair_of(world.core.db, "Eva")
    done = await anna.say(f"{say['unpair']} {n} Personkemin fungerade inte {say['typed']}")
    assert say["ended"].format(n=n) in texts(done), texts(done)
    assert await _status(world, n) == PairStatus.ENDED


async def test_a_pair_not_yet_announced_is_asked_about_as_one_nobody_hears_of(world):
    anna, say = world["Anna"], world.say
    await enroll(world, "Fia", "adept", "Knivsta kommun")
    await enroll(world, "Gustav", "mentor", "Täby kommun")
    for line in ("match", "match approve"):
        await anna.say(line)
    n = await pair_of(world.core.db, "Fia")
    asked = await anna.say(f"{say['unpair']} {n} Fel par")
    assert [m.kind for m in asked] == ["matching/unpair_confirm"]
    assert say["not_told"] in asked[0].text, asked[0].text
    await confirmed(anna, f"{say['unpair']} {n} Fel par")
    assert await _status(world, n) == PairStatus.ENDED
    assert world["Fia"].inbox() == [] and world["Gustav"].inbox() == []
