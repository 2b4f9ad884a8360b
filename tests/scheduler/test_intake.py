"""One reminder for an unfinished onboarding, and none once it is done."""

from datetime import timedelta

from bot.config import Config
from bot.messages import Platform
from bot.ports import Delivery
from bot.reminders.planner import plan_intake_reminder
from bot.store.models import Enrollment, EnrollmentStatus
from scheduler.dispatcher import Dispatcher
from tests.scheduler.helpers import RecordingPort, make_person, make_program, reminders


async def setup(db, clock):
    async with db.write() as s:
        program = await make_program(s)
        people = [await make_person(s, name) for name in ("Anna", "Bo")]
        enrollments = []
        for person in people:
            e = Enrollment(
                program_id=program.id,
                person_id=person.id,
                role="adept",
                status=EnrollmentStatus.ONBOARDING,
                created_at=clock.now(),
            )
            s.add(e)
            enrollments.append(e)
        await s.flush()
        for e in enrollments:
            await plan_intake_reminder(s, e, clock.now())
            await plan_intake_reminder(s, e, clock.now())  # twice: still one row
    port = RecordingPort()
    return enrollments, port, Dispatcher(db, Delivery({Platform.CONSOLE: port}), clock, Config())


async def test_an_unfinished_intake_gets_one_reminder_a_finished_one_none(sqlite_db, clock):
    (anna, bo), port, dispatcher = await setup(sqlite_db, clock)
    assert len(await reminders(sqlite_db, kind="intake")) == 2
    async with sqlite_db.write() as s:  # Bo finishes before the reminder is due
        e = await s.get(Enrollment, bo.id)
        e.status = EnrollmentStatus.ACTIVE
        s.add(e)
        await plan_intake_reminder(s, e, clock.now())
    for _ in range(3):
        clock.advance(timedelta(days=3))
        await dispatcher.tick()
    assert [m.kind for m in port.to("anna")] == ["scheduler/intake_reminder"]
    assert "påbörjat anmälan" in port.to("anna")[0].text
    assert port.to("bo") == []
    assert {r.person_id: r.status for r in await reminders(sqlite_db, kind="intake")} == {
        anna.person_id: "sent",
        bo.person_id: "cancelled",
    }
