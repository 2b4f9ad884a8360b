"""Program rules: names and slugs, the calendar of events, enrollment
lookups. One place knows how a date typed in a command becomes a moment in
the program's time zone."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import UserError
from bot.inputs import parse_int
from bot.lifecycle import RUNNING
from bot.messages import Button, Buttons
from bot.names import name_key, tidy_name
from bot.store.models import (
    Enrollment,
    EnrollmentStatus,
    Organisation,
    Pairing,
    PairStatus,
    Person,
    Program,
    ProgramEvent,
    ProgramOrganisation,
)

EVENT_KINDS = ("kickoff", "mentor_training", "inspiration", "closing", "custom")
AUDIENCES = ("all", "mentors", "adepts")
DEFAULT_AUDIENCE = {"mentor_training": "mentors"}
DEFAULT_EVENT_TIME = time(9, 0)
LIVE = (EnrollmentStatus.INVITED, EnrollmentStatus.ONBOARDING, EnrollmentStatus.PENDING, EnrollmentStatus.ACTIVE)


def slugify(name: str) -> str:
    """A program's short name (`program=SLUG`) from its words: ASCII letters
    and digits (`Åre 2027` is `are-2027`), else the letters of the name's
    own script (`Программа`); the rest (an emoji, punctuation) is left out.
    A name with no letter or digit at all is refused, saying so."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    if not slug:
        slug = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", name).lower()).strip("-")
    if not slug:
        raise UserError("errors/name_without_letters", name=name)
    return slug


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError("errors/bad_timezone", value=name) from None


def local_moment(program: Program, day: date, at: time | None, *, strict: bool = True) -> datetime:
    """A date and time typed in the program's zone, as an aware datetime.
    A time the clocks skip (02:30 the night summer time begins) is refused,
    naming the times that do exist (`strict`), or else moved on by the gap;
    a time the clocks show twice (02:30 the night it ends) is the first of
    the two (`ambiguous` tells the caller, so the reply can say so)."""
    tz = zone(program.timezone)
    wall = datetime.combine(day, at or DEFAULT_EVENT_TIME, tzinfo=tz).replace(fold=0)
    real = wall.astimezone(UTC).astimezone(tz)
    if real.replace(tzinfo=None) == wall.replace(tzinfo=None):
        return wall
    if not strict:
        return real
    first = wall  # the first wall-clock minute after the gap (03:00)
    for _ in range(48 * 60):  # a gap is an hour, at most a day
        if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == first.replace(tzinfo=None):
            break
        first = (first.replace(tzinfo=None) + timedelta(minutes=1)).replace(tzinfo=tz)
    raise UserError(
        "errors/time_skipped",
        day=day,
        at=wall.strftime("%H:%M"),
        first_after=first.strftime("%H:%M"),
        forward=real.strftime("%H:%M"),
        zone=program.timezone,
    )


def ambiguous(moment: datetime) -> bool:
    """Whether the wall time of `moment` (in its own zone) happens twice,
    the night the clocks go back."""
    return moment.replace(fold=0).utcoffset() != moment.replace(fold=1).utcoffset()


def utc_offset(moment: datetime) -> str:
    """`+02:00`: the offset from UTC that `moment` has in its zone."""
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def whole_weeks(days: int) -> int:
    """The number of days, a whole number of weeks, nearest to `days`: a
    calendar copied that far on keeps each event on its weekday (a Thursday
    meeting stays a Thursday), however far the new program's start moved."""
    return 7 * round(days / 7)


async def events(session: AsyncSession, program: Program, *, include_cancelled: bool = False) -> list[ProgramEvent]:
    query = select(ProgramEvent).where(ProgramEvent.program_id == program.id)
    if not include_cancelled:
        query = query.where(ProgramEvent.cancelled == False)  # noqa: E712
    return list((await session.exec(query.order_by(col(ProgramEvent.starts_at), col(ProgramEvent.id)))).all())


_FIRST_EVENT = (
    select(ProgramEvent)
    .where(
        col(ProgramEvent.program_id) == sa.bindparam("program_id"),
        col(ProgramEvent.kind) == sa.bindparam("kind"),
        col(ProgramEvent.cancelled).is_(False),
    )
    .order_by(col(ProgramEvent.starts_at))
)


