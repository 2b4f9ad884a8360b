"""A coordinator's `unpair` can be taken back, and what keeps an ended pair
apart can be lifted.

- `unpair undo N` (`avsluta-par ångra N`) restores the pair while both still
  take part and neither has been paired anew, after asking (the question
  names the pair and says both will be told): both hear, in neutral words,
  that the pair is restored, its nudges are planned again; otherwise the
  answer says why not. `unpair`'s reply names the undo.
- `match unexclude ADEPT MENTOR` (`matcha tillåt`) lifts the rule that a pair
  that has been one is not proposed again (it said "not excluded, nothing to
  undo"); a pair that ends after that is kept apart again.
- The draft names a mentor with room who is kept from an adept only for
  having been their mentor, with the command that lifts it, and the adept is
  not told that "the mentors who fit you already have their mentees".

Swedish and English, through the console."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.store.models import Enrollment, EnrollmentStatus, Pairing, PairStatus, Person, Reminder, ReminderStatus
from tests.core.cockpit import announce, cockpit_world, enroll
from tests.core.harness import confirmed, texts
from tests.matching.test_unavailable_mentors import _card_text, _line

SAY = {
    "sv": {
        "unpair": "avsluta-par",
        "undo": "avsluta-par ångra",
        "allow": "matcha tillåt",
        "hint": "Ångra med `avsluta-par ångra {n}` (båda får då veta att paret fortsätter).",
        "back": "Paret #{n} Eva → David är tillbaka: båda har fått veta att paret är återställt och fortsätter",
        "notice": "Ditt mentorpar med {other} i Mentorprogram 2027 är återställt och fortsätter som förut",
        "asks": "Ta tillbaka paret #{n} Eva → David i Mentorprogram 2027? Båda får veta att paret är återställt",
        "not_ended": "Paret `{n}` är inte avslutat, så det finns inget att ångra.",
        "unknown": "Det finns inget avslutat par `99` i programmet att ta tillbaka.",
        "paired_since": "Paret #{n} Eva → David kan inte tas tillbaka: Eva har fått ett nytt par sedan dess (#{m}).",
        "gone": "Paret #{n} Eva → David kan inte tas tillbaka: David är inte längre aktiv i programmet",
        "full": "den enda mentorn som passar har ingen plats just nu: Gustav har fullt (1 av 1)",
        "aside": 'David har plats men har redan varit hens mentor (par #{n}): `matcha tillåt "Eva" "David"` '
        "låter dem föreslås igen",
        "allowed": "Eva och David kan föreslås som par igen vid nästa `matcha`. De har varit ett par förut "
        "(#{n}, avslutat: Fel par); det hindrar dem inte längre.",
        "not_excluded": "är varken uteslutna som par eller ett tidigare par",
        "heard": "de mentorer som passar dig och har plats har du redan haft som mentor",
        "false": "mentorerna som passar dig har redan fått sina adepter",
    },
    "en": {
        "unpair": "unpair",
        "undo": "unpair undo",
        "allow": "match unexclude",
        "hint": "To undo it: `unpair undo {n}` (both are then told the pair goes on).",
        "back": "Pair #{n} Eva → David is back: both have been told the pair is restored and goes on",
        "notice": "Your mentor pair with {other} in Mentorprogram 2027 is restored and goes on as before",
        "asks": "Bring back pair #{n} Eva → David in Mentorprogram 2027? Both will be told the pair is restored",
        "not_ended": "Pair `{n}` has not ended, so there is nothing to undo.",
        "unknown": "There is no ended pair `99` in the program to bring back.",
        "paired_since": "Pair #{n} Eva → David cannot be brought back: Eva has had a new pair since (#{m}).",
        "gone": "Pair #{n} Eva → David cannot be brought back: David no longer takes part in the program actively",
        "full": "the one mentor who fits has no place right now: Gustav is full (1 of 1)",
        "aside": 'David has room but has been their mentor before (pair #{n}): `match unexclude "Eva" "David"` '
        "lets them be proposed again",
        "allowed": "Eva and David may be proposed as a pair again at the next `match`. They have been a pair "
        "before (#{n}, ended: Fel par); that no longer keeps them apart.",
        "not_excluded": "are neither excluded as a pair nor a former pair",
        "heard": "the mentors who fit you and have room are ones you have already had as your mentor",
        "false": "the mentors who fit you already have their mentees",
    },
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    """Eva (Knivsta) may have David (Täby) or Gustav (Vallentuna); Bertil
    (Täby) only Gustav: the match is Eva → David, Bertil → Gustav."""
    w = await cockpit_world(sqlite_db, clock, request.param)
    w.say = SAY[request.param]
    await w["Anna"].say("org add Vallentuna kommun")
    await enroll(w, "Eva", "adept", "Knivsta kommun")
    await enroll(w, "Bertil", "adept", "Täby kommun")
    await enroll(w, "David", "mentor", "Täby kommun")
    await enroll(w, "Gustav", "mentor", "Vallentuna kommun")
    await announce(w)
    for name in ("Anna", "Eva", "David"):
        w[name].inbox()
    return w


async def _eva_pair(world) -> int:
    """Eva's newest pair (`pair_of` wants her only one)."""
    async with world.core.db.read() as s:
        rows = await s.exec(
            select(Pairing.id)
            .join(Enrollment, Enrollment.id == Pairing.adept_id)
            .join(Person, Person.id == Enrollment.person_id)
            .where(Person.name == "Eva")
        )
        return max(rows.all())


