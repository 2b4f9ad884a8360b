"""When Teams answers 403 (the person blocked or removed the app), the
identity is marked unreachable, nothing is retried, and the coordinator hears
about it in Teams."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from bot.reminders.planner import plan_pair
from bot.store.models import Enrollment, EnrollmentStatus, Identity, Pairing, PairStatus, Program, Reminder
from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.fakes.bot_connector import FakeBotConnector
from tests.teams.helpers import teams_server, user
from tests.teams.people import TeamsPerson

HANNA, ANNA, BO = user("Hanna", 41), user("Anna", 42), user("Bo", 43)


async def test_a_blocked_adept_is_marked_unreachable_and_the_coordinator_is_told(sqlite_db, clock):
    async with FakeBotConnector() as connector, teams_server(sqlite_db, clock, coordinators=(HANNA.key,)) as server:
        people = {who.name: TeamsPerson(server, connector, who) for who in (HANNA, ANNA, BO)}
        for person in people.values():
            await person.type("status")
        async with sqlite_db.write() as s:
            program = Program(slug="mp27", name="Mentorprogram 2027", start=date(2027, 1, 4), end=date(2027, 12, 17))
            s.add(program)
            await s.flush()
            ids = {i.user_id: i.person_id for i in (await s.exec(select(Identity))).all()}
            adept = Enrollment(
                program_id=program.id, person_id=ids[ANNA.aad], role="adept", status=EnrollmentStatus.ACTIVE
            )
            mentor = Enrollment(
                program_id=program.id, person_id=ids[BO.aad], role="mentor", status=EnrollmentStatus.ACTIVE
            )
            s.add_all([adept, mentor])
            await s.flush()
            pairing = Pairing(
                program_id=program.id,
                adept_id=adept.id,
                mentor_id=mentor.id,
                status=PairStatus.ANNOUNCED,
                announced_at=clock.now(),
            )
            s.add(pairing)
            await s.flush()
            await plan_pair(s, pairing, clock.now())

        connector.fail_next(403, conversation=ANNA.chat)
        before = len(people["Hanna"].inbox())
        dispatcher = Dispatcher(sqlite_db, server.runtime.delivery, clock, server.runtime.config)
        await run_until(dispatcher, clock, clock.now() + timedelta(days=20))

    refused = [c for c in connector.calls if c.conversation == ANNA.chat and c.status == 403]
    assert len(refused) == 1  # permanent: never retried
    async with sqlite_db.read() as s:
        anna = (await s.exec(select(Identity).where(Identity.user_id == ANNA.aad))).one()
        failed = (await s.exec(select(Reminder).where(Reminder.status == "failed"))).all()
    assert anna.unreachable and "403" in anna.unreachable_reason
    assert failed and "403" in (failed[0].last_error or "")
    told = people["Hanna"].inbox()[before:]
    assert told and any("Anna" in c.shown_text() for c in told), [c.shown_text() for c in told]
