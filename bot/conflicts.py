"""Role conflicts: what a coordinator should know before a person is invited
as an adept or nominated as a mentor, because an invitation reaches the
person at once and cannot be taken back.

A conflict is another running program where the person takes part (invited,
in the intake, waiting or signed up) in a way that does not go with the new
role: a mentor (or an adept) asked to be an adept, an adept asked to be a
mentor, or an adept asked into a second program at the same time. A mentor
in two programs at once is no conflict by itself (a mentor may have
adepts in two cohorts).

Where the intake stored how long the person has been a manager, the
program's own rule is applied to it: a mentor needs `mentor_min_years`, an
adept at most `adept_max_months`; a stored number outside the rule is named
too. Without a stored number only the current role is named.

The command asks first (`bot.commands.confirm.ask`), and Yes runs it again
with `confirm=yes`.

Also here: the organisation rule for someone named by key, mention or
e-mail address, which is the rule a name obeys (`invitable`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import UserError
from bot.lifecycle import RUNNING
from bot.people import outside_program
from bot.programs import my_enrollments
from bot.store.models import EnrollmentStatus, Pairing, PairStatus, Person, Program, Role
from bot.store.rows import pk

# Taking part somewhere, or about to: an invitation not answered yet counts.
LIVE = (EnrollmentStatus.INVITED, EnrollmentStatus.ONBOARDING, EnrollmentStatus.PENDING, EnrollmentStatus.ACTIVE)
_PAIRED = (PairStatus.DRAFT, PairStatus.APPROVED, PairStatus.ANNOUNCED)


@dataclass(frozen=True)
class Conflict:
    """`name` is `role` (`status`) in `program`, with `partners` adepts when
    a mentor; `months` as a manager by their intake, set only when it breaks
    the rule of the role they are asked to take (`wanted`)."""

    name: str
    program: str
    role: str
    status: str
    partners: int
    months: int | None
    wanted: str
    min_years: int
    max_months: int


def _breaks_rule(months: int | None, wanted: str, program: Program) -> bool:
    if months is None:
        return False
    if wanted == Role.MENTOR.value:
        return months < program.mentor_min_years * 12
    return months > program.adept_max_months


async def role_conflicts(session: AsyncSession, person: Person, program: Program, wanted: str) -> list[Conflict]:
    """What stands against `person` taking the role `wanted` in `program`
    (none: go ahead)."""
    found = []
    for enrollment, other in await my_enrollments(session, pk(person)):
        if other.id == program.id or other.status not in RUNNING or enrollment.status not in LIVE:
            continue
        months = (enrollment.answers or {}).get("months_as_manager")
        months = int(months) if isinstance(months, (int, float)) else None
        breaks = _breaks_rule(months, wanted, program)
        both_mentors = enrollment.role == Role.MENTOR.value == wanted
        if both_mentors and not breaks:
            continue
        partners = 0
        if enrollment.role == Role.MENTOR.value:
            partners = (
                await session.exec(
                    select(func.count())
                    .select_from(Pairing)
                    .where(Pairing.mentor_id == enrollment.id, col(Pairing.status).in_(_PAIRED))
                )
            ).one()
        found.append(
            Conflict(
                name=person.name,
                program=other.name,
                role=str(enrollment.role),
                status=str(enrollment.status),
                partners=int(partners),
                months=months if breaks else None,
                wanted=wanted,
                min_years=program.mentor_min_years,
                max_months=program.adept_max_months,
            )
        )
    return found


async def invitable(session: AsyncSession, person: Person, program: Program) -> None:
    """A key, a mention or an e-mail address obeys the rule a name does
    (`bot.people.resolve_person`): someone whose organisation is known and
    takes no part in the program is refused, naming it. Someone whose
    organisation is not known yet may be invited: the intake asks for it."""
    if outside := await outside_program(session, program, person):
        raise UserError("errors/person_outside_program_org", name=person.name, organisation=outside, program=program)