async def _unpair(world) -> int:
    n = await _eva_pair(world)
    world.core.clock.advance(timedelta(hours=1))
    reply = await confirmed(world["Anna"], f"{world.say['unpair']} {n} Fel par")
    assert world.say["hint"].format(n=n) in texts(reply)
    for name in ("Eva", "David"):
        world[name].inbox()
    world.core.clock.advance(timedelta(hours=1))
    return n


async def _pending_nudges(world, n: int) -> list[Reminder]:
    async with world.core.db.read() as s:
        rows = await s.exec(
            select(Reminder).where(
                Reminder.subject == f"pair:{n}", Reminder.kind == "nudge", Reminder.status == ReminderStatus.PENDING
            )
        )
        return list(rows.all())


async def test_unpair_undo_restores_the_pair_tells_both_and_plans_its_nudges(world):
    say, anna = world.say, world["Anna"]
    n = await _unpair(world)
    assert await _pending_nudges(world, n) == []
    question = await anna.say(f"{say['undo']} {n}")  # asks first: nothing is restored, nobody told
    assert [m.kind for m in question] == ["matching/unpair_undo_confirm"], texts(question)
    assert say["asks"].format(n=n) in question[0].text
    assert [m for name in ("Eva", "David") for m in world[name].inbox()] == []
    async with world.core.db.read() as s:
        assert (await s.get(Pairing, n)).status == PairStatus.ENDED
    reply = await confirmed(anna, f"{say['undo']} {n}")
    assert say["back"].format(n=n) in texts(reply)
    for name, other in (("Eva", "David"), ("David", "Eva")):
        told = [m for m in world[name].inbox() if m.kind == "matching/unpair_undone_notice"]
        assert len(told) == 1 and say["notice"].format(other=other) in told[0].text
        assert "mistake" not in told[0].text and "Förlåt" not in told[0].text
    async with world.core.db.read() as s:
        row = await s.get(Pairing, n)
        assert (row.status, row.ended_at, row.end_reason) == (PairStatus.ANNOUNCED, None, None)
    assert {r.person_id for r in await _pending_nudges(world, n)}, "both are nudged again"
    draft = _card_text(await anna.say("match"))
    assert "• Eva" not in draft  # paired again: not among those to match
    assert say["not_ended"].format(n=n) in texts(await anna.say(f"{say['undo']} {n}"))
    assert say["unknown"] in texts(await anna.say(f"{say['undo']} 99"))


async def test_unpair_undo_refuses_once_a_member_has_a_new_pair_or_has_left(world):
    say, anna = world.say, world["Anna"]
    n = await _unpair(world)
    await anna.say("org add Sigtuna kommun")
    await enroll(world, "Hanna", "mentor", "Sigtuna kommun")
    await announce(world)  # Eva → Hanna
    m = await _eva_pair(world)
    assert m != n
    assert say["paired_since"].format(n=n, m=m) in texts(await anna.say(f"{say['undo']} {n}"))
    async with world.core.db.write() as s:
        david = (
            await s.exec(
                select(Enrollment).join(Person, Person.id == Enrollment.person_id).where(Person.name == "David")
            )
        ).one()
        david.status = EnrollmentStatus.LEFT
        s.add(david)
        row = await s.get(Pairing, m)
        row.status = PairStatus.DRAFT  # as if Eva's new pair had never been
        s.add(row)
    assert say["gone"].format(n=n) in texts(await anna.say(f"{say['undo']} {n}"))


async def test_the_draft_names_the_former_mentor_with_room_and_the_mentee_hears_why(world):
    """The probe: Per-Olof's pair with Karin ended; the draft said only that
    the mentors who fit had no place (not Karin, free), and Per-Olof heard
    that the mentors who fit already had their mentees."""
    say, anna = world.say, world["Anna"]
    n = await _unpair(world)
    eva = _line(_card_text(await anna.say("match")), "Eva")
    assert say["full"] in eva and say["aside"].format(n=n) in eva
    # A new pair is announced while Eva waits: she hears why, truthfully.
    await enroll(world, "Hugo", "adept", "Täby kommun")
    await enroll(world, "Ivar", "mentor", "Knivsta kommun")
    await announce(world)  # Hugo → Ivar; Eva's only mentor with room was her own
    heard = [m.text for m in world["Eva"].inbox() if m.kind == "matching/unmatched_notice"]
    assert len(heard) == 1 and say["heard"] in heard[0] and say["false"] not in heard[0]


async def test_unexclude_lets_an_ended_pair_be_proposed_again_until_it_ends_again(world):
    """`matcha tillåt` answered "not excluded, nothing to undo" and the
    mentor was never proposed again."""
    say, anna = world.say, world["Anna"]
    n = await _unpair(world)
    allowed = texts(await anna.say(f'{say["allow"]} "Eva" "David"'))
    assert say["allowed"].format(n=n) in allowed
    assert say["not_excluded"] in texts(await anna.say(f'{say["allow"]} "Eva" "David"'))
    draft = _card_text(await anna.say("match"))
    assert "Eva (Knivsta kommun) → David (Täby kommun)" in draft
    # Paired again and ended again: kept apart again, and named again.
    await anna.say("match approve")
    await anna.say("match announce")
    again = await _unpair(world)
    eva = _line(_card_text(await anna.say("match")), "Eva")
    assert say["aside"].format(n=again) in eva