def closing_starts(program_id):
    """When the first closing event that is not cancelled of the program
    `program_id` names (a bound value, or a column of the enclosing query)
    starts, as a scalar subquery: what `first_event(..., "closing")` finds,
    read inside another statement (the close-out follows it)."""
    return (
        sa.select(col(ProgramEvent.starts_at))
        .where(
            col(ProgramEvent.program_id) == program_id,
            col(ProgramEvent.kind) == "closing",
            col(ProgramEvent.cancelled).is_(False),
        )
        .order_by(col(ProgramEvent.starts_at))
        .limit(1)
        .scalar_subquery()
    )


async def first_event(session: AsyncSession, program: Program, kind: str) -> ProgramEvent | None:
    """The program's first event of this kind that is not cancelled (the
    inspiration meeting its survey follows, the closing the close-out follows)."""
    return (await session.exec(_FIRST_EVENT, params={"program_id": program.id, "kind": kind})).first()


async def next_event(
    session: AsyncSession, program: Program, now: datetime, role: str | None = None
) -> ProgramEvent | None:
    for event in await events(session, program):
        if event.starts_at >= now and audience_includes(event.audience, role):
            return event
    return None


async def has_run(session: AsyncSession, program: Program, now: datetime) -> bool:
    """Whether the program got going: a pair of it was announced (ended
    since or not), or one of its events (not cancelled) has begun by `now`.
    One closed before either (created and closed the same day, say) had no
    year to thank anyone for."""
    announced = select(Pairing.id).where(Pairing.program_id == program.id, col(Pairing.announced_at).is_not(None))
    if (await session.exec(announced.limit(1))).first() is not None:
        return True
    held = select(ProgramEvent.id).where(
        ProgramEvent.program_id == program.id, col(ProgramEvent.cancelled).is_(False), ProgramEvent.starts_at <= now
    )
    return (await session.exec(held.limit(1))).first() is not None


def rsvp_buttons(render, event_id: int) -> Buttons:
    """ "I'm coming / I can't come" for an event (answered by `bot.commands.attendance`)."""
    value = str(event_id)
    return Buttons(
        (
            Button("rsvp.yes", render("events/button_coming"), value, "primary"),
            Button("rsvp.no", render("events/button_not_coming"), value),
        )
    )


def audience_includes(audience: str, role: str | None) -> bool:
    return audience == "all" or role is None or audience == f"{role}s"


async def event_by_id(session: AsyncSession, program: Program, ref: str) -> ProgramEvent:
    """Event number `ref` of `program`. The numbers run across programs
    (the second program's first event may be #8), so a number of another
    program's is refused by naming that program."""
    number = parse_int(ref, low=1)
    event = await session.get(ProgramEvent, number) if number is not None else None
    if event is not None and event.program_id != program.id:
        owner = await session.get(Program, event.program_id)
        if owner is not None:
            raise UserError("errors/event_of_other_program", ref=ref, program=program, source=owner)
    if event is None or event.program_id != program.id or event.cancelled:
        raise UserError("errors/unknown_event", ref=ref, program=program)
    return event


# Built once (a dialogue reads it on every intake turn); the program is bound at execution.
_ORGANISATIONS = (
    select(Organisation)
    .join(ProgramOrganisation, col(ProgramOrganisation.organisation_id) == col(Organisation.id))
    .where(col(ProgramOrganisation.program_id) == sa.bindparam("program_id"))
    .order_by(col(Organisation.name))
)


async def organisations(session: AsyncSession, program: Program) -> list[Organisation]:
    """The organisations the program names, by name."""
    return list((await session.exec(_ORGANISATIONS, params={"program_id": program.id})).all())


def org_name(text: str) -> str:
    """An organisation's name as stored (`bot.names.tidy_name`): the spaces
    around and between its words as one (`"  Solna   stad "` -> `"Solna stad"`)."""
    return tidy_name(text)


def org_key(text: str) -> str:
    """What makes two organisation names the same (`bot.names.name_key`):
    their words, whatever the case and Unicode form (`Solna stad`, `solna  STAD`)."""
    return name_key(text)


def org_id_of(enrollment: Enrollment | None, person: Person) -> int | None:
    """The organisation someone is in a program for, as every view of the
    program and the matching see it: the one they gave in its intake (their
    enrolment's answer), else, before they have answered, the one their
    platform or console session gave (`Person.organisation_id`, a default).
    A later session from another organisation does not move them."""
    return _answered_org(enrollment) or person.organisation_id


def person_org_id(person: Person, newest_first: Iterable[Enrollment]) -> int | None:
    """A person's organisation outside any one program (the coordinator's
    `person` view): by the same rule, the one of their newest enrolment that
    has an answer, else the default (`org_id_of`)."""
    return next((_answered_org(e) for e in newest_first if _answered_org(e)), person.organisation_id)


