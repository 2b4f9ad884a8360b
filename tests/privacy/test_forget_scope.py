"""`forget` erases what was sent to or said about the person who forgets,
and nothing of anyone else's: a person whose name is an ordinary word
(`day`, `event`, `teams`) or someone else's name (a namesake of the
coordinator stored in a channel's conversation reference) cannot cancel
other people's reminders by forgetting themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.store.models import Identity, Reminder, ReminderStatus
from tests.core.harness import World, make_core


def _row(key: str, *, person_id=None, address=None, context=None, due) -> Reminder:
    return Reminder(
        key=key,
        kind="event",
        template="events/reminder",
        person_id=person_id,
        address=address,
        context=context or {},
        due_at=due,
        status=ReminderStatus.PENDING,
    )


@pytest.mark.parametrize("name", ["day", "event", "teams", "Hanna"])
async def test_forgetting_oneself_leaves_everyone_elses_reminders_alone(name, sqlite_db, clock):
    world = World(make_core(sqlite_db, clock, locale="en"))
    await world["Anna"].say("program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19")
    await world["Bo"].say("status")  # Bo is known: his reminders are planned for him
    await world[name].say("status")
    due = clock.now() + timedelta(days=3)
    async with sqlite_db.write() as s:
        ids = {i.user_id: i.person_id for i in (await s.exec(select(Identity))).all()}
        bo, me = ids["bo"], ids[name.lower()]
        others = [
            _row(
                f"event:1:day:2027-01-12:person{bo}",
                person_id=bo,
                context={"event_id": 1, "day": "2027-01-12"},
                due=due,
            ),
            _row(
                "event:1:channel:teams",
                address={
                    "platform": "teams",
                    "tenant": "t",
                    "conversation": "19:chan",
                    "where": "channel",
                    "ref": {"user": {"name": "Hanna"}, "bot": {"name": "Mentorbot"}},
                },
                context={"event_id": 1, "teams": True},
                due=due,
            ),
        ]
        mine = _row(f"event:1:day:2027-01-12:person{me}", person_id=me, context={"event_id": 1}, due=due)
        s.add_all([*others, mine])
    await world[name].say("forget")
    await world[name].choose(1)
    async with sqlite_db.read() as s:
        rows = {r.key: r for r in (await s.exec(select(Reminder).where(Reminder.kind == "event"))).all()}
    for key in (f"event:1:day:2027-01-12:person{bo}", "event:1:channel:teams"):
        assert rows[key].status == ReminderStatus.PENDING, key  # still goes out
        assert rows[key].context, key  # and still says what it says
    assert rows[f"event:1:day:2027-01-12:person{me}"].status == ReminderStatus.CANCELLED
    assert rows[f"event:1:day:2027-01-12:person{me}"].context == {}
