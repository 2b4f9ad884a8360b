"""A program year through the console harness and the real dispatcher on the
virtual clock: commands typed by the coordinator, pairs matched and
announced the real way, and every message sent kept with its date."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.messages import Platform
from bot.ports import Delivery
from bot.reminders.calendar import ProgramCalendar
from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.core.harness import World, enroll, make_core
from tests.scheduler.helpers import RecordingPort

UTC = UTC
CAL = ProgramCalendar()
# name: (role, organisation, topics): three pairs that match one way only.
COHORT = {
    "Cecilia": ("adept", "Täby kommun", ["conflict", "budget"]),
    "David": ("adept", "Knivsta kommun", ["staffing"]),
    "Erik": ("adept", "Täby kommun", ["change"]),
    "Frida": ("mentor", "Knivsta kommun", ["conflict", "budget"]),
    "Gustav": ("mentor", "Täby kommun", ["staffing"]),
    "Hanna": ("mentor", "Knivsta kommun", ["change"]),
}
PAIRS = {"Cecilia": "Frida", "David": "Gustav", "Erik": "Hanna"}


class Year(World):
    """A World with a dispatcher whose port records when each message went out."""

    def __init__(self, db, clock, locale: str):
        super().__init__(make_core(db, clock, locale=locale))
        self.db, self.clock, self.locale = db, clock, locale
        self.sent = RecordingPort(clock=clock)
        self.dispatcher = Dispatcher(db, Delivery({Platform.CONSOLE: self.sent}), clock, self.core.config)

    async def start(self, *, start="2027-01-19", end="2027-12-15", cohort=COHORT, announce=True) -> None:
        for line in (
            f"program create Mentorprogram 2027 start={start} end={end}",
            "org add Täby kommun",
            "org add Knivsta kommun",
        ):
            await self["Anna"].say(line)
        for name, (role, org, topics) in cohort.items():
            await enroll(self.db, self.clock, 1, name, role, org, topics)
        if announce:
            for line in ("match", "match approve", "match announce"):
                await self["Anna"].say(line)

    async def run_until(self, day: date) -> None:
        await run_until(self.dispatcher, self.clock, datetime.combine(day, datetime.min.time(), tzinfo=UTC))

    def received(self, name: str, kind: str | None = None) -> list[tuple[date, str]]:
        """(local day, text) of what the dispatcher sent `name`, optionally of one template."""
        return [
            (CAL.local_day(at), m.text)
            for at, to, m in self.sent.log
            if to.user == name.lower() and (kind is None or m.kind == kind)
        ]

    def kinds_sent(self, since: date) -> list[tuple[date, str, str]]:
        return [
            (CAL.local_day(at), to.user or to.conversation, m.kind)
            for at, to, m in self.sent.log
            if CAL.local_day(at) >= since
        ]


async def started_year(db, clock, locale: str, say: dict) -> Year:
    """A started `Year` in `locale`, with the test's expected sentences in that
    language as `year.say` (each test module keeps them as `SAY[locale]`)."""
    year = Year(db, clock, locale)
    await year.start()
    year.say = say[locale]
    return year
