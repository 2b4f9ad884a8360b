"""Event reminders: offsets, local morning times across daylight saving,
audience, the program channel, re-planning after edits, expiry."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.messages import Platform
from bot.ports import Delivery
from bot.reminders.events import plan_event
from bot.reminders.render import Ready, Skip
from bot.store.models import Enrollment, EnrollmentStatus, ProgramEvent
from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.scheduler.helpers import RecordingPort, make_event, make_person, make_program, reminders

UTC = UTC
STHLM = ZoneInfo("Europe/Stockholm")


class TimedPort(RecordingPort):
    def __init__(self, clock):
        super().__init__()
        self.clock = clock
        self.log: list[tuple[str, datetime, str]] = []

    async def send(self, to, message):
        sent = await super().send(to, message)
        self.log.append((to.user or to.conversation, self.clock.now(), message.text))
        return sent


async def setup(db, clock, *, channel: bool = False):
    async with db.write() as s:
        kw = (
            dict(channel_platform="console", channel_tenant="local", channel_conversation="mentorer") if channel else {}
        )
        program = await make_program(s, **kw)
        people = {}
        for name, role in (("Anna", "adept"), ("Bo", "mentor"), ("Cleo", "mentor")):
            people[name] = await make_person(s, name)
            s.add(
                Enrollment(program_id=program.id, person_id=people[name].id, role=role, status=EnrollmentStatus.ACTIVE)
            )
        await s.flush()
    port = TimedPort(clock)
    return program, people, port, Dispatcher(db, Delivery({Platform.CONSOLE: port}), clock, Config())


async def test_reminders_come_at_local_mornings_across_the_daylight_saving_change(sqlite_db, clock):
    program, _people, port, dispatcher = await setup(sqlite_db, clock)
    starts = datetime(2027, 3, 29, 9, 0, tzinfo=STHLM)  # the Monday after clocks go forward
    async with sqlite_db.write() as s:
        event = await make_event(s, program, "inspiration", starts)
        await plan_event(s, event, clock.now())
    await run_until(dispatcher, clock, datetime(2027, 4, 1, tzinfo=UTC), sweep_every=None)
    anna = [(at.astimezone(STHLM), text) for who, at, text in port.log if who == "anna"]
    days = [at.date() for at, _ in anna]
    # 7 days before; 1 day before is Sunday 28th and Friday 26th is Good Friday,
    # so the reminder comes Thursday 25th; then the morning of the event.
    assert days == [date(2027, 3, 22), date(2027, 3, 25), date(2027, 3, 29)]
    assert all(8 <= at.hour < 9 for at, _ in anna), anna  # 08:xx local, both in CET and CEST
    assert anna[0][0].utcoffset().total_seconds() == 3600 and anna[2][0].utcoffset().total_seconds() == 7200
    # Thursday to Monday is four days, not "tomorrow".
    assert "om 7 dagar" in anna[0][1] and "om 4 dagar" in anna[1][1] and "i dag kl. 09:00" in anna[2][1]


async def test_audience_and_channel(sqlite_db, clock):
    program, _people, port, dispatcher = await setup(sqlite_db, clock, channel=True)
    async with sqlite_db.write() as s:
        event = await make_event(s, program, "mentor_training", datetime(2027, 2, 22, 13, 0, tzinfo=STHLM), "mentors")
        await plan_event(s, event, clock.now())
    await run_until(dispatcher, clock, datetime(2027, 2, 23, tzinfo=UTC), sweep_every=None)
    who = [w for w, _, _ in port.log]
    assert who.count("bo") == 3 and who.count("cleo") == 3 and "anna" not in who
    assert who.count("mentorer") == 3
    channel_text = next(t for w, _, t in port.log if w == "mentorer")
    assert "som mentorer" in channel_text


async def test_an_edited_event_is_replanned_and_a_removed_one_sends_nothing(any_db, clock):
    program, _people, port, dispatcher = await setup(any_db, clock)
    async with any_db.write() as s:
        moved = await make_event(s, program, "kickoff", datetime(2027, 1, 19, 9, 0, tzinfo=STHLM))
        removed = await make_event(s, program, "inspiration", datetime(2027, 5, 12, 13, 0, tzinfo=STHLM))
        await plan_event(s, moved, clock.now())
        await plan_event(s, removed, clock.now())
    async with any_db.write() as s:
        e = await s.get(ProgramEvent, moved.id)
        e.starts_at = datetime(2027, 1, 21, 13, 0, tzinfo=STHLM)
        s.add(e)
        await plan_event(s, e, clock.now())
        r = await s.get(ProgramEvent, removed.id)
        r.cancelled = True
        s.add(r)
        await plan_event(s, r, clock.now())
    rows = await reminders(any_db)
    assert {r.status for r in rows if r.subject == f"event:{removed.id}"} == {"cancelled"}
    assert sum(r.status == "cancelled" for r in rows if r.subject == f"event:{moved.id}") == 9  # 3 people x 3
    await run_until(dispatcher, clock, datetime(2027, 6, 1, tzinfo=UTC), sweep_every=None)
    anna = [at.astimezone(STHLM).date() for w, at, _ in port.log if w == "anna"]
    assert anna == [date(2027, 1, 14), date(2027, 1, 20), date(2027, 1, 21)]


async def test_a_reminder_too_late_to_be_useful_expires_instead_of_being_sent(sqlite_db, clock):
    program, _people, port, dispatcher = await setup(sqlite_db, clock)
    async with sqlite_db.write() as s:
        event = await make_event(s, program, "kickoff", datetime(2027, 1, 19, 9, 0, tzinfo=STHLM))
        await plan_event(s, event, clock.now())
    clock.set(datetime(2027, 1, 20, 8, 0, tzinfo=UTC))  # the bot was down over the event
    result = await dispatcher.tick()
    assert result.expired == 9 and result.sent == 0 and port.sent == []
    assert {r.status for r in await reminders(sqlite_db)} == {"expired"}


async def test_a_reminder_sent_late_counts_the_days_from_when_it_is_sent(sqlite_db, clock):
    """The kickoff's "in 7 days" reminder, due Wednesday 3 February, is sent
    only on Monday 8 February (nobody ran the dispatcher): it says the event
    is in 2 days, not 7."""
    program, _people, port, dispatcher = await setup(sqlite_db, clock)
    async with sqlite_db.write() as s:
        event = await make_event(s, program, "kickoff", datetime(2027, 2, 10, 9, 0, tzinfo=STHLM))
        await plan_event(s, event, clock.now())
    clock.set(datetime(2027, 2, 8, 10, 0, tzinfo=STHLM))
    await dispatcher.tick()
    anna = [text for who, _, text in port.log if who == "anna"]
    assert len(anna) == 1 and "är om 2 dagar" in anna[0], anna


async def test_a_late_reminder_gives_way_to_the_nearer_one_and_none_comes_after_the_start(sqlite_db, clock):
    """On the day of the "tomorrow" reminder the late "in 7 days" one expires
    (one reminder, which says "tomorrow"); once the event has begun nothing
    about it is sent."""
    program, _people, port, dispatcher = await setup(sqlite_db, clock)
    async with sqlite_db.write() as s:
        event = await make_event(s, program, "kickoff", datetime(2027, 2, 10, 9, 0, tzinfo=STHLM))
        await plan_event(s, event, clock.now())
    clock.set(datetime(2027, 2, 9, 9, 0, tzinfo=STHLM))  # the console was first opened the day before
    result = await dispatcher.tick()
    anna = [text for who, _, text in port.log if who == "anna"]
    assert len(anna) == 1 and "är i morgon" in anna[0], anna
    assert result.expired == 3 and result.sent == 3  # the "in 7 days" rows of Anna, Bo and Cleo
    clock.set(datetime(2027, 2, 10, 9, 30, tzinfo=STHLM))  # the service was down that morning too
    result = await dispatcher.tick()
    assert result.sent == 0 and result.expired == 3 and len(port.sent) == 3


async def test_a_reminder_is_never_rendered_once_its_event_has_begun(sqlite_db, clock):
    """The renderer checks the event's start against the moment it sends
    (a claimed row can wait for its turn past the start)."""
    program, people, _port, dispatcher = await setup(sqlite_db, clock)
    starts = datetime(2027, 2, 10, 9, 0, tzinfo=STHLM)
    async with sqlite_db.write() as s:
        event = await make_event(s, program, "kickoff", starts)
        await plan_event(s, event, clock.now())
    (row,) = [
        r for r in await reminders(sqlite_db, kind="event", person_id=people["Anna"].id) if r.context["offset"] == 0
    ]
    async with sqlite_db.read() as s:
        before = await dispatcher.renderer.prepare(s, row, starts - timedelta(minutes=1))
        after = await dispatcher.renderer.prepare(s, row, starts + timedelta(seconds=1))
    assert isinstance(before, Ready) and "i dag kl. 09:00" in before.message.text
    assert isinstance(after, Skip)
