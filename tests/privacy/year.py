"""A program year with people whose every answer is unmistakably theirs, and
a scan of every text and JSON column of every table for what names them.

Each member gets a surname no one else has, used in their name, e-mail,
platform id and every free-text answer, so finding the surname (or the
e-mail, or the identity key) anywhere after `forget` is a leak.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import SQLModel, select

import bot.store.models  # noqa: F401 - registers the tables
from adapters.console import Chat, ConsolePort
from bot.clock import VirtualClock
from bot.core import Core
from bot.messages import Actor, Address, Outbound, Platform, Where
from bot.outbox import address_to_dict, encode
from bot.people import person_for_actor
from bot.reminders.store import Planned, insert_if_absent
from bot.store.db import Database
from bot.store.models import (
    DialogState,
    Enrollment,
    Identity,
    Meeting,
    Pairing,
    Person,
    Reminder,
    ReminderStatus,
    SharedFile,
    SurveyResponse,
)
from tools.simulate import END, START, run_program_year, simulation_config
from tools.simulation_cohort import COORDINATOR, Member, cohort

SURNAMES = ("Qvarnström", "Öhrvall", "Ljungqvist", "Wennerholm", "Zetterlund", "Åkerblom", "Rydbeck", "Fjällgren")


def distinctive(members: list[Member]) -> list[Member]:
    out = []
    for member, surname in zip(members, SURNAMES):
        answers = dict(member.answers, department=f"Enheten {surname}gården", place=f"{surname}s bibliotek")
        if member.role == "adept":
            answers.update(
                role_title=f"Biträdande chef på {surname}gården",
                wishes=f"Mitt dilemma: arbetslaget på {surname}gården litar inte på mig.",
            )
        else:
            answers.update(nominator=f"Områdeschefen som känner {surname}")
        out.append(Member(f"{member.name} {surname}", member.role, member.organisation, answers))
    return out


def email(member: Member) -> str:
    return f"{member.user}@{member.organisation.split()[0].lower()}.example.se"


@dataclass
class Year:
    url: str
    adept: Member  # of a pair that met (so a meeting is logged by them)
    mentor: Member  # of another pair; also made a coordinator, who adds one
    partner_of_adept: Member


def needles(member: Member) -> list[str]:
    surname = member.name.split()[-1]
    return [
        surname,
        member.name,
        email(member),
        member.user,
        f"console:local:{member.user}",
        *(v for v in member.answers.values() if surname in v),
    ]


async def build_year(url: str, db: Database) -> Year:
    """Run the year on `db` (migrated, empty); returns who to forget."""
    rng = random.Random(4)
    members = distinctive(cohort(8, rng))
    clock = VirtualClock(START)
    async with db.write() as session:  # people known with their e-mail, as a platform profile gives it
        for m in members:
            await person_for_actor(
                session, Actor(Platform.CONSOLE, "local", m.user, display_name=m.name, email=email(m)), clock.now()
            )
    config = simulation_config(url, "sv")
    world = await run_program_year(db, config, clock, members, rng, "sv")
    met = next(p for p in world.pairs if p.behaviour.name == "regular")
    other = next(p for p in world.pairs if p is not met)
    coordinator = world.chats[COORDINATOR]
    mentor = Chat(world.core, world.port, other.mentor.name)
    await coordinator.say(f"coordinator add {email(other.mentor)}")
    await mentor.say(f"coordinator add console:local:{met.mentor.user}")
    async with db.write() as session:
        adept_id = (await session.exec(select(Identity.person_id).where(Identity.user_id == met.adept.user))).one()
        program_id = (await session.exec(select(Enrollment.program_id).where(Enrollment.person_id == adept_id))).first()
        session.add(
            SurveyResponse(
                program_id=program_id,
                person_id=adept_id,
                survey="closing",
                answers={"free": f"Året på {met.adept.name.split()[-1]}gården var bra."},
                created_at=clock.now(),
            )
        )
        # The mentor is half-way through a second intake (a finished one keeps no answers).
        mentor_id = (await session.exec(select(Identity.person_id).where(Identity.user_id == other.mentor.user))).one()
        session.add(
            DialogState(
                person_id=mentor_id,
                program_id=program_id,
                name="adept_intake",
                step="wishes",
                data={"answers": {"department": other.mentor.answers["department"]}},
                history=["consent", "department"],
                status="active",
                updated_at=clock.now(),
            )
        )
        # A person who stays names the adept in free text (only the mentions step finds it).
        kept_id = (await session.exec(select(Identity.person_id).where(Identity.user_id == met.mentor.user))).one()
        other_enrollment = (await session.exec(select(Enrollment).where(Enrollment.person_id == kept_id))).first()
        other_enrollment.nomination_reason = f"Rekommenderad av {met.adept.name}"
        session.add(other_enrollment)
        # A file made for the adept (their mydata behind a Teams link) and their event answer and feed.
        session.add(
            SharedFile(
                token=uuid.uuid4().hex,
                person_id=adept_id,
                filename=f"mydata-{met.adept.name}.json",
                media_type="application/json",
                data=b"{}",
                created_at=clock.now(),
                expires_at=clock.now() + timedelta(days=1),
            )
        )
    # A message to the adept kept in the outbox (as every reply will be): one sent, one still pending.
    to = Address(Platform.CONSOLE, "local", f"dm:{met.adept.user}", met.adept.user, Where.DM)
    for text in (f"Hej {met.adept.name}!", f"Glöm inte träffen, {met.adept.name}."):
        await defer(db, clock, Outbound(text=text, to=to, kind="test/message"), program_id=program_id)
    clock.advance(timedelta(minutes=5))
    await world.dispatcher.tick()  # sends both
    await defer(db, clock, Outbound(text=f"Vi ses, {met.adept.name}.", to=to, kind="test/message"))
    # A message kept for the adept until they open the console (its key names their console account).
    await ConsolePort(keep=db, clock=clock).send(to, Outbound(text="Välkommen!", to=to, kind="test/message"))
    return Year(url, met.adept, other.mentor, met.mentor)


async def defer(db: Database, clock: VirtualClock, message: Outbound, *, program_id: int | None = None) -> None:
    """A message to someone kept in the outbox, due in 30 s (as a turn's send that met an error leaves it)."""
    async with db.write() as session:
        await insert_if_absent(
            session,
            [
                Planned(
                    key=f"message:{uuid.uuid4().hex}",
                    kind="message",
                    template=message.kind,
                    subject="",
                    due_at=clock.now() + timedelta(seconds=30),
                    program_id=program_id,
                    address=address_to_dict(message.to),
                    context={"message": encode(message)},
                )
            ],
            clock.now(),
        )


async def forget(db: Database, url: str, *members: Member) -> None:
    """Each member types `forget` and presses Yes, after the year."""
    core = Core(db, simulation_config(url, "sv"), VirtualClock(END + timedelta(days=1)))
    port = ConsolePort()
    for m in members:
        chat = Chat(core, port, m.name)
        await chat.say("forget")
        done = await chat.choose(1)
        assert done and done[0].kind == "commands/forgotten", done


def _is_text(type_) -> bool:
    if isinstance(type_, sa.types.TypeDecorator):  # SQLModel's AutoString
        type_ = type_.impl
    return isinstance(type_, (sa.String, sa.JSON))


def _text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


async def scan(db: Database, words: list[str]) -> list[str]:
    """Every (table.column = value) in a text or JSON column containing one of `words`."""
    found = []
    lowered = [w.lower() for w in words if w]
    async with db.read() as session:
        conn = await session.connection()
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if _is_text(c.type)]
            if not columns:
                continue
            for row in (await conn.execute(sa.select(*columns))).all():
                for column, value in zip(columns, row):
                    if value is None:
                        continue
                    text = _text(value).lower()
                    found += [f"{table.name}.{column.name} = {_text(value)[:120]!r}" for w in lowered if w in text]
    return found


