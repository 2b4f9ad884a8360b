"""Pair nudges on the virtual clock: spacing, allowed days, meetings, pauses."""

import itertools
from datetime import UTC, date, datetime, timedelta

from bot.config import BotSettings, Config
from bot.messages import Platform
from bot.ports import Delivery
from bot.reminders.calendar import ProgramCalendar
from bot.reminders.planner import plan_pair
from bot.store.models import Enrollment, Meeting, Pairing
from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.scheduler.helpers import RecordingPort, make_pair, make_person, make_program, reminders

UTC = UTC
ANNOUNCED = datetime(2027, 1, 25, 9, 0, tzinfo=UTC)
CAL = ProgramCalendar("Europe/Stockholm", "SE", (("07-01", "07-31"),))


async def setup(db, clock, **program_kw):
    async with db.write() as s:
        program = await make_program(s, **program_kw)
        anna = await make_person(s, "Anna")
        bo = await make_person(s, "Bo", locale="en")
        pairing = await make_pair(s, program, anna, bo, ANNOUNCED)
        await plan_pair(s, pairing, clock.now())
    port = RecordingPort()
    dispatcher = Dispatcher(db, Delivery({Platform.CONSOLE: port}), clock, Config(bot=BotSettings(coordinators=())))
    return program, pairing, port, dispatcher


def nudge_days(port, user="anna"):
    return [CAL.local_day(m_at) for m_at in port.times[user]]


class TimedPort(RecordingPort):
    """Also remembers when (on the virtual clock) each message went out."""

    def __init__(self, clock):
        super().__init__()
        self.clock = clock
        self.times: dict[str, list[datetime]] = {}

    async def send(self, to, message):
        sent = await super().send(to, message)
        if message.kind == "nudges/nudge":
            self.times.setdefault(to.user, []).append(self.clock.now())
        return sent


async def timed_setup(db, clock, **kw):
    program, pairing, _, dispatcher = await setup(db, clock, **kw)
    port = TimedPort(clock)
    dispatcher.delivery = Delivery({Platform.CONSOLE: port})
    return program, pairing, port, dispatcher


def allowed_gap(prev: date, nxt: date) -> bool:
    """21-28 days, or later only when every day of the window was blocked."""
    gap = (nxt - prev).days
    if 21 <= gap <= 28:
        return True
    window = [prev + timedelta(days=d) for d in range(21, 29)]
    return gap > 28 and not any(CAL.is_nudge_day(d) for d in window)


async def test_a_silent_pair_is_nudged_every_three_to_four_weeks_on_allowed_days_all_year(sqlite_db, clock):
    _program, _pairing, port, dispatcher = await timed_setup(sqlite_db, clock)
    await run_until(dispatcher, clock, datetime(2028, 1, 31, tzinfo=UTC), sweep_every=None)
    days = nudge_days(port)
    assert days[0] == CAL.nudge_day_on_or_after(date(2027, 1, 25) + timedelta(days=14))
    assert len(days) >= 12
    for d in days:
        assert CAL.is_nudge_day(d), f"nudged on a blocked day {d}"
        assert not date(2027, 7, 1) <= d <= date(2027, 7, 31)
    for prev, nxt in itertools.pairwise(days):
        assert allowed_gap(prev, nxt), f"{prev} -> {nxt}"
    # Both members get each round, each in their own language.
    assert nudge_days(port, "bo") == days
    assert "Have you and Anna met since" in port.to("bo")[0].text
    assert "Har du och Bo träffats sedan" in port.to("anna")[0].text
    # Every nudge is sent in the working morning, Stockholm time.
    for at in port.times["anna"]:
        local = at.astimezone(CAL.zone)
        assert 9 <= local.hour < 12, local


async def test_a_logged_meeting_moves_the_next_nudge(sqlite_db, clock):
    _program, pairing, port, dispatcher = await timed_setup(sqlite_db, clock)
    await run_until(dispatcher, clock, datetime(2027, 2, 15, tzinfo=UTC))
    assert nudge_days(port) == [date(2027, 2, 8)]
    async with sqlite_db.write() as s:
        s.add(Meeting(pairing_id=pairing.id, held_on=date(2027, 2, 15), minutes=90))
        await s.flush()
        await plan_pair(s, await s.get(Pairing, pairing.id), clock.now())
    await run_until(dispatcher, clock, datetime(2027, 4, 1, tzinfo=UTC))
    second = nudge_days(port)[1]
    assert 21 <= (second - date(2027, 2, 15)).days <= 28 or allowed_gap(date(2027, 2, 15), second)
    cancelled = [r for r in await reminders(sqlite_db, kind="nudge") if r.status == "cancelled"]
    assert cancelled, "the nudge planned from the first round stays as cancelled history"


