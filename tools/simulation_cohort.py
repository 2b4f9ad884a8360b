"""The people of `mentorbot simulate` and how their pairs behave
(nudges, surveys, the close-out question).

Managers from the five municipalities of the Upplands Väsby network (seed
000); adepts have about a year as managers, mentors five or more. Matching
and the announcement go through the coordinator's commands (`match`,
`match approve`, `match announce`); `announced_pairs` reads the result.
`pair_up_directly` is a stand-in used only if matching announced nobody.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.reminders.planner import plan_pair
from bot.store.db import Database
from bot.store.models import Enrollment, EnrollmentStatus, Identity, Pairing, PairStatus
from bot.store.rows import fetch, pk

COORDINATOR = "Evelina"
MUNICIPALITIES = ("Upplands Väsby kommun", "Enköpings kommun", "Håbo kommun", "Täby kommun", "Knivsta kommun")
FIRST_NAMES = (
    "Niklas",
    "Sara",
    "Lina",
    "Mats",
    "Omar",
    "Karin",
    "Johan",
    "Aisha",
    "Per",
    "Elin",
    "Jonas",
    "Maria",
    "Ali",
    "Sofia",
    "Anders",
    "Fatima",
    "Erik",
    "Hanna",
    "Mikael",
    "Linnea",
    "Ahmed",
    "Emma",
    "Lars",
    "Ida",
    "Oskar",
    "Sanna",
    "Viktor",
    "Maja",
    "Daniel",
    "Nora",
)
DEPARTMENTS = (
    "Hemtjänst",
    "Grundskola",
    "Samhällsbyggnad",
    "Avfall och återvinning",
    "HR och lön",
    "Kultur och fritid",
    "Socialtjänst",
    "Förskola",
)
TOPICS = (
    "change",
    "work_environment",
    "staffing",
    "conflict",
    "time_management",
    "communication",
    "own_role",
    "strategy",
    "budget",
    "recruitment",
)
NOMINATORS = ("Karin Berg", "Per Lind", "Eva Holm", "Stefan Ek")
STHLM = ZoneInfo("Europe/Stockholm")


@dataclass
class Member:
    name: str
    role: str
    organisation: str
    answers: dict

    @property
    def user(self) -> str:
        return self.name.lower().replace(" ", ".")


def cohort(size: int, rng: random.Random) -> list[Member]:
    adepts = (size + 1) // 2
    names = list(FIRST_NAMES)
    rng.shuffle(names)
    members = []
    for i in range(size):
        name = names[i] if i < len(names) else f"{names[i % len(names)]} {i // len(names) + 1}"
        role = "adept" if i < adepts else "mentor"
        org = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        topics = ", ".join(rng.sample(TOPICS, 2))
        # Answers that read the same in both languages (codes, names, the first listed language).
        answers = {
            "organisation": org,
            "department": rng.choice(DEPARTMENTS),
            "format": "mixed",
            "place": org.replace(" kommun", ""),
            "languages": "1",
            "summary": "1",
        }
        if role == "adept":
            answers.update(role_title="Enhetschef", months_as_manager=str(rng.randint(8, 20)), topics=topics)
        else:
            answers.update(
                years_as_manager=str(rng.randint(6, 20)),
                experience=topics,
                capacity="2",
                nominator=f"{rng.choice(NOMINATORS)}, områdeschef",
            )
        members.append(Member(name, role, org, answers))
    return members


# ---------------------------------------------------------------- behaviour


def at_local(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=STHLM)


@dataclass
class Behaviour:
    name: str = "silent"

    def on_nudge(self, rng: random.Random, now: datetime) -> str | None:
        """The button the adept presses on a nudge, if any."""
        return None

    def own_moves(self, rng: random.Random, start: datetime, end: datetime) -> list[tuple[datetime, str]]:
        """Things the adept types on their own initiative: (when, text)."""
        return []

    def answers_survey(self, rng: random.Random, reminded: bool) -> bool:
        """Whether a member starts the survey on this message (the first one or its reminder)."""
        return False

    def goes_on(self, role: str) -> bool | None:
        """A member's answer to "go on meeting on your own?" (None: never answers)."""
        return None


@dataclass
class Regular(Behaviour):
    name: str = "regular"

    def on_nudge(self, rng, now):
        return "nudge.met"

    def answers_survey(self, rng, reminded):
        return not reminded

    def goes_on(self, role):
        return True  # both want to: the pair continues


