"""The bridge between the database and the solver: who can be matched now,
under which rules, and how a result becomes draft pairings.

State kept in existing tables (no schema change):
- draft / approved / announced / ended pairs: `Pairing.status`;
- a pinned draft pair: `Pairing.pinned`;
- "never this adept with this mentor": a `MatchExclusion` row;
- "these two may be paired again" (they were a pair before): a `MatchAllowance` row;
- the waitlist: `Enrollment.waitlisted`, until the next announcement tells
  them kindly and returns them to the pool.

A re-run touches only draft pairs that are not pinned: approved and announced
pairs keep their adepts out of the pool and use up their mentor's capacity.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.matching.model import AdeptIn, MatchRule, MentorIn, Rules
from bot.matching.scoring import violation
from bot.programs import org_id_of
from bot.store.models import (
    GONE,
    Enrollment,
    EnrollmentStatus,
    MatchAllowance,
    MatchExclusion,
    Organisation,
    Pairing,
    PairStatus,
    Person,
    Program,
    Role,
)
from bot.store.rows import pk

PART = 200  # rows handled between two turns of the event loop (a cohort has thousands)
HOLDING = (PairStatus.APPROVED, PairStatus.ANNOUNCED)  # pairs a re-run never touches
EARLIER = (PairStatus.APPROVED, PairStatus.ANNOUNCED, PairStatus.ENDED)  # pairs that "existed"
# Why an adept out of the pool is named in the draft: signed up, but paused or
# waiting for approval (one still invited or in the intake has not signed up).
ADEPTS_NAMED_WHEN_HELD = ("paused", str(EnrollmentStatus.PENDING))


@dataclass
class Member:
    enrollment: Enrollment
    person: Person
    org_name: str | None


@dataclass
class Cohort:
    program: Program
    adepts: list[AdeptIn] = field(default_factory=list)
    mentors: list[MentorIn] = field(default_factory=list)
    rules: Rules = field(default_factory=Rules)
    members: dict[int, Member] = field(default_factory=dict)  # enrollment id -> who
    pairings: list[Pairing] = field(default_factory=list)  # this program's rows
    waitlisted: list[int] = field(default_factory=list)  # adept enrollment ids
    # Mentors out of the pool for now (paused, waiting for approval, in the
    # intake), with capacity 0: never matched, but named when they are why an
    # adept has no mentor. `unavailable` says why each mentor without a place
    # has none (these, and full mentors of the pool): enrollment id -> view.
    held: list[MentorIn] = field(default_factory=list)
    unavailable: dict[int, dict] = field(default_factory=dict)
    # Adepts out of the pool for now (paused, waiting for approval), named in
    # the draft as left out: enrollment id -> why (`_held_because`).
    held_adepts: dict[int, dict] = field(default_factory=dict)
    _index: dict[int, AdeptIn | MentorIn] = field(default_factory=dict, repr=False)

    def adept(self, enrollment_id: int) -> AdeptIn | None:
        found = self._find(enrollment_id)
        return found if isinstance(found, AdeptIn) else None

    def mentor(self, enrollment_id: int) -> MentorIn | None:
        found = self._find(enrollment_id)
        return found if isinstance(found, MentorIn) else None

    def solver_mentors(self) -> list[MentorIn]:
        """The mentors a solver run is given: the pool, and the held ones
        (capacity 0) so that the reasons can name them."""
        return self.mentors + self.held

    def unavailable_view(self, enrollment_id: int) -> dict:
        """A mentor with no place now, for a template: name and why
        (`matching/unavailable/<why>`); a mentor of the pool whose places
        pinned draft pairs took has no entry of their own."""
        why = self.unavailable.get(enrollment_id, {"why": "pinned"})
        return {"name": self.members[enrollment_id].person.name, **why}

    def set_aside(self, adept_ids, taken: dict[int, int] | None = None) -> dict[int, list[dict]]:
        """Mentors with room who would fit an adept of `adept_ids` but for a
        coordinator's exclusion or having been their mentor before, so that
        "why no mentor" names them and how to lift it (`match unexclude`):
        adept id -> [{"name", "why": "excluded" | "previous", "pair": the
        ended pair's number in this program, or None}]. `taken`: places a
        draft gives each mentor (enrollment id -> pairs)."""
        wanted = set(adept_ids)
        plain = Rules(rule=self.rules.rule)  # the other hard rules: organisation, manager, language
        ended = {(p.adept_id, p.mentor_id): p.id for p in self.pairings if p.status == PairStatus.ENDED}
        found: dict[int, list[dict]] = {}
        for adept_id, mentor_id in sorted(self.rules.exclusions | self.rules.previous_pairs):
            adept, mentor = self.adept(adept_id), self.mentor(mentor_id)
            if adept_id not in wanted or adept is None or mentor is None:
                continue
            if mentor.capacity - (taken or {}).get(mentor_id, 0) <= 0 or violation(adept, mentor, plain) is not None:
                continue
            excluded = (adept_id, mentor_id) in self.rules.exclusions
            found.setdefault(adept_id, []).append(
                {
                    "name": self.members[mentor_id].person.name,
                    "why": "excluded" if excluded else "previous",
                    "pair": ended.get((adept_id, mentor_id)),
                }
            )
        return found

    def _find(self, enrollment_id: int) -> AdeptIn | MentorIn | None:
        """By enrollment id, without a scan per pair (a draft has thousands)."""
        if len(self._index) != len(self.adepts) + len(self.mentors):
            self._index = {m.id: m for m in self.mentors} | {a.id: a for a in self.adepts}
        return self._index.get(enrollment_id)


# Keys in Enrollment.answers: when the person was told they have no pair this round.
TOLD_WAITLIST = "waitlist_told_at"  # a waitlisted adept
TOLD_UNMATCHED = "unmatched_told_at"  # an adept no mentor fitted
TOLD_IDLE = "idle_told_at"  # a mentor with no adept
LATER = "take_one_later"  # the idle mentor's answer: would take an adept later (True/False)


async def in_parts(session: AsyncSession, statement) -> AsyncIterator[list]:
    """The rows of `statement`, PART at a time, the event loop running other
    turns between two parts (building thousands of objects takes a while)."""
    result = await session.stream(statement.execution_options(yield_per=PART))
    async for part in result.partitions(PART):
        yield list(part)
        await asyncio.sleep(0)


def is_waitlisted(enrollment: Enrollment) -> bool:
    """Sits this round out: on the waitlist and not yet told so at an
    announcement (once told, a waitlisted adept is matched again first)."""
    return enrollment.waitlisted and TOLD_WAITLIST not in (enrollment.answers or {})


def _named_when_held(enrollment: Enrollment, person: Person) -> bool:
    """A mentor out of the pool who may still take an adept (paused, waiting
    for approval, invited or in the intake), and of whom enough is known to
    say that they fit: one who has not given an organisation yet is not named."""
    if enrollment.role != Role.MENTOR or enrollment.status in GONE:
        return False
    if enrollment.status in (EnrollmentStatus.ACTIVE, EnrollmentStatus.PENDING):
        return True
    return org_id_of(enrollment, person) is not None


def _held_because(enrollment: Enrollment, today: date) -> dict | None:
    """Why someone is out of the matching pool today (None: they are in it):
    their status, else a pause (`until` its end)."""
    if enrollment.status != EnrollmentStatus.ACTIVE:
        return {"why": str(enrollment.status)}
    if enrollment.paused_until is not None and enrollment.paused_until > today:
        return {"why": "paused", "until": enrollment.paused_until}
    return None


def _formats(value) -> frozenset[str]:
    """The intake's one answer as the formats someone accepts: `mixed` means
    both ways, so it meets in person and digitally too."""
    if value == "mixed":
        return frozenset({"in_person", "digital", "mixed"})
    return _words(value)


def _words(value) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(str(v) for v in value)


async def load_cohort(session: AsyncSession, program: Program, today: date, *, waitlist: bool = False) -> Cohort:
    """Everyone who can be matched now, the mentors held out of the pool
    (`Cohort.held`), and the rules for this run. `waitlist`: the adepts on
    the waitlist who have not been told yet are in the pool too (the draft a
    coordinator asks for when a mentor has room for them)."""
    cohort = Cohort(program)
    org_names = {o.id: o.name for o in (await session.exec(select(Organisation))).all()}
    rows: list = []
    async for part in in_parts(
        session,
        select(Enrollment, Person)
        .join(Person, col(Person.id) == col(Enrollment.person_id))
        .where(col(Enrollment.program_id) == program.id)
        .order_by(col(Enrollment.id)),
    ):
        for enrollment, person in part:
            org_id = org_id_of(enrollment, person)
            cohort.members[pk(enrollment)] = Member(enrollment, person, org_names.get(org_id) if org_id else None)
        rows += part
    async for part in in_parts(
        session, select(Pairing).where(col(Pairing.program_id) == program.id).order_by(col(Pairing.id))
    ):
        cohort.pairings += [row for (row,) in part]
    holding = [p for p in cohort.pairings if p.status in HOLDING]
    busy_adepts = {p.adept_id for p in holding}
    mentor_load: dict[int, int] = {}
    for p in holding:
        mentor_load[p.mentor_id] = mentor_load.get(p.mentor_id, 0) + 1
    for n, (enrollment, person) in enumerate(rows):
        if n % PART == PART - 1:
            await asyncio.sleep(0)  # let other turns run
        held = _held_because(enrollment, today)
        if held is not None and enrollment.role == Role.ADEPT and pk(enrollment) not in busy_adepts:
            if held["why"] in ADEPTS_NAMED_WHEN_HELD:
                cohort.held_adepts[pk(enrollment)] = held
        if held is not None and not _named_when_held(enrollment, person):
            continue
        answers = enrollment.answers or {}
        org = _org_key(enrollment, person)
        common: dict[str, Any] = dict(
            id=pk(enrollment),
            org=org,
            department=answers.get("department"),
            topics=_words(answers.get("topics")),
            formats=_formats(answers.get("format")),
            place=answers.get("place"),
            languages=_words(answers.get("languages")),
        )
        if enrollment.role == Role.ADEPT:
            if enrollment.id in busy_adepts:
                continue
            if is_waitlisted(enrollment) and not waitlist:
                cohort.waitlisted.append(pk(enrollment))
                continue
            # The intake does not ask for the adept's line manager yet: manager_id stays None.
            cohort.adepts.append(AdeptIn(**common))
        elif held is not None:
            cohort.held.append(MentorIn(person_id=person.id, capacity=0, **common))
            cohort.unavailable[pk(enrollment)] = held
        elif enrollment.role == Role.MENTOR:
            load = mentor_load.get(pk(enrollment), 0)
            left = max(0, enrollment.capacity - load)
            cohort.mentors.append(MentorIn(person_id=person.id, capacity=left, **common))
            if left == 0:
                cohort.unavailable[pk(enrollment)] = {"why": "full", "load": load, "capacity": enrollment.capacity}
    in_pool = {a.id for a in cohort.adepts} | {m.id for m in cohort.mentors}
    pins = frozenset(
        (p.adept_id, p.mentor_id)
        for p in cohort.pairings
        if p.status == PairStatus.DRAFT and p.pinned and p.adept_id in in_pool and p.mentor_id in in_pool
    )
    # Excluded pairs are not proposed again, and neither is a pair that has
    # been one: it ended in this program (`unpair` names why it did not work)
    # or in an earlier one. A pair that ended is a previous pair, not an
    # exclusion, so the reason an adept waits counts it as such. A
    # coordinator's `match unexclude` lifts either: the exclusion goes, and a
    # previous pair gets an allowance, which covers the pairs that had ended
    # by then (one that ends after it is a previous pair again).
    excluded = (await session.exec(select(MatchExclusion).where(MatchExclusion.program_id == program.id))).all()
    allowed = {
        (x.adept_id, x.mentor_id): x.created_at
        for x in (await session.exec(select(MatchAllowance).where(MatchAllowance.program_id == program.id))).all()
    }
    last_ended: dict[tuple[int, int], Any] = {}
    for p in cohort.pairings:
        if p.status == PairStatus.ENDED:
            key = (p.adept_id, p.mentor_id)
            last_ended[key] = max(filter(None, (last_ended.get(key), p.ended_at)), default=None)
    ended_here = {key for key, at in last_ended.items() if key not in allowed or (at is not None and at > allowed[key])}
    earlier = {key for key in await _earlier_pairs(session, program, cohort) if key not in allowed}
    cohort.rules = Rules(
        rule=MatchRule(program.match_rule),
        exclusions=frozenset((x.adept_id, x.mentor_id) for x in excluded),
        previous_pairs=frozenset(ended_here | earlier),
        pins=pins,
    )
    return cohort


def _org_key(enrollment: Enrollment, person: Person) -> str:
    """The organisation to compare (`bot.programs.org_id_of`: the one given in
    the intake). Someone whose organisation is unknown gets a key of their
    own (the intake asks whenever the program lists any)."""
    org_id = org_id_of(enrollment, person)
    return f"org:{org_id}" if org_id is not None else f"unknown-org:person:{person.id}"


async def _earlier_pairs(session: AsyncSession, program: Program, cohort: Cohort) -> frozenset[tuple[int, int]]:
    """Pairs of people who were adept and mentor together in another program,
    as (adept enrollment id, mentor enrollment id) of this one."""
    adept_of_person = {m.person.id: eid for eid, m in cohort.members.items() if m.enrollment.role == Role.ADEPT}
    mentor_of_person = {m.person.id: eid for eid, m in cohort.members.items() if m.enrollment.role == Role.MENTOR}
    earlier = (
        await session.exec(
            select(Pairing).where(col(Pairing.program_id) != program.id, col(Pairing.status).in_(EARLIER))
        )
    ).all()
    if not earlier:
        return frozenset()
    ids = {p.adept_id for p in earlier} | {p.mentor_id for p in earlier}
    person_of = dict(
        (
            await session.exec(select(col(Enrollment.id), col(Enrollment.person_id)).where(col(Enrollment.id).in_(ids)))
        ).all()
    )
    found = set()
    for p in earlier:
        adept = adept_of_person.get(person_of.get(p.adept_id))
        mentor = mentor_of_person.get(person_of.get(p.mentor_id))
        if adept is not None and mentor is not None:
            found.add((adept, mentor))
    return frozenset(found)


async def previous_pair(
    session: AsyncSession, program: Program, adept: Enrollment, mentor: Enrollment
) -> Pairing | None:
    """The latest pair the two people of `adept` and `mentor` (this
    program's enrollments) have been, as the matching counts it (a
    previous pair): one that ended in this program, or one of an earlier
    program; None when they have been none."""
    here = (
        await session.exec(
            select(Pairing)
            .where(
                Pairing.program_id == program.id,
                Pairing.adept_id == adept.id,
                Pairing.mentor_id == mentor.id,
                Pairing.status == PairStatus.ENDED,
            )
            .order_by(col(Pairing.ended_at).desc(), col(Pairing.id).desc())
        )
    ).first()
    if here is not None:
        return here
    adept_of = select(Enrollment.id).where(Enrollment.person_id == adept.person_id, Enrollment.role == Role.ADEPT)
    mentor_of = select(Enrollment.id).where(Enrollment.person_id == mentor.person_id, Enrollment.role == Role.MENTOR)
    return (
        await session.exec(
            select(Pairing)
            .where(
                col(Pairing.program_id) != program.id,
                col(Pairing.status).in_(EARLIER),
                col(Pairing.adept_id).in_(adept_of),
                col(Pairing.mentor_id).in_(mentor_of),
            )
            .order_by(col(Pairing.id).desc())
        )
    ).first()


def rationale(reasons) -> list[dict]:
    """A pair's reasons as JSON for `Pairing.rationale`."""
    return [
        {"code": str(r.code), "value": list(r.value) if isinstance(r.value, tuple) else r.value, "points": r.points}
        for r in reasons
    ]
