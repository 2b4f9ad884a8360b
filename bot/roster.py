"""Who is in a program, as the coordinator sees them: organisation, role,
status, partners, and why someone is not (yet) in a pair. Used by
`participants`, `person`, the export, the home view and the numbers of
`program show`.

A mentor may have several adepts: a person's partners are a list. While a
program runs, its pairs in the draft are nobody's yet and an ended pair is
over; once the program is over (closed, archived), every pair that was
announced is shown as it ended (completed, ended), and nobody waits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import col, select

from bot.errors import UserError
from bot.lifecycle import ACTIVE, is_over
from bot.matching.cohort import TOLD_UNMATCHED
from bot.programs import enrollments, org_id_of, org_key, past_pairings
from bot.store.models import Enrollment, EnrollmentStatus, Organisation, Pairing, PairStatus, Person, Program
from bot.store.rows import pk

WAITLISTED = "waitlisted"  # a `status` filter of its own: active adepts on the waitlist, with no pair
PAGE_SIZE = 25  # rows per message: well inside Slack's and Teams' message limits


@dataclass(frozen=True)
class Partner:
    name: str
    pair_id: int  # the pair's number, as the draft shows it (#3) and `unpair` takes it
    status: str  # the pair's status (labels/pair_status/): shown when it is not "announced"


@dataclass(frozen=True)
class Row:
    name: str
    organisation: str | None
    role: str
    status: str
    partners: tuple[Partner, ...]  # one per pair the person is in
    why: tuple[str, ...]  # why the person waits: codes under labels/why/
    paused_until: object
    enrollment: Enrollment

    @property
    def pair(self) -> str:
        """The partners' names, as a file's cell shows them."""
        return "; ".join(p.name for p in self.partners)


# The pairs a person is in while the program runs (a continuing or completed
# pair is still theirs for the year); an ended pair only once it is over.
PAIRED = (PairStatus.APPROVED, PairStatus.ANNOUNCED, PairStatus.CONTINUING, PairStatus.COMPLETED)


async def paired_with(session, person_id: int) -> set[int]:
    """The people `person_id` is or was in a pair with, in any program: a pair
    approved or later (`PAIRED`), or announced and then ended; not a draft,
    nor a pair undone before anyone was told. What someone keeps from their
    mentor stays kept from them when that mentor is also a coordinator."""
    mine = select(Enrollment.id).where(Enrollment.person_id == person_id)
    rows = (
        await session.exec(
            select(Pairing).where(
                col(Pairing.adept_id).in_(mine) | col(Pairing.mentor_id).in_(mine),
                col(Pairing.status).in_(PAIRED)
                | ((col(Pairing.status) == PairStatus.ENDED) & col(Pairing.announced_at).is_not(None)),
            )
        )
    ).all()
    others = {p.adept_id for p in rows} | {p.mentor_id for p in rows}
    if not others:
        return set()
    people = (await session.exec(select(Enrollment.person_id).where(col(Enrollment.id).in_(others)))).all()
    return set(people) - {person_id}


async def pair_partners(session, program: Program, *, ended: bool | None = None) -> dict[int, list[Partner]]:
    """enrollment id -> their partners, each with the pair's number and status,
    oldest pair first (`PAIRED`; and the announced pairs that ended: once the
    program is over, or with `ended=True`, as a participant's own view shows
    them: a pair that ended mid-year was theirs, not "no pair")."""
    with_ended = is_over(program) if ended is None else ended
    rows = (
        await session.exec(
            select(Pairing)
            .where(
                col(Pairing.program_id) == program.id,
                col(Pairing.status).in_((*PAIRED, PairStatus.ENDED) if with_ended else PAIRED),
            )
            .order_by(col(Pairing.id))
        )
    ).all()
    names = dict(
        (
            await session.exec(
                select(col(Enrollment.id), col(Person.name))
                .join(Person, col(Person.id) == col(Enrollment.person_id))
                .where(Enrollment.program_id == program.id)
            )
        ).all()
    )
    partners: dict[int, list[Partner]] = {}
    for row in rows:
        if row.status == PairStatus.ENDED and row.announced_at is None:
            continue  # undone before anyone was told: never a pair
        partners.setdefault(row.adept_id, []).append(Partner(names.get(row.mentor_id, "?"), pk(row), row.status))
        partners.setdefault(row.mentor_id, []).append(Partner(names.get(row.adept_id, "?"), pk(row), row.status))
    return partners


# What became of an announced pair that no longer runs: ended mid-year, or settled by the close-out.
FORMER = (PairStatus.ENDED, PairStatus.CONTINUING, PairStatus.COMPLETED)


async def former_partners(session, program: Program, enrollment: Enrollment) -> list[Partner]:
    """Those the enrollment was paired with in the program, in pairs that
    were announced and no longer run (`FORMER`: ended, going on on their
    own, completed), oldest first: what a participant's own views (home,
    status) say of their pair instead of "no pair yet". Their own pairs and
    their partners' names only, not the program's."""
    pairs = [p for p in await past_pairings(session, enrollment) if p.status in FORMER]
    other = {pk(p): p.mentor_id if p.adept_id == enrollment.id else p.adept_id for p in pairs}
    names = await enrollment_names(session, other.values())
    return [Partner(names.get(other[pk(p)], "?"), pk(p), p.status) for p in pairs]


def waiting_anew(program: Program, enrollment: Enrollment) -> str | None:
    """What someone whose pairs ended (and who has none running) waits for,
    as `home/former_pairs` says it in the same sentence: `unpair` puts the
    mentee back among those to match and gives the mentor their room back,
    so an active mentor waits for a new mentee ("mentee") and an active
    mentee for a new mentor: on the waitlist ("waitlisted"), told at the
    last announcement that no mentor fitted ("no_fit"), or simply in the
    next matching ("pool"). None for someone no longer taking part, and in
    a program past matching (its close-out has begun)."""
    if program.status != ACTIVE or enrollment.status != EnrollmentStatus.ACTIVE:
        return None
    if enrollment.role != "adept":
        return "mentee"
    if enrollment.waitlisted:
        return "waitlisted"
    return "no_fit" if TOLD_UNMATCHED in (enrollment.answers or {}) else "pool"


async def enrollment_names(session, enrollment_ids: Iterable[int]) -> dict[int, str]:
    """enrollment id -> the name of its person, for these enrollments (one statement)."""
    query = (
        select(col(Enrollment.id), col(Person.name))
        .join(Person, col(Person.id) == col(Enrollment.person_id))
        .where(col(Enrollment.id).in_(set(enrollment_ids) or {0}))
    )
    return dict((await session.exec(query)).all())


@dataclass(frozen=True)
class HeadCount:
    """Who takes part now (active adepts and mentors, pairs) and, apart, how
    many are anywhere else on the way in or out (invited, left, forgotten)."""

    adepts: int
    mentors: int
    pairs: int
    others: list[tuple[str, int]]  # (status, how many), in the order of EnrollmentStatus


async def head_count(session, program: Program) -> HeadCount:
    """The numbers `program show` gives."""
    statuses = (
        await session.exec(
            select(Enrollment.role, Enrollment.status, func.count())
            .where(Enrollment.program_id == program.id)
            .group_by(col(Enrollment.role), col(Enrollment.status))
        )
    ).all()
    active = {role: n for role, status, n in statuses if status == EnrollmentStatus.ACTIVE}
    others = {s: sum(n for _, status, n in statuses if status == s) for s in EnrollmentStatus}
    pairs = (
        await session.exec(
            select(func.count())
            .select_from(Pairing)
            .where(col(Pairing.program_id) == program.id, col(Pairing.status).in_(PAIRED))
        )
    ).one()
    return HeadCount(
        active.get("adept", 0),
        active.get("mentor", 0),
        pairs,
        [(s.value, n) for s, n in others.items() if n and s != EnrollmentStatus.ACTIVE],
    )


def is_paused(enrollment: Enrollment, today: date) -> bool:
    """Whether the person's pause lasts today (one that has run out is over,
    though its date stays stored)."""
    return enrollment.paused_until is not None and enrollment.paused_until > today


def why_waiting(enrollment: Enrollment, paired: bool, over: bool = False) -> tuple[str, ...]:
    """Why a person is not (yet) in a pair, as codes (labels/why/<code>);
    nobody waits in a program that is over."""
    if over:
        return ()
    status = enrollment.status
    if status == EnrollmentStatus.INVITED:
        return ("invited",)
    if status == EnrollmentStatus.ONBOARDING:
        return ("onboarding",)
    if status == EnrollmentStatus.PENDING:
        return tuple((enrollment.answers or {}).get("pending_reasons") or ("approval",))
    if status == EnrollmentStatus.ACTIVE and not paired and enrollment.role == "adept":
        return ("waitlisted",) if enrollment.waitlisted else ("unmatched",)
    return ()


async def roster(
    session,
    program: Program,
    role: str | None = None,
    org: str | None = None,
    status: str | None = None,
    today: date | None = None,
) -> list[Row]:
    """The program's people (by role, organisation, status); given `today`, a
    pause that has run out is not shown (`Row.paused_until` None)."""
    partners = await pair_partners(session, program)
    over = is_over(program)
    orgs = dict((await session.exec(select(Organisation.id, Organisation.name))).all())
    wanted_org = org_key(org) if org else None
    out = []
    for enrollment, person in await enrollments(session, program, role):
        org_id = org_id_of(enrollment, person)
        org_name = orgs.get(org_id) if org_id else None
        if wanted_org and org_key(org_name or "") != wanted_org:
            continue
        mine = tuple(partners.get(pk(enrollment), ()))
        if status == WAITLISTED:
            if "waitlisted" not in why_waiting(enrollment, bool(mine), over):
                continue
        elif status and enrollment.status != status:
            continue
        out.append(
            Row(
                person.name,
                org_name,
                enrollment.role,
                enrollment.status,
                mine,
                why_waiting(enrollment, bool(mine), over),
                None if today is not None and not is_paused(enrollment, today) else enrollment.paused_until,
                enrollment,
            )
        )
    return out


def page_of(rows: list, page: int | None, size: int = PAGE_SIZE) -> tuple[list, int, int]:
    """The rows of one page, the page number and the number of pages. A page
    the list does not have (`page=0` as much as `page=99`) is answered with
    how many it has, not with another page."""
    pages = max(1, -(-len(rows) // size))
    page = 1 if page is None else page
    if not 1 <= page <= pages:
        raise UserError("errors/no_such_page", page=page, pages=pages)
    return rows[(page - 1) * size : page * size], page, pages
