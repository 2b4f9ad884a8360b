"""What the dispatcher does when sending fails: 429 waits, back-off, the
final failure and the report to the coordinators."""

from datetime import UTC, timedelta

from bot.config import BotSettings, Config
from bot.messages import Platform
from bot.ports import Delivery, DeliveryError
from bot.reminders.events import plan_event
from bot.store.models import Enrollment, EnrollmentStatus
from scheduler.dispatcher import Dispatcher
from tests.scheduler.helpers import RecordingPort, make_event, make_person, make_program, reminders

UTC = UTC
COORDINATOR = Config(bot=BotSettings(coordinators=("console:local:cecilia",)))


async def setup(db, clock, error: DeliveryError | None, max_attempts: int = 3):
    """Anna is due one event reminder now (the kickoff is tomorrow)."""
    async with db.write() as s:
        program = await make_program(s)
        anna = await make_person(s, "Anna")
        await make_person(s, "Cecilia", locale="en")
        s.add(Enrollment(program_id=program.id, person_id=anna.id, role="adept", status=EnrollmentStatus.ACTIVE))
        program.reminder_offsets = [1]
        event = await make_event(s, program, "kickoff", clock.now() + timedelta(days=1, hours=1))
        await plan_event(s, event, clock.now() - timedelta(days=1))
    clock.advance(timedelta(hours=2))
    port = RecordingPort({"anna": error} if error else {})
    dispatcher = Dispatcher(db, Delivery({Platform.CONSOLE: port}), clock, COORDINATOR, max_attempts=max_attempts)
    return port, dispatcher


async def the_row(db):
    (row,) = [r for r in await reminders(db) if r.kind == "event"]
    return row


async def test_retry_after_is_honoured_and_does_not_use_up_attempts(sqlite_db, clock):
    port, dispatcher = await setup(sqlite_db, clock, DeliveryError("ratelimited", retry_after=30))
    for _ in range(5):
        assert (await dispatcher.tick()).retried == 1
        row = await the_row(sqlite_db)
        assert row.status == "pending" and row.due_at == clock.now() + timedelta(seconds=30)
        clock.advance(timedelta(seconds=29))
        assert (await dispatcher.tick()).claimed == 0  # not before its Retry-After
        clock.advance(timedelta(seconds=1))
    assert row.attempts == 0
    port.fail_for.clear()
    assert (await dispatcher.tick()).sent == 1
    assert (await the_row(sqlite_db)).status == "sent"


async def test_failures_back_off_then_fail_and_the_coordinator_is_told_in_their_language(sqlite_db, clock):
    port, dispatcher = await setup(sqlite_db, clock, DeliveryError("chat.postMessage: channel_not_found"))
    waits = []
    for attempt in range(3):
        result = await dispatcher.tick()
        row = await the_row(sqlite_db)
        if attempt < 2:
            assert result.retried == 1 and row.status == "pending"
            waits.append(row.due_at - clock.now())
            clock.set(row.due_at)
    assert waits == [timedelta(seconds=30), timedelta(seconds=60)]
    assert row.status == "failed" and row.attempts == 3
    await dispatcher.tick()  # the report goes out
    (report,) = port.to("cecilia")
    assert report.text.startswith("I could not reach Anna")
    assert "channel_not_found" in report.text and "3 attempts" in report.text
    # Once: more ticks send nothing more.
    await dispatcher.tick()
    assert len(port.to("cecilia")) == 1


async def test_a_permanent_error_fails_at_once(sqlite_db, clock):
    port, dispatcher = await setup(sqlite_db, clock, DeliveryError("cannot_dm_bot", permanent=True), max_attempts=5)
    assert (await dispatcher.tick()).failed == 1
    assert (await the_row(sqlite_db)).attempts == 1
    await dispatcher.tick()
    assert "cannot_dm_bot" in port.to("cecilia")[0].text


async def test_a_crashed_dispatchers_rows_are_taken_over_after_the_lease(sqlite_db, clock):
    port, dispatcher = await setup(sqlite_db, clock, None)
    crashed = await dispatcher.claim()  # claimed, then the process "dies"
    assert len(crashed) == 1
    assert (await dispatcher.tick()).claimed == 0  # the lease still holds
    clock.advance(dispatcher.lease + timedelta(seconds=1))
    result = await dispatcher.tick()
    assert result.reclaimed == 1 and result.sent == 1
    assert len(port.to("anna")) == 1
