"""The nudge buttons and `met`, through the real core."""

from datetime import UTC, date, datetime

from bot.config import BotSettings, Config
from bot.core import Core
from bot.messages import Actor, Address, Inbound, Kind, MessageRef, Platform
from bot.reminders.planner import plan_pair
from bot.store.models import Meeting
from tests.scheduler.helpers import make_pair, make_person, make_program, reminders

UTC = UTC
CONFIG = Config(bot=BotSettings(coordinators=("console:local:cecilia",)))


def actor(name):
    return Actor(Platform.CONSOLE, "local", name.lower(), display_name=name)


def click(name, action_id, value):
    a = actor(name)
    where = Address(Platform.CONSOLE, "local", f"dm:{a.user_id}", a.user_id)
    return Inbound(
        a,
        where,
        Kind.ACTION,
        action_id=action_id,
        value=str(value),
        message=MessageRef(Platform.CONSOLE, f"dm:{a.user_id}", "card1"),
    )


def typed(name, text):
    a = actor(name)
    return Inbound(a, Address(Platform.CONSOLE, "local", f"dm:{a.user_id}", a.user_id), Kind.TEXT, text=text)


async def setup(db, clock):
    async with db.write() as s:
        program = await make_program(s)
        anna = await make_person(s, "Anna")
        bo = await make_person(s, "Bo", locale="en")
        await make_person(s, "Cecilia")
        await make_person(s, "Dan")
        pairing = await make_pair(s, program, anna, bo, datetime(2027, 1, 4, 8, 0, tzinfo=UTC))
        await plan_pair(s, pairing, clock.now())
    return pairing, Core(db, CONFIG, clock)


async def pending_rounds(db, pairing):
    return sorted({r.context["round"] for r in await reminders(db, kind="nudge", status="pending")})


async def test_we_met_logs_a_meeting_today_and_moves_the_next_nudge(sqlite_db, clock):
    pairing, core = await setup(sqlite_db, clock)
    assert await pending_rounds(sqlite_db, pairing) == ["2027-01-18"]
    clock.set(datetime(2027, 1, 12, 10, 0, tzinfo=UTC))
    # The pair's first meeting also asks each member "is this a good fit?" (tests/life/test_first_meeting.py).
    (reply,) = [m for m in await core.handle(click("Anna", "nudge.met", pairing.id)) if m.kind.startswith("nudges/")]
    assert "loggat er träff 12 jan. 2027 (90 minuter)" in reply.text
    assert reply.replace is not None  # the card is replaced: its buttons cannot be pressed twice
    (nxt,) = await pending_rounds(sqlite_db, pairing)
    assert 21 <= (date.fromisoformat(nxt) - date(2027, 1, 12)).days <= 28
    # Bo presses too: the same meeting, logged once.
    (again,) = await core.handle(click("Bo", "nudge.met", pairing.id))
    assert "already logged" in again.text
    async with sqlite_db.read() as s:
        from sqlmodel import select

        assert len((await s.exec(select(Meeting))).all()) == 1


async def test_met_command_with_date_and_minutes_and_its_errors(sqlite_db, clock):
    _pairing, core = await setup(sqlite_db, clock)
    clock.set(datetime(2027, 2, 10, 10, 0, tzinfo=UTC))
    (ok,) = [m for m in await core.handle(typed("Bo", "met 2027-02-03 75")) if m.kind.startswith("nudges/")]
    assert "logged your meeting on 3 Feb 2027 (75 minutes)" in ok.text
    (future,) = await core.handle(typed("Bo", "met 2027-03-01"))
    assert "has not happened yet" in future.text and "met 2027-02-10" in future.text
    (long,) = await core.handle(typed("Bo", "met 2027-02-04 900"))
    assert "between 10 and 300 minutes" in long.text
    (nobody,) = await core.handle(typed("Dan", "met"))
    assert "inget aktivt mentorpar" in nobody.text