@dataclass
class Irregular(Behaviour):
    name: str = "irregular"

    def on_nudge(self, rng, now):
        return "nudge.snooze" if rng.random() < 0.4 else None

    def answers_survey(self, rng, reminded):
        return reminded and rng.random() < 0.5  # some, after the reminder

    def goes_on(self, role):
        return role == "adept"  # the mentor says no: the pair completes

    def own_moves(self, rng, start, end):
        moves, day = [], start.astimezone(STHLM).date()
        while True:
            day += timedelta(days=rng.randint(18, 55))
            when = at_local(day, 16, 30)
            if when >= end:
                return moves
            moves.append((when, f"met {day.isoformat()} {rng.choice((60, 75, 90, 120))}"))


@dataclass
class Pausing(Regular):
    name: str = "pause"
    moves: list = field(default_factory=list)

    def own_moves(self, rng, start, end):
        return [(at_local(datetime(2027, 3, 10).date(), 10), "pause 2027-05-10")]

    def goes_on(self, role):
        return False  # the year was enough: the pair completes


def behaviours_for(rng: random.Random):
    """Pair i behaves as: regular, irregular, silent, one pausing pair, then at random."""
    fixed = [Regular(), Irregular(), Behaviour(), Pausing()]

    def pick(i: int) -> Behaviour:
        if i < len(fixed):
            return fixed[i]
        return rng.choice([Regular(), Regular(), Irregular(), Behaviour()])

    return pick


# ------------------------------------------------------------------ pairing


@dataclass
class Pair:
    pairing_id: int
    adept: Member
    mentor: Member
    behaviour: Behaviour


async def announced_pairs(db: Database, members: list[Member], behaviour) -> list[Pair]:
    """The pairs the coordinator announced, with the behaviour each will show."""
    by_user = {(m.user, m.role): m for m in members}
    pairs: list[Pair] = []
    async with db.read() as session:
        for pairing in (
            await session.exec(select(Pairing).where(Pairing.status == PairStatus.ANNOUNCED).order_by(col(Pairing.id)))
        ).all():
            found: list[Member | None] = []
            for enrollment_id, role in ((pairing.adept_id, "adept"), (pairing.mentor_id, "mentor")):
                enrollment = await fetch(session, Enrollment, enrollment_id)
                identity = (
                    await session.exec(
                        select(Identity).where(
                            Identity.person_id == enrollment.person_id, Identity.platform == "console"
                        )
                    )
                ).first()
                found.append(by_user.get((identity.user_id, role)) if identity else None)
            adept, mentor = found
            if adept is not None and mentor is not None:
                pairs.append(Pair(pk(pairing), adept, mentor, behaviour(len(pairs))))
    return pairs


async def pair_up_directly(db: Database, members: list[Member], now: datetime, behaviour) -> list[Pair]:
    """Stand-in for matching + announcement: each active adept gets an active
    mentor from another municipality (mentors take up to two adepts)."""
    adepts = [m for m in members if m.role == "adept"]
    mentors = [m for m in members if m.role == "mentor"]
    load = {m.name: 0 for m in mentors}
    pairs: list[Pair] = []
    async with db.write() as session:

        async def enrollment(m: Member) -> Enrollment | None:
            query = (
                select(Enrollment)
                .join(Identity, col(Identity.person_id) == col(Enrollment.person_id))
                .where(Identity.platform == "console", Identity.user_id == m.user, Enrollment.role == m.role)
            )
            found = (await session.exec(query)).first()
            if found is not None and found.status != EnrollmentStatus.ACTIVE:
                found.status = EnrollmentStatus.ACTIVE  # onboarding left them waiting: the coordinator says yes
                session.add(found)
            return found

        for adept in adepts:
            options = sorted(
                (m for m in mentors if m.organisation != adept.organisation and load[m.name] < 2),
                key=lambda m: load[m.name],
            )
            if not options:
                continue
            mentor = options[0]
            a, b = await enrollment(adept), await enrollment(mentor)
            if a is None or b is None:
                continue
            load[mentor.name] += 1
            pairing = Pairing(
                program_id=a.program_id,
                adept_id=pk(a),
                mentor_id=pk(b),
                status=PairStatus.ANNOUNCED,
                announced_at=now,
                created_at=now,
                rationale=["simulate: other municipality"],
            )
            session.add(pairing)
            await session.flush()
            await plan_pair(session, pairing, now)
            pairs.append(Pair(pk(pairing), adept, mentor, behaviour(len(pairs))))
    return pairs
