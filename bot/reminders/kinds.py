"""The registry of reminder kinds: each kind says, once, what its message
says and to whom, and what happens after it is sent or expires.

A kind is declared with `@reminder_kind(name)` on the function that builds
its message context from the live state at send time:

    @reminder_kind("nudge", after_sent=replan_pair, after_expired=replan_pair)
    async def nudge(session, row, program, person) -> (context, card) | Skip

A kind whose words count time from the moment it is sent ("tomorrow")
declares `timed=True` and is given that moment: `build(..., now=moment)`,
the injected clock's time when the dispatcher sends it (the time it was sent
when a clicked card is shown again), never the time it was planned for.

`context` goes to the row's template; `card`, if not None, is a function
`card(render, text) -> Card` that builds the buttons in the reader's language.
Returning `Skip(reason)` cancels the row instead of sending it (the pair has
ended, the event moved). The planner (`bot.reminders.planner`) decides
*when* each kind is due; the dispatcher (`scheduler/`) only sends.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, aliased
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.lifecycle import CLOSING
from bot.messages import Button, Buttons, Card, Text
from bot.programs import closing_starts
from bot.reminders.calendar import ProgramCalendar
from bot.store.models import (
    Enrollment,
    EnrollmentStatus,
    Pairing,
    PairStatus,
    Person,
    ProgramEvent,
)


@dataclass(frozen=True)
class Skip:
    """The row is no longer wanted: it is cancelled, not sent."""

    reason: str


Hook = Callable[[AsyncSession, list, datetime], Awaitable[None]]
# What a kind's build function gives: the template's context and, maybe, a
# `card(render, text)` function; or Skip.
CardFactory = Callable[[Callable[..., str], str], Card]
Built = tuple[dict, CardFactory | None] | Skip


@dataclass(frozen=True)
class ReminderKind:
    name: str
    build: Callable[..., Awaitable[Built]]
    # Called in the recording transaction with the rows (of this kind) just
    # sent / just expired.
    after_sent: Hook | None = None
    after_expired: Hook | None = None
    # Sent even when the row's program is no longer active (a failure report).
    while_closed: bool = False
    # Written whole at decision time (a turn's reply, a message to someone
    # else): sent as it was written, no context to build.
    prebuilt: bool = False
    # A row that finally fails is reported to the coordinators, in words.
    report_failure: bool = True
    # About the person's open dialogue in the row's program (an unfinished
    # intake): said in the dialogue's language (`bot.language`, rule 2).
    dialogue: bool = False
    # Its words count time from the moment it is sent ("tomorrow", "in 4
    # days"): its build function is given that moment as `now=`.
    timed: bool = False


KINDS: dict[str, ReminderKind] = {}


def reminder_kind(
    name: str,
    *,
    after_sent: Hook | None = None,
    after_expired: Hook | None = None,
    while_closed: bool = False,
    prebuilt: bool = False,
    report_failure: bool = True,
    dialogue: bool = False,
    timed: bool = False,
):
    def declare(build):
        KINDS[name] = ReminderKind(
            name, build, after_sent, after_expired, while_closed, prebuilt, report_failure, dialogue, timed
        )
        return build

    return declare


def kind_of(name: str) -> ReminderKind | None:
    return KINDS.get(name)


def has_after_sent(name: str) -> bool:
    k = KINDS.get(name)
    return k is not None and k.after_sent is not None


# ------------------------------------------------------------------ helpers


_READS = "bot.reminders.shared_reads"


def shared_reads(session: AsyncSession) -> dict:
    """What the rows rendered in one transaction share (the dispatcher
    renders a chunk of rows in one read: the two members' nudges of a pair
    read the pair once). Kept in the session for its current transaction
    only, and dropped as soon as the session writes (a flush): nothing is
    kept across transactions, so nothing can go stale across replicas."""
    sync = session.sync_session
    transaction = sync.get_transaction()
    held = sync.info.get(_READS)
    if held is None or held[0] is not transaction:
        held = sync.info[_READS] = (transaction, {})
    return held[1]


@sa_event.listens_for(Session, "after_flush")
def _written(session: Session, _context) -> None:
    session.info.pop(_READS, None)


def _active_in(program_id, person_id):
    """Whether the person is an active participant of the program: a column."""
    return (
        sa.exists()
        .where(
            col(Enrollment.program_id) == program_id,
            col(Enrollment.person_id) == person_id,
            Enrollment.status == EnrollmentStatus.ACTIVE,
        )
        .label("active")
    )


_ACTIVE_IN = sa.select(_active_in(sa.bindparam("program_id"), sa.bindparam("person_id")))


async def active_in(session, program_id: int, person_id: int) -> bool:
    return bool((await session.exec(_ACTIVE_IN, params={"program_id": program_id, "person_id": person_id})).scalar())


# An event, and whether the row's reader is still an active participant of
# its program, in one statement built once.
_EVENT_AND_READER = sa.select(ProgramEvent, _active_in(sa.bindparam("program_id"), sa.bindparam("person_id"))).where(
    col(ProgramEvent.id) == sa.bindparam("event_id")
)

# When the program's first closing event that is not cancelled starts: the
# close-out follows it.
_CLOSING_STARTS = closing_starts(sa.bindparam("program_id")).label("closing_starts")

# A pair, both enrollments and both people (None where one is missing), in
# one statement built once; with the program's closing moment for a nudge.
_ADEPT, _MENTOR = aliased(Enrollment), aliased(Enrollment)
_ADEPT_PERSON, _MENTOR_PERSON = aliased(Person), aliased(Person)


def _pair_and_people(*more):
    return (
        sa.select(Pairing, _ADEPT, _MENTOR, _ADEPT_PERSON, _MENTOR_PERSON, *more)
        .outerjoin(_ADEPT, col(_ADEPT.id) == col(Pairing.adept_id))
        .outerjoin(_MENTOR, col(_MENTOR.id) == col(Pairing.mentor_id))
        .outerjoin(_ADEPT_PERSON, col(_ADEPT_PERSON.id) == col(_ADEPT.person_id))
        .outerjoin(_MENTOR_PERSON, col(_MENTOR_PERSON.id) == col(_MENTOR.person_id))
        .where(col(Pairing.id) == sa.bindparam("pairing_id"))
    )


_PAIR_AND_PEOPLE = _pair_and_people()
_PAIR_PEOPLE_AND_CLOSING = _pair_and_people(_CLOSING_STARTS)


@dataclass(frozen=True)
class LivePair:
    pairing: Pairing
    adept: Enrollment
    mentor: Enrollment
    adept_person: Person
    mentor_person: Person

    def as_seen_by(self, person_id: int | None) -> tuple[Enrollment, Person]:
        """(their enrollment, their partner) for one of the two."""
        if self.adept.person_id == person_id:
            return self.adept, self.mentor_person
        return self.mentor, self.adept_person


async def pair_and_people(session, pairing_id) -> LivePair | None:
    """The pair with its enrollments and people, whatever its status (an
    enrollment or person that is missing is None); None without the pair."""
    found = (await session.exec(_PAIR_AND_PEOPLE, params={"pairing_id": pairing_id})).first()
    return LivePair(*found) if found is not None else None


def _running(found) -> LivePair | None:
    """A pair, its two enrollments and its two people, while it is announced."""
    if found is None or found[0].status != PairStatus.ANNOUNCED or any(part is None for part in found[1:5]):
        return None
    return LivePair(*found[:5])


async def replan_pairs(session: AsyncSession, rows: list, now: datetime) -> None:
    """After a nudge round was sent or expired, the pair's next round is planned."""
    from bot.reminders.planner import plan_pair  # the planner imports this registry

    for pairing_id in sorted({pid for r in rows if (pid := (r.context or {}).get("pairing_id")) is not None}):
        await plan_pair(session, pairing_id, now)