async def test_implausible_meeting_lengths_are_refused_with_the_range(sqlite_db, clock):
    """600 minutes (meant 60) and 1 minute (meant 1 hour) are typos: refused,
    in the reader's language, naming the range; nothing is logged."""
    _pairing, core = await setup(sqlite_db, clock)
    clock.set(datetime(2027, 2, 10, 10, 0, tzinfo=UTC))
    (ten_hours,) = await core.handle(typed("Anna", "träffats 2027-01-20 600"))
    assert "`600` minuter går inte att logga" in ten_hours.text and "mellan 10 och 300 minuter" in ten_hours.text
    (one,) = await core.handle(typed("Bo", "met 2027-02-04 1"))
    assert "`1` minutes cannot be logged" in one.text and "between 10 and 300 minutes" in one.text
    async with sqlite_db.read() as s:
        from sqlmodel import select

        assert (await s.exec(select(Meeting))).all() == []
    for edge in ("met 2027-02-04 10", "met 2027-02-05 300"):
        logged = [m for m in await core.handle(typed("Bo", edge)) if m.kind.startswith("nudges/")]
        assert logged[0].kind == "nudges/met_logged"


async def test_the_examples_in_met_errors_are_meetings_met_accepts(sqlite_db, clock):
    """An example in an error must work when typed: a past date (today), 90 minutes."""
    _pairing, core = await setup(sqlite_db, clock)
    clock.set(datetime(2027, 2, 10, 10, 0, tzinfo=UTC))
    (no_date,) = await core.handle(typed("Anna", "träffats snart"))  # a word no date reads as
    assert "till exempel 2027-02-10)" in no_date.text
    (zero,) = await core.handle(typed("Bo", "met 2027-02-04 0"))
    assert "for example `met 2027-02-10 90`" in zero.text
    (letters,) = await core.handle(typed("Bo", "met 2027-02-04 abc"))
    assert "for example `met yesterday 1.5 h`." in letters.text
    logged = [m for m in await core.handle(typed("Bo", "met 2027-02-10 90")) if m.kind.startswith("nudges/")]
    assert "logged your meeting on 10 Feb 2027 (90 minutes)" in logged[0].text
    logged = [m for m in await core.handle(typed("Bo", "met yesterday 1.5 h")) if m.kind.startswith("nudges/")]
    assert "logged your meeting on 9 Feb 2027 (90 minutes)" in logged[0].text


async def test_remind_me_in_a_week(sqlite_db, clock):
    pairing, core = await setup(sqlite_db, clock)
    clock.set(datetime(2027, 1, 18, 10, 0, tzinfo=UTC))
    (reply,) = await core.handle(click("Anna", "nudge.snooze", pairing.id))
    assert "25 jan. 2027" in reply.text
    assert "2027-01-25" in await pending_rounds(sqlite_db, pairing)
    # Re-planning (the periodic sweep) keeps the snoozed round.
    async with sqlite_db.write() as s:
        from bot.store.models import Pairing

        await plan_pair(s, await s.get(Pairing, pairing.id), clock.now())
    assert "2027-01-25" in await pending_rounds(sqlite_db, pairing)


async def test_we_need_help_tells_the_coordinator_and_strangers_cannot_press(sqlite_db, clock):
    pairing, core = await setup(sqlite_db, clock)
    out = await core.handle(click("Bo", "nudge.help", pairing.id))
    reply = next(m for m in out if m.to is None)
    told = [m for m in out if m.to is not None]
    assert "asked the coordinator" in reply.text and "Cecilia" in reply.text
    assert len(told) == 1 and told[0].to.user == "cecilia"
    assert "Bo i paret Anna (adept) och Bo (mentor)" in told[0].text
    (refused,) = await core.handle(click("Dan", "nudge.met", pairing.id))
    assert refused.kind == "errors/stale_action" and "gäller inte längre" in refused.text


async def test_a_click_whose_message_ids_hold_a_lone_surrogate_is_handled(sqlite_db, clock):
    """The ids of the clicked message come from the request: the core cleans them
    like the rest, so the press can be hashed and recorded (any adapter)."""
    from dataclasses import replace

    pairing, core = await setup(sqlite_db, clock)
    clock.set(datetime(2027, 1, 12, 10, 0, tzinfo=UTC))
    pressed = click("Anna", "nudge.met", pairing.id)
    pressed = replace(pressed, message=MessageRef(Platform.CONSOLE, "dm:anna\udc80", "card\udc80"), event_id="e\udc80")
    kinds = [m.kind for m in await core.handle(pressed)]
    assert "errors/internal" not in kinds and any(kind.startswith("nudges/") for kind in kinds)
