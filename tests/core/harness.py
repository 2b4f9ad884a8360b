"""Build a core on a real database with console people for transcript tests."""

from __future__ import annotations

from sqlmodel import select

from adapters.console import TENANT, Chat, ConsolePort, user_id
from bot.config import BotSettings, Config, ServerConfig
from bot.core import Core
from bot.messages import Actor, Buttons, Outbound, Platform
from bot.people import person_for_actor
from bot.store.models import Enrollment, EnrollmentStatus, Organisation, Pairing, Person

# What `server.link_secret` is in the tests (an installation that signs download and calendar links).
LINK_SECRET = "test-link-secret-0123456789abcdefghijklmnop"


def make_core(
    db, clock, *, locale: str = "sv", coordinators=("console:local:anna",), rate_limit=None, slack_workspace: str = ""
) -> Core:
    """`rate_limit=RateLimit.off()` for property tests that type faster than any person;
    `slack_workspace`: the bot's own, as the Slack adapter learns it at start (let in)."""
    config = Config(
        server=ServerConfig(link_secret=LINK_SECRET), bot=BotSettings(locale=locale, coordinators=tuple(coordinators))
    )
    core = Core(db, config, clock, rate_limit=rate_limit)
    if slack_workspace:
        core.own_tenants.learn("slack", slack_workspace)
    return core


def texts(messages) -> str:
    return "\n".join(m.text for m in messages)


async def typed_cleanly(chat: Chat, lines) -> None:
    """Each (setup) line typed by `chat`; none may be answered with an error."""
    for line in lines:
        replies = await chat.say(line)
        assert not [r for r in replies if "errors/" in r.kind], (line, texts(replies))


async def confirmed(chat: Chat, line: str) -> list[Outbound]:
    """Type a command that asks first (`unpair`, `org remove` …) and press
    its Yes as a client does: the button's action id and value, on its card."""
    asked = await chat.say(line)
    for message in asked:
        for block in message.card.blocks if message.card is not None else ():
            for button in block.buttons if isinstance(block, Buttons) else ():
                if button.action_id == "confirm.confirm":
                    return await chat.click(button.action_id, button.value, on=message)
    raise AssertionError(f"{line!r} did not ask: {texts(asked)}")


class World:
    """A core, a recording port, and people by name."""

    def __init__(self, core: Core):
        self.core = core
        self.port = ConsolePort()
        self._chats: dict[str, Chat] = {}

    def __getitem__(self, name: str) -> Chat:
        if name not in self._chats:
            self._chats[name] = Chat(self.core, self.port, name)
        return self._chats[name]


async def program_world(db, clock, locale: str) -> World:
    """A world in `locale` where coordinator Anna has created Mentorprogram 2027 (`.locale` set)."""
    world = World(make_core(db, clock, locale=locale))
    await world["Anna"].say("program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19")
    world.locale = locale
    return world


async def enroll(
    db,
    clock,
    program_id: int,
    name: str,
    role: str,
    org: str,
    topics,
    capacity: int = 1,
    status: str = EnrollmentStatus.ACTIVE,
) -> None:
    """A console person who has finished the intake (organisation, topics, capacity)."""
    async with db.write() as s:
        person, _ = await person_for_actor(
            s, Actor(Platform.CONSOLE, TENANT, user_id(name), display_name=name), clock.now()
        )
        organisation = (await s.exec(select(Organisation).where(Organisation.name == org))).one()
        person.organisation_id = organisation.id
        s.add(person)
        s.add(
            Enrollment(
                program_id=program_id,
                person_id=person.id,
                role=role,
                status=status,
                capacity=capacity,
                answers={
                    "organisation_id": organisation.id,
                    "topics": topics,
                    "format": "mixed",
                    "languages": ["sv"],
                    "role_title": "enhetschef",
                },
            )
        )


async def pair_of(db, adept: str) -> int:
    """The id of the pair whose adept is called `adept` (the number `unpair` takes)."""
    async with db.read() as s:
        return (
            await s.exec(
                select(Pairing.id)
                .join(Enrollment, Enrollment.id == Pairing.adept_id)
                .join(Person, Person.id == Enrollment.person_id)
                .where(Person.name == adept)
            )
        ).one()


COMMANDS_SETUP = (
    "program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19",
    "org add Täby kommun",
    "org add Knivsta kommun",
    'event add kickoff 2027-01-19 13:00 place="Stadshuset"',
)


async def commands_world(db, clock, locale: str) -> World:
    """Coordinator Anna's program with two organisations and a kickoff, in `locale` (`.locale` set)."""
    world = World(make_core(db, clock, locale=locale))
    for line in COMMANDS_SETUP:
        await world["Anna"].say(line)
    world.locale = locale
    return world