def nudge_card(render, text: str, pairing_id: int) -> Card:
    """A question to a pair member with the buttons: we met, remind me in a week, we need help."""
    value = str(pairing_id)
    return Card(
        (
            Text(text),
            Buttons(
                (
                    Button("nudge.met", render("nudges/button_met"), value, "primary"),
                    Button("nudge.snooze", render("nudges/button_snooze"), value),
                    Button("nudge.help", render("nudges/button_help"), value),
                )
            ),
        )
    )


# -------------------------------------------------------------------- kinds


@reminder_kind("message", while_closed=True, prebuilt=True)
async def message(session, row, program, person):  # pragma: no cover - prebuilt rows are not built
    raise AssertionError("a message row is sent as it was written")


# The answer to the person who just spoke: not worth a report when it fails
# (they are the one who is there to notice).
@reminder_kind("reply", while_closed=True, prebuilt=True, report_failure=False)
async def reply(session, row, program, person):  # pragma: no cover - prebuilt rows are not built
    raise AssertionError("a reply row is sent as it was written")


@reminder_kind("event", timed=True)
async def event(session, row, program, person, *, now: datetime):
    from bot.reminders.events import utc_iso

    # The reader's enrollment is asked in the same statement (a channel's row has no reader).
    params = {"event_id": row.context.get("event_id"), "program_id": None, "person_id": None}
    if person is not None:
        params.update(program_id=program.id, person_id=person.id)
    found = (await session.exec(_EVENT_AND_READER, params=params)).first()
    ev, active = found if found is not None else (None, False)
    if ev is None or ev.cancelled:
        return Skip("the event was removed")
    if utc_iso(ev.starts_at) != row.context.get("starts_at"):
        return Skip("the event moved; its new reminders are planned")
    if ev.starts_at <= now:
        return Skip("the event has begun")
    if person is not None and not active:
        return Skip("no longer an active participant")
    # Days from the day it is sent to the event's day, in the program's zone:
    # a "1 day before" reminder moved back over a weekend says "in 4 days",
    # and one sent late (the service was down) says what is true when it arrives.
    cal = ProgramCalendar.of(program)
    days = (cal.local_day(ev.starts_at) - cal.local_day(now)).days
    from bot.programs import rsvp_buttons

    def card(render, text):
        return Card((Text(text), rsvp_buttons(render, ev.id)))

    return {"event": ev, "program": program, "offset": days, "to_channel": person is None}, card