async def test_pause_holds_nudges_and_they_resume_by_themselves(sqlite_db, clock):
    _program, pairing, port, dispatcher = await timed_setup(sqlite_db, clock)
    async with sqlite_db.write() as s:
        adept = await s.get(Enrollment, pairing.adept_id)
        adept.paused_until = date(2027, 5, 17)
        s.add(adept)
        await s.flush()
        await plan_pair(s, await s.get(Pairing, pairing.id), clock.now())
    await run_until(dispatcher, clock, datetime(2027, 6, 30, tzinfo=UTC))
    days = nudge_days(port)
    assert days and days[0] == date(2027, 5, 17), days  # nothing before, and back on the day itself
    assert all(d >= date(2027, 5, 17) for d in days)


async def test_planning_twice_plans_once(any_db, clock):
    _program, pairing, _port, _dispatcher = await setup(any_db, clock)
    before = [(r.key, r.due_at) for r in await reminders(any_db)]
    for _ in range(3):
        async with any_db.write() as s:
            await plan_pair(s, pairing.id, clock.now())
    assert [(r.key, r.due_at) for r in await reminders(any_db)] == before
    assert len([k for k, _ in before if k.startswith("nudge:")]) == 2  # one per member
    assert len([k for k, _ in before if k.startswith("digest:")]) == 1  # the program's weekly stall digest


async def test_a_stalled_pair_is_in_the_coordinators_digest_once_not_every_week(sqlite_db, clock):
    _program, _pairing, port, dispatcher = await setup(sqlite_db, clock)
    async with sqlite_db.write() as s:
        await make_person(s, "Cecilia")
    dispatcher.config = Config(bot=BotSettings(coordinators=("console:local:cecilia",)))
    await run_until(dispatcher, clock, datetime(2027, 5, 1, tzinfo=UTC))
    digests = port.to("cecilia")
    assert len(digests) == 1  # once when it goes quiet, not every week (it has not met since)
    assert "Anna" in digests[0].text or "Anna" in str(digests[0].card)
    sent = [r for r in await reminders(sqlite_db, kind="digest") if r.person_id and r.status == "sent"]
    first = min(CAL.local_day(r.sent_at) for r in sent)
    assert first >= date(2027, 1, 25) + timedelta(days=56)
    assert first.weekday() == 0 or not CAL.is_nudge_day(first - timedelta(days=first.weekday()))


async def test_both_copies_of_a_round_sent_together_replan_the_pair_once(sqlite_db, clock, monkeypatch):
    """The round's two nudges are claimed, sent and recorded together: the
    pair's next round is planned once, not once per copy."""
    import bot.reminders.planner as planner

    _program, pairing, port, dispatcher = await timed_setup(sqlite_db, clock)
    planned: list[int] = []
    real = planner.plan_pair

    async def counting(session, pair, now):
        planned.append(pair if isinstance(pair, int) else pair.id)
        return await real(session, pair, now)

    monkeypatch.setattr(planner, "plan_pair", counting)
    first = min(r.due_at for r in await reminders(sqlite_db, kind="nudge"))
    clock.set(first)
    result = await dispatcher.tick()
    assert sorted(port.times) == ["anna", "bo"] and result.sent == 2
    assert planned == [pairing.id]
    pending = await reminders(sqlite_db, kind="nudge", status="pending")  # the next round, for both
    assert len(pending) == 2 and min(r.due_at for r in pending) > first


async def test_replanning_a_pair_reads_it_with_its_program_people_and_closing_in_one_statement(sqlite_db, clock):
    """What every sent nudge round and every logged meeting re-plans: the
    pair, its program, both enrollments and when the closing starts are one
    statement; its meetings and its rows two more; nothing to change, nothing
    written (the next round is already planned)."""
    from sqlalchemy import event

    _program, pairing, _port, _dispatcher = await setup(sqlite_db, clock)
    async with sqlite_db.write() as s:  # a fresh session: nothing of the pair in it yet
        statements: list[str] = []

        def listener(_conn, _cursor, statement, *_rest):
            statements.append(statement.split(None, 1)[0].upper())

        event.listen(sqlite_db.units_engine, "before_cursor_execute", listener)
        try:
            await plan_pair(s, pairing.id, clock.now())
        finally:
            event.remove(sqlite_db.units_engine, "before_cursor_execute", listener)
    assert [x for x in statements if x not in ("BEGIN", "INSERT")] == ["SELECT"] * 3, statements
