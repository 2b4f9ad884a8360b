"""`mentorbot simulate`: a whole program year on a virtual clock.

Everything real except time and the platform: the core (`Core.handle` with
console people typing and clicking), the planner, the dispatcher, the
templates and a SQLite file; messages go to a recording console port.

The cohort follows the seeds: the calendar of the Gothenburg-style program
(kickoff 19 January, coaching skills for mentors 22 February, inspiration
meeting 12 May, closing 19 January the year after; here 2027) and managers
from the five municipalities of the Upplands Väsby network. Pairs behave
differently: regular (press *We met* on each nudge), irregular (type `met`
now and then, sometimes *Remind me in a week*), silent (never answer), and
one pair where the adept pauses for two months.

    mentorbot simulate [--participants N] [--seed S] [--locale sv|en] [--transcript FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import random
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from adapters.console import Chat, ConsolePort, setup_person
from bot import collector
from bot.clock import VirtualClock
from bot.config import BotSettings, Config, DatabaseConfig
from bot.core import Core
from bot.messages import Address, Buttons, Inbound, Kind, Outbound, Platform, Where
from bot.ports import Delivery
from bot.ratelimit import RateLimit
from bot.store.db import Database
from bot.store.migrate import upgrade
from scheduler.dispatcher import Dispatcher
from scheduler.drive import Sweeps, run_until
from tools.simulation_cohort import (
    COORDINATOR,
    MUNICIPALITIES,
    Member,
    Pair,
    announced_pairs,
    behaviours_for,
    cohort,
    pair_up_directly,
)
from tools.simulation_steps import year_facts
from tools.simulation_summary import collect, summary, transcript
from tools.simulation_year_end import AFTER, NEW_ADEPTS, close_and_start_again

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ANNOUNCE = datetime(2027, 1, 12, 10, 0, tzinfo=UTC)  # a week before the kickoff, where pairs meet
END = datetime(2028, 1, 20, 12, 0, tzinfo=UTC)
PROGRAM_CHANNEL = "mentorprogram-2027"


class TimedConsolePort(ConsolePort):
    """The console port, also noting when (on the virtual clock) each message went."""

    def __init__(self, clock: VirtualClock):
        super().__init__()
        self.clock = clock
        self.log: list[tuple[datetime, str, Outbound]] = []

    async def send(self, to: Address, message: Outbound):
        sent = await super().send(to, message)
        who = to.user if to.where == Where.DM and to.user else f"#{to.conversation}"
        self.log.append((self.clock.now(), who, message))
        return sent


@dataclass
class World:
    core: Core
    clock: VirtualClock
    port: TimedConsolePort
    dispatcher: Dispatcher
    rng: random.Random
    chats: dict[str, Chat] = field(default_factory=dict)
    pairs: list[Pair] = field(default_factory=list)
    replies: list[tuple[datetime, str, str, Outbound]] = field(default_factory=list)  # (when, who, typed, reply)
    seen: int = 0  # how much of port.log the people have read
    sweeps: Sweeps = field(default_factory=Sweeps)  # one service, running all year
    locale: str = "sv"

    _by_user: dict[str, Pair] = field(default_factory=dict)
    _indexed: tuple[int, int] = (0, -1)  # (id, length) of the pairs list `_by_user` was built from

    def pair_of(self, user: str) -> Pair | None:
        """A person's (first) pair, from a dict built once per list of pairs."""
        if self._indexed != (id(self.pairs), len(self.pairs)):
            self._by_user = {}
            for p in self.pairs:
                for member in (p.adept, p.mentor):
                    self._by_user.setdefault(member.user, p)
            self._indexed = (id(self.pairs), len(self.pairs))
        return self._by_user.get(user)

    @property
    def delivery(self) -> Delivery:
        return self.dispatcher.delivery

    async def chat(self, member_or_name, org: str | None = None) -> Chat:
        name = member_or_name if isinstance(member_or_name, str) else member_or_name.name
        if name not in self.chats:
            self.chats[name] = Chat(self.core, self.port, name)
            await setup_person(self.core, self.chats[name], org=org)
        return self.chats[name]

    async def say(self, name: str, text: str) -> list[Outbound]:
        """Type a line (a bare number is an answer here, not a card pick).
        The turn's rows are sent and recorded as an adapter does."""
        chat = await self.chat(name)
        replies = await chat._send(Inbound(chat.actor, chat.address, Kind.TEXT, text=text))
        for r in replies:
            self.replies.append((self.clock.now(), name, text, r))
        return replies

    async def click(self, name: str, action_id: str, value: str) -> list[Outbound]:
        replies = await (await self.chat(name)).click(action_id, value)
        for r in replies:
            self.replies.append((self.clock.now(), name, f"[{action_id}]", r))
        return replies

    async def choose(self, name: str, number: int, on: list[Outbound]) -> list[Outbound]:
        """Press option `number` of the last card in `on`."""
        replies = await (await self.chat(name)).choose(number, on)
        for r in replies:
            self.replies.append((self.clock.now(), name, f"[{number}]", r))
        return replies