@reminder_kind("nudge", after_sent=replan_pairs, after_expired=replan_pairs)
async def nudge(session, row, program, person):
    from bot.reminders.closeout import closeout_moment_after, nudges_stop, pairs_stop

    if program.status == CLOSING:
        return Skip("the close-out has begun: the program's pairs are not nudged any more")
    # The pair, its people and the program's closing moment: one statement, read once
    # for the pair's two nudges rendered in one transaction.
    params = {"pairing_id": row.context.get("pairing_id") or 0, "program_id": program.id}
    reads, key = shared_reads(session), ("nudge", params["pairing_id"], program.id)
    if key not in reads:  # the pair's other member's nudge, rendered just before, read it
        reads[key] = (await session.exec(_PAIR_PEOPLE_AND_CLOSING, params=params)).first()
    found = reads[key]
    day = row.context.get("round")
    if day:
        stop = (
            nudges_stop(program, closeout_moment_after(program, found.closing_starts))
            if found is not None
            else await pairs_stop(session, program)
        )
        if date.fromisoformat(day) >= stop:
            return Skip("the close-out has begun: the program's pairs are not nudged any more")
    live = None if day and date.fromisoformat(day) >= program.end else _running(found)
    if live is None:
        return Skip("the pair is no longer active, or the program has ended")
    pairing = live.pairing
    me, partner_person = live.as_seen_by(row.person_id)
    since = date.fromisoformat(row.context["since"])

    def card(render, text):
        return nudge_card(render, text, pairing.id)

    return {
        "partner": partner_person.name,
        "since": since,
        "role": me.role,
        "program": program,
    }, card


@reminder_kind("intake", dialogue=True)
async def intake(session, row, program, person):
    enrollment = await session.get(Enrollment, row.context.get("enrollment_id"))
    if enrollment is None or enrollment.status not in (EnrollmentStatus.INVITED, EnrollmentStatus.ONBOARDING):
        return Skip("onboarding is finished or was declined")
    return {
        "program": program,
        "role": enrollment.role,
        "started": enrollment.status == EnrollmentStatus.ONBOARDING,
    }, None


@reminder_kind("failure", while_closed=True)
async def failure(session, row, program, person):
    c = row.context
    return {
        "who": c.get("who", "?"),
        "what": c.get("what", "?"),
        "why": c.get("why", "?"),
        "attempts": c.get("attempts", 0),
        "program_name": program.name if program else "",
    }, None


@reminder_kind("broadcast")
async def broadcast(session, row, program, person):
    """A coordinator's message to part of the program (`bot.commands.broadcast`)."""
    if person is not None and not await active_in(session, program.id, person.id):
        return Skip("no longer an active participant")
    return {"text": row.context.get("text", ""), "sender": row.context.get("sender", ""), "program": program}, None


# Kinds declared in their own modules register on import.
from bot.reminders import closeout, digest, surveys  # noqa: E402, F401
