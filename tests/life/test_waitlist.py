"""The waitlist keeps moving: an adept left without a mentor is told why and
what next; a mentor with no adept is thanked and asked about later; the
waitlist count survives `match announce`; waitlisting and exclusion can be
undone; a mentor's freed place offers the coordinator a new match.
Swedish and English, through the console harness."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.messages import Fields
from bot.store.models import Enrollment, MatchExclusion, Pairing, Person
from tests.core.harness import confirmed, enroll, texts
from tests.life.helpers import COHORT, Year

# David and Ivar (Knivsta) can only have Gustav (Täby): one of them is left over,
# and one of the three Knivsta mentors has nobody. Lars waits on the waitlist.
MORE = {
    **COHORT,
    "Ivar": ("adept", "Knivsta kommun", ["staffing"]),
    "Karin": ("mentor", "Knivsta kommun", ["budget"]),
    "Lars": ("adept", "Täby kommun", ["change"]),
}
SAY = {
    "sv": {
        "why": "mentorerna som passar dig har redan fått sina adepter",
        "next": "du är med i nästa matchning",
        "idle": "så du har ingen adept just nu",
        "status": "Det fanns ingen mentor som passade dig",
        "later": "Tack! Kommer det en adept",
        "offer": "väntar på en mentor",
        "waitlisted_status": "väntelistan",
        "told": "utan mentor har fått veta varför",
    },
    "en": {
        "why": "the mentors who fit you already have their mentees",
        "next": "you are in the next matching",
        "idle": "so you have no mentee right now",
        "status": "There was no mentor who fitted you",
        "later": "Thank you! If a mentee",
        "offer": "waiting for a mentor",
        "waitlisted_status": "waitlist",
        "told": "without a mentor was told why",
    },
}


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    y = Year(sqlite_db, clock, request.param)
    await y.start(cohort=MORE, announce=False)
    y.say = SAY[request.param]
    return y


async def _unpaired(db, role: str) -> list[str]:
    async with db.read() as s:
        paired = {
            i
            for p in (await s.exec(select(Pairing).where(Pairing.status == "announced"))).all()
            for i in (p.adept_id, p.mentor_id)
        }
        rows = (
            await s.exec(
                select(Enrollment, Person)
                .join(Person, Person.id == Enrollment.person_id)
                .where(Enrollment.role == role)
            )
        ).all()
    return [p.name for e, p in rows if e.id not in paired and not e.waitlisted]


async def test_the_unpaired_are_told_why_and_the_waitlist_count_stays(year):
    anna = year["Anna"]
    await anna.say("match waitlist Lars")
    for line in ("match", "match approve"):
        await anna.say(line)
    announced = texts(await anna.say("match announce"))
    assert year.say["told"] in announced
    [left_adept] = await _unpaired(year.db, "adept")
    [idle_mentor] = await _unpaired(year.db, "mentor")
    notice = texts(year[left_adept].inbox())
    assert year.say["why"] in notice and year.say["next"] in notice
    assert year.say["status"] in texts(await year[left_adept].say("status"))
    idle = year[idle_mentor].inbox()
    assert year.say["idle"] in texts(idle)
    assert year.say["later"] in texts(await year[idle_mentor].choose(1, idle))
    async with year.db.read() as s:
        karin = (
            await s.exec(
                select(Enrollment).join(Person, Person.id == Enrollment.person_id).where(Person.name == idle_mentor)
            )
        ).one()
        assert karin.answers["take_one_later"] is True
    # The waitlisted adept was told, and still counts on the waitlist.
    assert year.say["waitlisted_status"] in texts(await year["Lars"].say("status"))
    home = (await anna.say("home"))[0].card
    fields = dict(next(b for b in home.blocks if isinstance(b, Fields)).items)
    assert list(fields.values())[2] == "1"  # adepts, matched, waitlist, ...


async def test_waitlisting_and_exclusion_can_be_undone(year):
    anna = year["Anna"]
    await anna.say("match waitlist Lars")
    await anna.say("match unwaitlist Lars")
    async with year.db.read() as s:
        lars = (
            await s.exec(
                select(Enrollment).join(Person, Person.id == Enrollment.person_id).where(Person.name == "Lars")
            )
        ).one()
    assert lars.waitlisted is False
    again = await anna.say("match unwaitlist Lars")
    assert [r.kind for r in again] == ["matching/errors/not_waitlisted"]
    await anna.say("match")
    async with year.db.read() as s:
        first = (await s.exec(select(Pairing).order_by(Pairing.id))).first()
        names = {
            e.id: p.name
            for e, p in (await s.exec(select(Enrollment, Person).join(Person, Person.id == Enrollment.person_id))).all()
        }
    await anna.say(f"match exclude {first.id}")
    await anna.say(f"match unexclude {names[first.adept_id]} {names[first.mentor_id]}")
    async with year.db.read() as s:
        assert (await s.exec(select(MatchExclusion))).all() == []


async def test_a_freed_place_offers_the_coordinator_a_match(year):
    anna = year["Anna"]
    for line in ("match", "match approve", "match announce"):
        await anna.say(line)
    anna.inbox()
    async with year.db.read() as s:
        gustav_pair = (
            await s.exec(
                select(Pairing)
                .join(Enrollment, Enrollment.id == Pairing.mentor_id)
                .join(Person, Person.id == Enrollment.person_id)
                .where(Person.name == "Gustav")
            )
        ).one()
    offer = await confirmed(anna, f"unpair {gustav_pair.id} byter tjänst")  # Anna's own DM: part of her reply
    assert year.say["offer"] in texts(offer)
    draft = await anna.choose(1, [m for m in offer if m.kind == "matching/offer"])
    assert draft[0].kind == "matching/draft_heading"


async def test_a_late_mentors_offer_drafts_the_waitlist_it_counts(year):
    """Lars was put on the waitlist for the first round; a mentor who joins
    before the announcement brings an offer that counts him: its button's
    draft has him, not "no new pairs" with him on the waitlist."""
    anna = year["Anna"]
    await anna.say("match waitlist Lars")
    await anna.say("match")
    await enroll(year.db, year.clock, 1, "Maja", "mentor", "Knivsta kommun", ["change"], status="pending")
    approved = await anna.say("approve-participant Maja")
    offer = [m for m in approved if m.kind == "matching/offer"]
    assert len(offer) == 1 and year.say["offer"] in offer[0].text
    draft = await anna.choose(1, offer)
    card = "\n".join(b.text for m in draft if m.card for b in m.card.blocks if hasattr(b, "text"))
    assert any(line.startswith("• #") and "Lars" in line for line in card.splitlines())