def _answered_org(enrollment: Enrollment | None) -> int | None:
    return (enrollment.answers or {}).get("organisation_id") if enrollment is not None else None


async def organisation_named(session: AsyncSession, name: str) -> Organisation | None:
    """The organisation called `name` (`org_key`), the oldest one if a
    database from before this rule holds two spellings. There are tens of
    organisations, not thousands, so they are compared here."""
    key = org_key(name)
    everyone = (await session.exec(select(Organisation).order_by(col(Organisation.id)))).all()
    return next((o for o in everyone if org_key(o.name) == key), None)


async def taking_part(session: AsyncSession, program: Program, name: str) -> Organisation:
    """The organisation taking part in `program` that `name` names, by the
    same rule as `organisation_named` (`org_key`), or a refusal naming those
    that do take part: a removed organisation, or another program's, is not
    one a filter or a removal may name."""
    present = await organisations(session, program)
    key = org_key(name)
    found = next((o for o in present if org_key(o.name) == key), None)
    if found is None:
        raise UserError("errors/unknown_org", name=name, known=sorted(o.name for o in present))
    return found


async def enrollments(
    session: AsyncSession, program: Program, role: str | None = None
) -> list[tuple[Enrollment, Person]]:
    query = (
        select(Enrollment, Person)
        .join(Person, col(Person.id) == col(Enrollment.person_id))
        .where(Enrollment.program_id == program.id)
        .order_by(Enrollment.role, Person.name)
    )
    if role:
        query = query.where(Enrollment.role == role)
    return list((await session.exec(query)).all())


async def enrollment_of(
    session: AsyncSession, program: Program, person_id: int, role: str | None = None
) -> Enrollment | None:
    query = select(Enrollment).where(Enrollment.program_id == program.id, Enrollment.person_id == person_id)
    if role:
        query = query.where(Enrollment.role == role)
    return (await session.exec(query.order_by(col(Enrollment.id)))).first()


# A person's enrollments and an enrollment's live pairs (`status`, the Home
# tab, `my-data`): built once, their values bound at execution.
_MY_ENROLLMENTS = (
    select(Enrollment, Program)
    .join(Program, col(Program.id) == col(Enrollment.program_id))
    .where(col(Enrollment.person_id) == sa.bindparam("person_id"))
    .order_by(col(Program.start).desc(), col(Enrollment.id))
)
_LIVE_PAIRINGS = select(Pairing).where(
    (col(Pairing.adept_id) == sa.bindparam("enrollment_id"))
    | (col(Pairing.mentor_id) == sa.bindparam("enrollment_id")),
    Pairing.status == PairStatus.ANNOUNCED,
)


async def my_enrollments(session: AsyncSession, person_id: int) -> list[tuple[Enrollment, Program]]:
    return list((await session.exec(_MY_ENROLLMENTS, params={"person_id": person_id})).all())


async def live_pairings(session: AsyncSession, enrollment: Enrollment) -> list[Pairing]:
    return list((await session.exec(_LIVE_PAIRINGS, params={"enrollment_id": enrollment.id})).all())


# What became of an announced pair: still running, or settled (by the close-out or by closing).
SETTLED = (PairStatus.COMPLETED, PairStatus.CONTINUING)


async def past_pairings(session: AsyncSession, enrollment: Enrollment) -> list[Pairing]:
    """The pairs an enrollment had, for a program that has ended: completed,
    going on on their own, ended after they were announced, or still
    announced (a program past its end date that nobody closed yet); oldest first."""
    query = (
        select(Pairing)
        .where(
            (col(Pairing.adept_id) == enrollment.id) | (col(Pairing.mentor_id) == enrollment.id),
            col(Pairing.status).in_((*SETTLED, PairStatus.ENDED, PairStatus.ANNOUNCED)),
            col(Pairing.announced_at).is_not(None),
        )
        .order_by(col(Pairing.id))
    )
    return list((await session.exec(query)).all())


async def next_cohort(session: AsyncSession, program: Program) -> Program | None:
    """The running program made as the next cohort of `program` (`program
    new-cohort`), if any; a cohort still being prepared (draft) is not shown."""
    query = (
        select(Program)
        .where(Program.previous_id == program.id, col(Program.status).in_(RUNNING))
        .order_by(col(Program.start).desc())
    )
    return (await session.exec(query)).first()
