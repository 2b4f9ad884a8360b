"""`make demo`: a scripted console session on a fresh SQLite file.

A coordinator sets up the program with the calendar from the seed (kickoff,
coaching skills for mentors, inspiration meeting, closing), the five
municipalities of the network, invites adepts and nominates mentors; then the
transcript is printed as a person would see it. It ends with the
coordinator's report and export: the transcript, the report's chart and the
export's files are saved together in `demo-output/` (or `out_dir`).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from adapters.console import Chat, ConsolePort, setup_person
from adapters.console_render import render_text
from bot.clock import VirtualClock
from bot.config import BotSettings, Config, DatabaseConfig
from bot.core import Core
from bot.dialogs.scripted import DEMO_PEOPLE, onboard
from bot.ratelimit import RateLimit
from bot.store.db import Database
from bot.store.migrate import upgrade

MUNICIPALITIES = ("Upplands Väsby kommun", "Enköpings kommun", "Håbo kommun", "Täby kommun", "Knivsta kommun")
# Adepts are new managers, mentors experienced ones (answers in bot/dialogs/scripted.py).
ADEPTS = tuple((n, DEMO_PEOPLE[n]["organisation"]) for n in ("Niklas", "Lina", "Omar"))
MENTORS = tuple((n, DEMO_PEOPLE[n]["organisation"]) for n in ("Sara", "Mats"))

SETUP = (
    "program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19 locale=sv tz=Europe/Stockholm",
    "program set nominators=anyone",  # the area managers who nominate mentors take no part themselves
    *(f"org add {name}" for name in MUNICIPALITIES),
    'event add kickoff 2027-01-19 13:00 place="Stadshuset, Upplands Väsby"',
    'event add mentor_training 2027-02-22 09:00 place="Digitalt (Teams)"',
    'event add inspiration 2027-05-12 13:00 place="Täby kulturhus"',
    'event add closing 2028-01-19 15:00 place="Stadshuset, Upplands Väsby"',
    "invite " + " ".join(f"console:local:{n.lower()}" for n, _ in ADEPTS),
    "program show",
)


class Transcript:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def said(self, who: str, text: str) -> None:
        self.lines.append(f"\n{who} > {text}")

    def got(self, who: str, messages) -> None:
        for message in messages:
            body = render_text(message).replace("\n", "\n    ")
            self.lines.append(f"  mentorbot → {who}: {body}")

    def print(self) -> None:
        print("\n".join(self.lines))

    def save(self, path: Path) -> None:
        path.write_text("\n".join(self.lines) + "\n", encoding="utf-8")


async def run_demo(
    db_path: Path | None = None,
    out: Transcript | None = None,
    *,
    year: bool = True,
    transcript_lines: int = 80,
    out_dir: Path | None = None,
) -> int:
    # Files go next to the transcript: ./demo-output for `make demo`, else beside the given database.
    out_dir = Path(out_dir) if out_dir else (Path(db_path).parent if db_path else Path("demo-output"))
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = None
    if db_path is None:
        tmp = tempfile.TemporaryDirectory(prefix="mentorbot-demo-")
        db_path = Path(tmp.name) / "demo.db"
    url = f"sqlite:///{db_path}"
    config = Config(database=DatabaseConfig(url), bot=BotSettings(locale="sv", coordinators=("console:local:evelina",)))
    clock = VirtualClock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    db = Database(url)
    await upgrade(db)
    core = Core(db, config, clock, rate_limit=RateLimit.off())  # a scripted transcript, not people
    port = ConsolePort()
    transcript = out or Transcript()
    people = {}
    received: dict[str, list] = {}  # the last messages others caused to arrive, per person

    async def chat(name: str, org: str | None = None) -> Chat:
        if name not in people:
            people[name] = Chat(core, port, name)
            await setup_person(core, people[name], org=org)
        return people[name]

    saved: list[Path] = []

    async def say(name: str, line: str) -> None:
        c = await chat(name)
        transcript.said(name, line)
        replies = await c.say(line)
        transcript.got(name, replies)
        for message in replies:  # files (a chart, an export) next to the transcript
            for item in message.files:
                saved.append(out_dir / item.filename)
                saved[-1].write_bytes(item.data)
        for other, c2 in people.items():
            if other != name:
                arrived = c2.inbox()
                if arrived:
                    received[other] = arrived
                transcript.got(other, arrived)

    transcript.lines.append(f"mentorbot demo – database {db_path}")
    await chat("Evelina")
    for name, org in ADEPTS + MENTORS:
        await chat(name, org)
    for line in SETUP[:1]:
        await say("Evelina", line)
    for line in SETUP[1:]:
        await say("Evelina", line)
    # Area managers nominate the experienced managers as mentors.
    for (mentor, org), manager in zip(MENTORS, ("Karin", "Per")):
        await chat(manager, org)
        await say(manager, f"nominate console:local:{mentor.lower()} Mer än fem år som chef, lugn och klok")
    # Everyone answers the intake through the real dialogues: Niklas and Sara
    # press the button on their card, the others type `join`.
    for name, answers in DEMO_PEOPLE.items():
        c = people[name]
        waiting = received.get(name, [])
        clicker = name in ("Niklas", "Sara")
        verbose = name in ("Niklas", "Sara")

        async def send(line: str, c=c, waiting=waiting, clicker=clicker, verbose=verbose, name=name):
            replies = await (c.choose(1, waiting) if clicker and line == "join" else c.say(line))
            if verbose:
                transcript.said(name, "[1]" if clicker and line == "join" else line)
                transcript.got(name, replies)
            return replies

        last = await onboard(send, answers)
        if not verbose:
            transcript.said(name, "join … (the same questions, answered)")
            transcript.got(name, last[-1:])
    for line in ("participants", "match", "match approve", "match announce"):
        await say("Evelina", line)
    await say("Niklas", "status")
    # A few weeks on: the first pair meets, a mentee answers the kickoff, and
    # the coordinator looks at the program as a whole.
    clock.set(datetime(2027, 2, 10, 9, 0, tzinfo=UTC))
    await say("Niklas", "met 2027-02-09")
    await say("Lina", "calendar")
    for line in ("home", "report", "export"):
        await say("Evelina", line)
    transcript.print()
    transcript.save(out_dir / "transcript.txt")
    await db.dispose()
    if tmp is not None:
        tmp.cleanup()
    if year:
        await _year(transcript_lines)
    print("\n" + "=" * 72 + f"\nThe coordinator's report and export, saved next to the transcript in {out_dir}/:")
    for path in [out_dir / "transcript.txt", *saved]:
        print(f"  {path} ({path.stat().st_size // 1024 or 1} kB)")
    return 0


async def _year(lines: int) -> None:
    print("\n".join(await year_section(lines)))


async def year_section(lines: int = 60, participants: int = 10) -> list[str]:
    """The rest of the year and the next cohort: `mentorbot simulate` with a
    small cohort, as its steps with their dates and one dated message of each
    step (at most `lines` lines of them)."""
    from tools import simulate
    from tools.simulation_steps import highlights, steps

    with tempfile.TemporaryDirectory(prefix="mentorbot-year-") as tmp:
        world, stats = await simulate.simulate(participants, 4, "sv", Path(tmp) / "year.db")
    rule = "=" * 72
    quoted = "\n".join(highlights(world, stats["facts"])).splitlines()
    return [
        f"\n{rule}\nThe program year on a virtual clock (mentorbot simulate --participants {participants})\n{rule}",
        "",
        "The year, step by step (local dates):",
        *steps(world, stats["facts"]),
        "",
        "One message of each step, as it was sent (the whole year: mentorbot simulate --transcript FILE):",
        "",
        *quoted[:lines],
    ]