# ------------------------------------------------------------------ the year


async def set_up_program(world: World, locale: str) -> None:
    """The coordinator creates the program through the real commands."""
    await world.chat(COORDINATOR)
    lines = [
        f"program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19 locale={locale} tz=Europe/Stockholm",
        *(f'org add "{name}"' for name in MUNICIPALITIES),
        'event add kickoff 2027-01-19 13:00 place="Stadshuset, Upplands Väsby"',
        'event add mentor_training 2027-02-22 09:00 audience=mentors place="Digitalt (Teams)"',
        'event add inspiration 2027-05-12 13:00 place="Täby kulturhus"',
        'event add closing 2028-01-19 15:00 place="Stadshuset, Upplands Väsby"',
    ]
    for line in lines:
        await world.say(COORDINATOR, line)
    channel = Chat(
        world.core,
        world.port,
        COORDINATOR,
        where=Address(Platform.CONSOLE, "local", PROGRAM_CHANNEL, where=Where.CHANNEL),
    )
    for r in await channel.say("channel"):
        world.replies.append((world.clock.now(), COORDINATOR, "channel", r))


async def onboard_everyone(world: World, members: list[Member]) -> None:
    """Each person joins and answers the intake dialogue through the core."""
    from bot.dialogs.scripted import onboard

    for m in members:
        await world.chat(m, org=m.organisation)
    await world.say(COORDINATOR, "invite " + " ".join(f"console:local:{m.user}" for m in members if m.role == "adept"))
    for m in members:
        world.clock.advance(timedelta(minutes=7))
        await onboard(partial(world.say, m.name), m.answers, first=f"join role={m.role}")
    for m in members:  # a nomination the bot did not see waits for the coordinator's yes
        if m.role == "mentor":
            await world.say(COORDINATOR, f"approve-participant console:local:{m.user}")


async def react(world: World) -> None:
    """People read what the dispatcher just sent and act like their pair does."""
    new = world.port.log[world.seen :]
    world.seen = len(world.port.log)
    for _at, who, message in new:
        pair = world.pair_of(who)
        if pair is None:
            continue
        member = pair.adept if who == pair.adept.user else pair.mentor
        if message.kind == "nudges/nudge" and member is pair.adept:  # the adept drives it (seed 004)
            action = pair.behaviour.on_nudge(world.rng, world.clock.now())
            if action:
                await world.click(pair.adept.name, action, str(pair.pairing_id))
        elif message.kind in ("surveys/survey", "surveys/survey_reminder"):
            if pair.behaviour.answers_survey(world.rng, reminded=message.kind.endswith("_reminder")):
                await answer_survey(world, member, button_value(message, "survey.start"))
        elif message.kind == "closeout/question":
            goes_on = pair.behaviour.goes_on(member.role)
            if goes_on is not None:
                await world.click(
                    member.name, "continue.yes" if goes_on else "continue.no", button_value(message, "continue.yes")
                )


async def after_tick(world: World, _result) -> None:
    await react(world)


def button_value(message: Outbound, action_id: str) -> str:
    """The value of the button `action_id` on the message's card (what pressing it sends)."""
    return next(
        b.value
        for block in (message.card.blocks if message.card else ())
        if isinstance(block, Buttons)
        for b in block.buttons
        if b.action_id == action_id
    )


SKIP = {"sv": "hoppa över", "en": "skip"}
COMMENTS = {
    "sv": ("Bra samtal om att leda förändring.", "Svårt att hitta tider ibland."),
    "en": ("Good talks about leading change.", "Sometimes hard to find a time."),
}


async def answer_survey(world: World, member: Member, value: str) -> None:
    """Press *Start*, pick a score for each question, comment or skip, confirm."""
    replies = await world.click(member.name, "survey.start", value)
    for _ in range(10):
        kind = replies[-1].kind if replies else ""
        if kind == "surveys/ask/comment":
            comment = world.rng.choice((*COMMENTS[world.locale], SKIP[world.locale], SKIP[world.locale]))
            replies = await world.say(member.name, comment)
        elif kind.startswith("surveys/ask/"):
            replies = await world.choose(member.name, world.rng.randint(3, 5), replies)
        elif kind == "dialogs/ask/summary":
            replies = await world.choose(member.name, 1, replies)  # confirm
        else:
            return


