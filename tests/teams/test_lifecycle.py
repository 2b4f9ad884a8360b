"""A mentor program in Teams from start to a logged meeting, through the real
server, the real core, dialogues and scheduler, with the fake Bot Connector
standing in for Teams.

Matching runs in chat: the coordinator's `match` (a slow command, acknowledged
first), *Approve* on the draft card, then `match announce`."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.store.models import Enrollment, Meeting, Pairing, PairStatus, Person
from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.dialogs.script import ADEPT, MENTOR, line
from tests.teams.helpers import TEAM_CHANNEL, channel_mention, teams_server, user
from tests.teams.people import TeamsPerson, actions_of

HANNA = user("Hanna", 10)  # coordinator
ANNA = user("Anna", 11)  # adept
BO = user("Bo Mentor", 12)  # mentor

SETUP = (
    "program create Mentorprogram 2027 start=2027-01-15 end=2027-12-31",
    "org add Enköpings kommun",
    "org add Knivsta kommun",
    "org add Täby kommun",
    'event add kickoff 2027-01-19 09:00 place="Stadshuset"',
)


async def onboard(person: TeamsPerson, script) -> None:
    for typed, _question in script:
        await person.answer(line(typed, "sv"))
    await person.answer("1")  # confirm the summary


async def enrollment_of(db, who) -> Enrollment:
    async with db.read() as s:
        query = select(Enrollment).join(Person, Person.id == Enrollment.person_id).where(Person.name == who.name)
        return (await s.exec(query)).one()


async def test_a_program_year_in_teams(any_db, clock, connector):
    async with teams_server(any_db, clock, coordinators=(HANNA.key,)) as server:
        hanna, anna, bo = (TeamsPerson(server, connector, who) for who in (HANNA, ANNA, BO))
        for command in SETUP:
            await hanna.type(command)
        assert "fel" not in hanna.inbox()[-1].shown_text().lower()
        await server.post(channel_mention(connector.url, HANNA, "channel"))  # the program's team channel

        await onboard(anna, ADEPT)
        await onboard(bo, MENTOR)
        assert anna.clicks >= 3 and bo.clicks >= 3  # organisation, topics, format ... were card clicks
        assert (await enrollment_of(any_db, ANNA)).status == "active"
        assert (await enrollment_of(any_db, BO)).status == "pending"  # no nomination: the coordinator decides
        await hanna.type(f"approve-participant {BO.key}")
        assert (await enrollment_of(any_db, BO)).status == "active"

        # Hanna matches (a slow command: acknowledged, then the draft arrives), approves on the card, announces.
        await hanna.type("match")
        draft = hanna.last_card()
        assert draft.op == "send" and "Anna" in draft.shown_text() and BO.name in draft.shown_text()
        await hanna.click_button("match.approve", draft)
        before_intro = {p.who.chat: len(p.inbox()) for p in (anna, bo)}
        await hanna.type("match announce")
        for person in (anna, bo):
            other = BO.name if person is anna else "Anna"
            # The introduction first; the first meeting's checklist follows, naming the partner too.
            intro = next(c for c in person.inbox()[before_intro[person.who.chat] :] if other in c.shown_text())
            assert intro.op == "send"  # proactive, in their personal chat
        (summary,) = connector.of("send", TEAM_CHANNEL)  # announced in the program channel, without names
        assert summary.shown_text().startswith("1 ") and "Anna" not in summary.shown_text()
        async with any_db.read() as s:
            (pairing,) = (await s.exec(select(Pairing))).all()
        assert pairing.status == PairStatus.ANNOUNCED
        announced = pairing.announced_at

        # The scheduler nudges both, proactively, in their personal chats.
        before = {p.who.chat: len(p.inbox()) for p in (anna, bo)}
        dispatcher = Dispatcher(any_db, server.runtime.delivery, clock, server.runtime.config)
        await run_until(dispatcher, clock, announced + timedelta(days=20))
        nudges = {}
        for person in (anna, bo):
            new = person.inbox()[before[person.who.chat] :]
            with_met = [
                c for c in new if c.card and any(a["data"]["mentorbot"]["a"] == "nudge.met" for a in actions_of(c.card))
            ]
            assert with_met, f"{person.who.name} got no nudge: {[c.shown_text() for c in new]}"
            assert all(c.op == "send" for c in with_met)  # proactive, not a reply
            nudges[person.who.name] = with_met[-1]

        # Anna presses "We met" on the nudge; the card is replaced and the meeting logged.
        await anna.click_button("nudge.met", nudges["Anna"])
        (update,) = [c for c in connector.of("update") if c.activity_id == nudges["Anna"].result_id]
        assert update.card is None or not actions_of(update.card)
        async with any_db.read() as s:
            assert len((await s.exec(select(Meeting))).all()) == 1

        status = (await anna.type("status"))[-1].shown_text()
        assert "Bo Mentor" in status


async def test_a_double_click_on_a_card_is_applied_once_and_says_nothing(any_db, clock, connector):
    async with teams_server(any_db, clock, coordinators=(HANNA.key,)) as server:
        hanna, anna = TeamsPerson(server, connector, HANNA), TeamsPerson(server, connector, ANNA)
        for command in SETUP:
            await hanna.type(command)
        await anna.type("join")
        consent = anna.last_card()
        yes = next(a for a in actions_of(consent.card) if a["title"].casefold().startswith("ja"))
        first = await anna.click(consent, yes["data"])
        second = await anna.click(consent, yes["data"])  # Teams had not yet shown the updated card
    assert any(c.op == "update" and c.activity_id == consent.result_id for c in first)
    async with any_db.read() as s:
        (enrollment,) = (await s.exec(select(Enrollment))).all()
    assert enrollment.consent_at is not None
    # The same press again changes nothing and says nothing (at most the card is shown answered again).
    assert all(c.op == "update" and c.activity_id == consent.result_id for c in second)