async def traces(db: Database, member: Member) -> list[str]:
    """What the database still links to the member's person row beyond text."""
    out = []
    async with db.read() as session:
        person = (await session.exec(select(Person).where(Person.name == member.name))).first()
        if person is not None:
            out.append(f"person {person.id} still named")
        ids = [i for i in (await session.exec(select(Identity.person_id).where(Identity.user_id == member.user))).all()]
        out += [f"identity of person {i}" for i in ids]
        # The tombstone: found through the enrollments that point at it.
        tombstones = {e.person_id for e in (await session.exec(select(Enrollment))).all()}
        for pid in tombstones:
            p = await session.get(Person, pid)
            if p.email is None and p.created_at is None:
                enrollment_ids = [
                    e.id for e in (await session.exec(select(Enrollment).where(Enrollment.person_id == pid))).all()
                ]
                pairs = (
                    await session.exec(
                        select(Pairing).where(
                            Pairing.adept_id.in_(enrollment_ids) | Pairing.mentor_id.in_(enrollment_ids)
                        )
                    )
                ).all()
                out += [f"pairing {p.id} keeps its rationale" for p in pairs if p.rationale]
                out += [f"pairing {p.id} still {p.status}" for p in pairs if p.status != "ended"]
                logged = (await session.exec(select(Meeting).where(Meeting.logged_by == pid))).all()
                out += [f"meeting {m.id} logged by the tombstone" for m in logged]
                rows = (await session.exec(select(Reminder).where(Reminder.person_id == pid))).all()
                out += [f"reminder {r.key} to the tombstone" for r in rows]
                pending = [r for r in rows if r.status == ReminderStatus.PENDING]
                out += [f"reminder {r.key} still pending" for r in pending]
    return out
