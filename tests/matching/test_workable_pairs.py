"""A pair must be able to talk and should be able to meet: no common language
is a hard rule, and a pair with no way of meeting (one only in person, the
other only digitally) is proposed only when nothing else gives as many
adepts a mentor. The tester's cohort: Björn (English, digital) was given
Lena (Swedish, in person in Täby) for one shared topic, and Erik (English,
digital) was left over."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.matching import AdeptIn, MentorIn, Rules, Unmatched, UnmatchedCode, greedy_assign, solve, violation
from bot.matching.warnings import warnings
from bot.store.models import Enrollment, Pairing, Person
from tests.core.cockpit import cockpit_world, enroll

SOLVERS = pytest.mark.parametrize("assign", [solve, greedy_assign], ids=["optimal", "greedy"])


def _adept(id, org, topics, formats, languages, place=None):
    return AdeptIn(
        id, org, topics=frozenset(topics), formats=frozenset(formats), place=place, languages=frozenset(languages)
    )


def _mentor(id, org, topics, formats, languages, place=None, capacity=1):
    return MentorIn(
        id,
        org,
        capacity=capacity,
        topics=frozenset(topics),
        formats=frozenset(formats),
        place=place,
        languages=frozenset(languages),
    )


MIXED = ("in_person", "digital", "mixed")
# The probe's first round, with its enrollment ids (not list positions).
BJORN = _adept(1, "Solna", ("staffing", "communication", "time_management"), ("digital",), ("en",))
CECILIA = _adept(2, "Danderyd", ("budget", "strategy"), ("in_person",), ("sv", "en"), "Danderyd")
DAVID = _adept(3, "Täby", ("work_environment", "recruitment"), ("in_person",), ("sv",), "Täby")
MARIA = _mentor(4, "Solna", ("conflict", "staffing", "change", "own_role"), MIXED, ("sv", "en"), "Solna", capacity=2)
ERIK = _mentor(5, "Danderyd", ("change", "coaching", "strategy"), ("digital",), ("sv", "en"))
LENA = _mentor(
    6, "Täby", ("conflict", "work_environment", "recruitment", "communication"), ("in_person",), ("sv",), "Täby"
)
OLOF = _mentor(8, "Solna", ("budget", "strategy", "collaboration"), ("digital",), ("sv",))


@SOLVERS
def test_the_testers_cohort_gives_bjorn_the_mentor_he_can_talk_to(assign):
    result = assign([DAVID, BJORN, CECILIA], [OLOF, LENA, ERIK, MARIA], Rules())
    assert result.mentor_of(BJORN.id) == ERIK.id
    assert result.unmatched == ()
    adepts = {a.id: a for a in (BJORN, CECILIA, DAVID)}
    mentors = {m.id: m for m in (MARIA, ERIK, LENA, OLOF)}
    for pair in result.pairs:  # every proposed pair can talk and meet: no hard warning on any
        assert not [w for w in warnings(adepts[pair.adept_id], mentors[pair.mentor_id]) if w.hard], pair


def test_no_common_language_is_a_hard_rule_with_its_own_reason():
    assert str(violation(BJORN, LENA, Rules())) == "no_shared_language"
    assert violation(BJORN, ERIK, Rules()) is None
    unknown = _adept(7, "Solna", (), (), ())  # gave no language: not known, so no rule is broken
    assert violation(unknown, LENA, Rules()) is None
    result = solve([BJORN], [LENA, OLOF], Rules())  # Olof: same organisation; Lena: Swedish only
    assert result.unmatched == (Unmatched(BJORN.id, UnmatchedCode.NO_SHARED_LANGUAGE, ("en",)),)


@SOLVERS
def test_a_pair_that_can_meet_beats_a_pair_that_shares_more_topics(assign):
    digital = _adept(21, "Lund", ("budget", "conflict", "change"), ("digital",), ("sv",))
    in_person = _mentor(31, "Malmö", ("budget", "conflict", "change"), ("in_person",), ("sv",), "Malmö")
    online = _mentor(32, "Ystad", (), ("digital",), ("sv",))
    result = assign([digital], [in_person, online], Rules())
    assert result.mentor_of(21) == 32


@SOLVERS
def test_a_pair_that_cannot_meet_is_still_better_than_no_mentor(assign):
    """One more matched adept comes first: the coordinator sees the warning."""
    digital = _adept(21, "Lund", ("budget",), ("digital",), ("sv",))
    anyhow = _adept(22, "Lund", (), (), ("sv",))  # no preference: meets either way
    in_person = _mentor(31, "Malmö", ("budget",), ("in_person",), ("sv",), "Malmö")
    online = _mentor(32, "Ystad", (), ("digital",), ("sv",))
    result = assign([anyhow, digital], [online, in_person], Rules())
    assert {(p.adept_id, p.mentor_id) for p in result.pairs} == {(21, 32), (22, 31)}
    alone = solve([digital], [in_person], Rules())
    assert alone.mentor_of(21) == 31
    assert [w.code for w in warnings(digital, in_person) if w.hard] == ["in_person_vs_digital"]


SAY = {
    "sv": {"left": "alla mentorer som uppfyller regeln är uteslutna (1), talar inget av hens språk (1) eller"},
    "en": {"left": "every mentor who meets the rule is excluded (1), speaks none of their languages (1) or"},
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = await cockpit_world(sqlite_db, clock, request.param)
    w.say, w.db = SAY[request.param], sqlite_db
    return w


def _card_text(messages) -> str:
    return "\n".join(b.text for m in messages if m.card for b in m.card.blocks if hasattr(b, "text"))


async def _draft(db) -> dict[str, tuple[int, str]]:
    """adept name -> (pair id, mentor name) of the draft."""
    async with db.read() as s:
        rows = (await s.exec(select(Pairing).where(Pairing.status == "draft"))).all()
        names = {e.id: (await s.get(Person, e.person_id)).name for e in (await s.exec(select(Enrollment))).all()}
    return {names[r.adept_id]: (r.id, names[r.mentor_id]) for r in rows}


async def test_in_the_chat_the_draft_pairs_by_language_and_says_why_when_none_is_left(world):
    """Through the coordinator's commands: the pair ids are the draft's
    numbers, not positions in it (an approved pair took the first number)."""
    await enroll(world, "Stina", "adept", "Täby kommun", languages=["sv"])
    await enroll(world, "Vera", "mentor", "Knivsta kommun", languages=["sv"])
    anna = world["Anna"]
    await anna.say("match")
    await anna.say("match approve")  # Stina's pair leaves the draft and keeps its number
    await enroll(
        world, "Björn", "adept", "Knivsta kommun", languages=["en"], format="digital", topics=["communication"]
    )
    await enroll(
        world,
        "Lena",
        "mentor",
        "Täby kommun",
        languages=["sv"],
        format="in_person",
        place="Täby",
        topics=["communication"],
    )
    await enroll(world, "Erik", "mentor", "Täby kommun", languages=["sv", "en"], format="digital", topics=[])
    draft = _card_text(await anna.say("match"))
    pairs = await _draft(world.db)
    bjorn_pair, mentor = pairs["Björn"]
    assert mentor == "Erik" and bjorn_pair != 1  # the draft's first pair, not its number
    assert f"#{bjorn_pair} Björn" in draft and "Björn (Knivsta kommun) → Lena" not in draft
    await anna.say(f"match exclude {bjorn_pair}")
    again = _card_text(await anna.say("match"))  # Lena is the one left who meets the rule: never Björn's
    assert "Björn" not in await _draft(world.db)
    assert f"Björn: {world.say['left']}" in again