async def run_year(world: World) -> None:
    queue: list[tuple[datetime, int, str, Pair]] = []
    for i, pair in enumerate(world.pairs):
        for when, what in pair.behaviour.own_moves(world.rng, ANNOUNCE, END):
            heapq.heappush(queue, (when, i, what, pair))

    while True:
        until = queue[0][0] if queue else END
        await run_until(
            world.dispatcher, world.clock, min(until, END), sweeps=world.sweeps, on_tick=partial(after_tick, world)
        )
        if not queue or queue[0][0] > END:
            return
        when, _i, what, pair = heapq.heappop(queue)
        await world.say(pair.adept.name, what)


async def run_program_year(
    db: Database, config: Config, clock: VirtualClock, members: list[Member], rng: random.Random, locale: str
) -> World:
    """The coordinator sets up the program, `members` onboard, matching is
    announced and the pairs live through the year on `clock`."""
    core = Core(db, config, clock, rate_limit=RateLimit.off())  # scripted people type faster than real ones
    port = TimedConsolePort(clock)
    dispatcher = Dispatcher(db, Delivery({Platform.CONSOLE: port}), clock, config)
    world = World(core, clock, port, dispatcher, rng, locale=locale)
    await set_up_program(world, locale)
    await onboard_everyone(world, members)

    await run_until(
        dispatcher, clock, ANNOUNCE, sweeps=world.sweeps, on_tick=partial(after_tick, world)
    )  # the kickoff and its reminders
    behaviour = behaviours_for(world.rng)
    for line in ("match", "match approve", "match announce"):
        await world.say(COORDINATOR, line)
    world.pairs = await announced_pairs(db, members, behaviour)
    if not world.pairs:  # matching found nobody to announce: fall back so the year still runs
        world.pairs = await pair_up_directly(db, members, clock.now(), behaviour)
    await run_year(world)
    return world


def simulation_config(url: str, locale: str) -> Config:
    return Config(
        database=DatabaseConfig(url),
        bot=BotSettings(locale=locale, coordinators=(f"console:local:{COORDINATOR.lower()}",)),
    )


async def simulate(participants: int, seed: int, locale: str, db_path: Path) -> tuple[World, dict]:
    collector.configure()  # as `serve` runs
    url = f"sqlite:///{db_path}"
    db = Database(url)
    await upgrade(db)
    rng = random.Random(seed)
    members = cohort(participants, rng)
    world = await run_program_year(db, simulation_config(url, locale), VirtualClock(START), members, rng, locale)
    await close_and_start_again(world, new_adepts=min(len(NEW_ADEPTS), max(2, participants // 20)))
    await run_until(world.dispatcher, world.clock, AFTER, sweeps=world.sweeps, on_tick=partial(after_tick, world))
    stats = await collect(db, members)
    stats["facts"] = await year_facts(db)
    stats["db"] = str(db_path)
    await db.dispose()
    return world, stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mentorbot simulate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=12, help="adepts and mentors together (default 12)")
    parser.add_argument("--seed", type=int, default=4, help="random seed for how pairs behave (default 4)")
    parser.add_argument("--locale", choices=("sv", "en"), default="sv", help="the program's language")
    parser.add_argument("--transcript", type=Path, help="write every message to this file")
    parser.add_argument("--db", type=Path, help="keep the SQLite file here (default: a temporary one)")
    args = parser.parse_args(argv)
    if args.participants < 2:
        parser.error("--participants: at least 2 (one adept and one mentor)")
    if args.db is not None and args.db.exists():
        parser.error(
            f"--db: {args.db} already exists; a simulation starts from an empty database, "
            "so name a new file (or remove this one)"
        )
    with tempfile.TemporaryDirectory(prefix="mentorbot-simulate-") as tmp:
        db_path = args.db or Path(tmp) / "simulate.db"
        world, stats = asyncio.run(simulate(args.participants, args.seed, args.locale, db_path))
        stats["kept_db"] = args.db is not None
    print(summary(world, stats))
    if args.transcript:
        args.transcript.write_text(transcript(world), encoding="utf-8")
        print(f"transcript: {args.transcript} ({len(world.port.log)} messages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
