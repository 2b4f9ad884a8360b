"""A program with three municipalities, a kickoff, a coordinator, and the
console harness talking to the real core on a real database."""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from adapters.console import Chat, ConsolePort
from adapters.console_render import render_text
from bot.config import BotSettings, Config
from bot.core import Core
from bot.store.db import Database
from bot.store.migrate import check_current
from bot.store.models import (
    DialogState,
    Enrollment,
    Organisation,
    Person,
    Program,
    ProgramEvent,
    ProgramOrganisation,
)
from tests.conftest import migrated

ORGS = ("Enköpings kommun", "Knivsta kommun", "Täby kommun")
COORDINATOR = "Hanna"
KICKOFF = datetime(2027, 1, 19, 8, 0, tzinfo=UTC)  # 09:00 in Stockholm


@dataclass
class World:
    db: Database
    core: Core
    port: ConsolePort
    program_id: int
    org_ids: dict[str, int]
    chats: dict[str, Chat] = field(default_factory=dict)

    def chat(self, name: str) -> Chat:
        if name not in self.chats:
            self.chats[name] = Chat(self.core, self.port, name)
        return self.chats[name]

    def restart(self) -> None:
        """A new core on the same database, as after a process restart."""
        self.core = Core(self.db, self.core.config, self.core.clock)
        for chat in self.chats.values():
            chat.core = self.core

    async def enrollment(self, name: str, role: str | None = None) -> Enrollment | None:
        async with self.db.read() as s:
            query = select(Enrollment).join(Person, Person.id == Enrollment.person_id).where(Person.name == name)
            if role:
                query = query.where(Enrollment.role == role)
            return (await s.exec(query)).first()

    async def person(self, name: str) -> Person | None:
        async with self.db.read() as s:
            return (await s.exec(select(Person).where(Person.name == name))).first()

    async def states(self, name: str) -> list[DialogState]:
        async with self.db.read() as s:
            query = select(DialogState).join(Person, Person.id == DialogState.person_id).where(Person.name == name)
            return list((await s.exec(query)).all())


async def make_world(
    db: Database, clock, locale: str = "sv", orgs: tuple[str, ...] = ORGS, **program_settings
) -> World:
    """`orgs` in the order they are added (their ids); the intake lists them by name."""
    config = Config(bot=BotSettings(locale="sv", coordinators=(f"console:local:{COORDINATOR.lower()}",)))
    async with db.write() as s:
        program = Program(
            slug="mentor-2027",
            name="Mentorprogram 2027",
            start=date(2027, 1, 15),
            end=date(2027, 12, 31),
            locale=locale,
            **program_settings,
        )
        s.add(program)
        orgs = [Organisation(name=n) for n in orgs]
        s.add_all(orgs)
        await s.flush()
        for org in orgs:
            s.add(ProgramOrganisation(program_id=program.id, organisation_id=org.id))
        s.add(ProgramEvent(program_id=program.id, kind="kickoff", starts_at=KICKOFF, place="Stadshuset"))
        program_id, org_ids = program.id, {o.name: o.id for o in orgs}
    core = Core(db, config, clock)
    world = World(db, core, ConsolePort(), program_id, org_ids)
    await world.chat(COORDINATOR).say("help")  # the coordinator has talked to the bot once
    return world


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """One SQLite file migrated to head; each test gets its own copy (the
    migrations themselves are tested in tests/core/test_storage.py)."""
    path = tmp_path_factory.mktemp("dialogs") / "template.db"

    async def build() -> None:
        async with migrated(f"sqlite:///{path}"):
            pass

    asyncio.run(build())
    return path


@pytest.fixture
async def sqlite_db(migrated_template, tmp_path):
    """A real, migrated SQLite file for this test (overrides the shared
    fixture of the same name with a faster copy)."""
    path = tmp_path / "mentorbot.db"
    shutil.copyfile(migrated_template, path)
    db = Database(f"sqlite:///{path}")
    await check_current(db)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
async def world(sqlite_db, clock) -> World:
    return await make_world(sqlite_db, clock)


def text_of(replies) -> str:
    """What the person sees, as the console shows it."""
    return "\n".join(render_text(r) for r in replies)
