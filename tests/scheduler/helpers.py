"""Builders for scheduler tests: a program with people, pairs and events
created directly in the database, and a recording outbound port."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from sqlmodel import select

from bot.messages import Address, MessageRef, Outbound, Platform, Sent
from bot.ports import DeliveryError
from bot.store.models import (
    Enrollment,
    EnrollmentStatus,
    Identity,
    Pairing,
    PairStatus,
    Person,
    Program,
    ProgramEvent,
    Reminder,
)

UTC = UTC


class RecordingPort:
    """An OutboundPort that keeps every message; can fail on purpose."""

    platform = Platform.CONSOLE

    def __init__(self, fail_for: dict[str, DeliveryError] | None = None, clock=None):
        self.sent: list[tuple[Address, Outbound]] = []
        self.fail_for = dict(fail_for or {})
        self._ids = itertools.count(1)
        # With a clock: (virtual time, address, message) of every send.
        self.clock = clock
        self.log: list[tuple[datetime, Address, Outbound]] = []

    async def send(self, to: Address, message: Outbound) -> Sent:
        who = to.user or to.conversation or ""
        if who in self.fail_for:
            raise self.fail_for[who]
        self.sent.append((to, message))
        if self.clock is not None:
            self.log.append((self.clock.now(), to, message))
        return Sent(MessageRef(self.platform, to.conversation or f"dm:{to.user}", str(next(self._ids))))

    async def update(self, ref: MessageRef, message: Outbound) -> None:
        pass

    def to(self, user: str) -> list[Outbound]:
        return [m for a, m in self.sent if a.user == user]


async def make_program(session, *, start=date(2027, 1, 4), end=date(2028, 1, 31), **kw) -> Program:
    program = Program(
        slug=kw.pop("slug", "mp27"), name=kw.pop("name", "Mentorprogram 2027"), start=start, end=end, **kw
    )
    session.add(program)
    await session.flush()
    return program


async def make_person(session, name: str, *, locale: str | None = None, platform: str = "console") -> Person:
    person = Person(name=name, locale=locale)
    session.add(person)
    await session.flush()
    session.add(Identity(person_id=person.id, platform=platform, tenant="local", user_id=name.lower()))
    await session.flush()
    return person


async def make_pair(session, program: Program, adept: Person, mentor: Person, announced_at: datetime) -> Pairing:
    enrollments = []
    for person, role in ((adept, "adept"), (mentor, "mentor")):
        e = Enrollment(program_id=program.id, person_id=person.id, role=role, status=EnrollmentStatus.ACTIVE)
        session.add(e)
        enrollments.append(e)
    await session.flush()
    pairing = Pairing(
        program_id=program.id,
        adept_id=enrollments[0].id,
        mentor_id=enrollments[1].id,
        status=PairStatus.ANNOUNCED,
        announced_at=announced_at,
    )
    session.add(pairing)
    await session.flush()
    return pairing


async def pair_of_users(session, clock, adept_user: str, mentor_user: str) -> Pairing:
    """A running program (mp27) with the people behind two platform user ids
    (who have written to the bot) as an announced pair."""
    program = Program(slug="mp27", name="Mentorprogram 2027", start=date(2027, 1, 4), end=date(2027, 12, 17))
    session.add(program)
    await session.flush()
    ids = {i.user_id: i.person_id for i in (await session.exec(select(Identity))).all()}
    adept, mentor = (await session.get(Person, ids[adept_user])), (await session.get(Person, ids[mentor_user]))
    return await make_pair(session, program, adept, mentor, clock.now())


async def make_event(session, program: Program, kind: str, starts_at: datetime, audience: str = "all") -> ProgramEvent:
    event = ProgramEvent(program_id=program.id, kind=kind, starts_at=starts_at, audience=audience)
    session.add(event)
    await session.flush()
    return event


async def reminders(db, **where) -> list[Reminder]:
    async with db.read() as session:
        query = select(Reminder).order_by(Reminder.due_at, Reminder.id)
        for key, value in where.items():
            query = query.where(getattr(Reminder, key) == value)
        return list((await session.exec(query)).all())
