"""Erasing a person: what `forget` and the people-retention purge do to the
database, in the caller's transaction.

Each step is a function of its own, named in `STEPS` and looked up by name
when it runs, so a test can leave out any one step and see the database scan
find what that step should have removed. Afterwards the person row is an
anonymous tombstone (kept only because enrollments and pairs point at it),
audit rows name an anonymous id that is stored nowhere else, and nothing in a
text or JSON column names the person.
"""

from __future__ import annotations

import re
import sys
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.privacy.mentions import Needles, found_in, replaced, rows_mentioning
from bot.reminders.store import run
from bot.store.models import (
    AuditLog,
    CalendarFeed,
    Coordinator,
    DialogState,
    EndReason,
    Enrollment,
    EnrollmentStatus,
    EventRsvp,
    Identity,
    MatchAllowance,
    MatchExclusion,
    Meeting,
    Pairing,
    PairStatus,
    Person,
    ProcessedEvent,
    Reminder,
    ReminderStatus,
    SharedFile,
    SurveyResponse,
)
from bot.store.rows import fetch, pk, table_of

ANONYMOUS = "forgotten:"
# Intake answers that are free text a person wrote (deleted early with
# `privacy.free_text_from = "match"`).
FREE_TEXT = ("wishes", "role_title", "department", "place", "nominator_name")


@dataclass
class Subject:
    """Whom we erase, and every way the database may name them."""

    person_id: int
    keys: set[str]
    needles: Needles
    ids: frozenset[str] = frozenset()  # their platform user ids and chat ids (how an outbox row addresses them)
    anon: str = field(default_factory=lambda: f"{ANONYMOUS}{uuid.uuid4().hex[:12]}")
    enrollment_ids: list[int] = field(default_factory=list)
    tombstone: str = ""  # what the person row's name becomes


async def subject_of(session: AsyncSession, person: Person) -> Subject:
    idents = (await session.exec(select(Identity).where(Identity.person_id == person.id))).all()
    keys = {f"{i.platform}:{i.tenant}:{i.user_id}" for i in idents}
    words = [person.name, person.email, *keys, *(i.user_id for i in idents), *(i.conversation for i in idents)]
    enrollments = (await session.exec(select(Enrollment.id).where(Enrollment.person_id == person.id))).all()
    ids = frozenset(v for i in idents for v in (i.user_id, i.conversation) if v)
    needles = Needles.of(words, await _others_holding(session, pk(person), Needles.of(words)))
    return Subject(pk(person), keys, needles, ids=ids, enrollment_ids=[i for i in enrollments if i is not None])


async def _others_holding(session: AsyncSession, person_id: int, needles: Needles) -> list[str]:
    """Other people's names, e-mails and accounts in which the person's
    words appear (Ann Berg, when Ann is forgotten): they stay as they are."""
    others: list[str] = []
    people, accounts = table_of(Person), table_of(Identity)
    for row in await rows_mentioning(session, people, ("name", "email"), needles):
        if row.id != person_id:
            others += [row.name, row.email]
    for row in await rows_mentioning(session, accounts, ("user_id", "conversation"), needles):
        if row.person_id != person_id:
            others += [f"{row.platform}:{row.tenant}:{row.user_id}", row.user_id, row.conversation]
    return others


def clear_answers(enrollment: Enrollment) -> None:
    """What the person told us under consent, gone (the row stays as `left`)."""
    enrollment.answers = {}
    enrollment.consent_at = None
    enrollment.paused_until = None
    enrollment.nomination_reason = None
    enrollment.override_by = None
    enrollment.capacity = 1
    enrollment.waitlisted = False


def end_pair(pairing: Pairing, now: datetime, reason: str) -> None:
    """A pair that has lost a member: ended, and its rationale (made of the
    answers) reduced to its score; the adept's goals go with it."""
    if pairing.status != PairStatus.ENDED:
        pairing.status, pairing.ended_at, pairing.end_reason = PairStatus.ENDED, now, reason
    pairing.rationale = []
    pairing.goals = []


# ----------------------------------------------------------------- steps


async def identities(session: AsyncSession, subject: Subject, now: datetime) -> None:
    for identity in (await session.exec(select(Identity).where(Identity.person_id == subject.person_id))).all():
        # The last button each account pressed (double-click guard) names the account.
        prefix = f"press:{identity.platform}:{identity.tenant}:{identity.user_id}|"
        await run(session, sa.delete(ProcessedEvent).where(col(ProcessedEvent.key).startswith(prefix, autoescape=True)))
        await session.delete(identity)


async def dialogues(session: AsyncSession, subject: Subject, now: datetime) -> None:
    await run(session, sa.delete(DialogState).where(col(DialogState.person_id) == subject.person_id))


async def surveys(session: AsyncSession, subject: Subject, now: datetime) -> None:
    await run(session, sa.delete(SurveyResponse).where(col(SurveyResponse.person_id) == subject.person_id))


async def calendars_and_files(session: AsyncSession, subject: Subject, now: datetime) -> None:
    """Their answers to events, their calendar feed links, and every download
    still open: besides the files made for them, any other one may be an
    export made for a coordinator that lists them (a file's rows are not
    searched; the coordinator makes the export again)."""
    for table in (EventRsvp, CalendarFeed):
        await run(session, sa.delete(table).where(col(table.person_id) == subject.person_id))
    await run(session, sa.delete(SharedFile))


async def coordinator_rows(session: AsyncSession, subject: Subject, now: datetime) -> None:
    person = await fetch(session, Person, subject.person_id)
    keys = {k.lower() for k in subject.keys | ({person.email} if person.email else set())}
    for row in (await session.exec(select(Coordinator))).all():
        if row.key.lower() in keys:
            await session.delete(row)


async def enrollments(session: AsyncSession, subject: Subject, now: datetime) -> None:
    for enrollment in (await session.exec(select(Enrollment).where(Enrollment.person_id == subject.person_id))).all():
        clear_answers(enrollment)
        if enrollment.status not in (EnrollmentStatus.DECLINED, EnrollmentStatus.CANCELLED):
            enrollment.status = EnrollmentStatus.LEFT
        enrollment.created_at = enrollment.updated_at = None
        session.add(enrollment)


async def pairings(session: AsyncSession, subject: Subject, now: datetime) -> None:
    if not subject.enrollment_ids:
        return
    ids = subject.enrollment_ids
    rows = (
        await session.exec(select(Pairing).where(col(Pairing.adept_id).in_(ids) | col(Pairing.mentor_id).in_(ids)))
    ).all()
    for pairing in rows:
        end_pair(pairing, now, EndReason.FORGOTTEN)
        session.add(pairing)
    for rule in (MatchExclusion, MatchAllowance):
        await run(session, sa.delete(rule).where(col(rule.adept_id).in_(ids) | col(rule.mentor_id).in_(ids)))


async def meetings(session: AsyncSession, subject: Subject, now: datetime) -> None:
    await run(session, sa.update(Meeting).where(col(Meeting.logged_by) == subject.person_id).values(logged_by=None))


async def outbox(session: AsyncSession, subject: Subject, now: datetime) -> None:
    """Every outbox row to or about the person: pending ones cancelled, all
    emptied, and a key that names them (a message kept for a console account,
    a reply's or message's key made from their platform event, which holds
    their chat's id) replaced by one that names nothing (`erased_key`).

    A row is theirs when it is written for them (`person_id`) or addressed
    to one of their accounts or chats; it is about them when a message's own
    words (a prebuilt message's text, a recorded error) name them. Nothing
    else counts: a name that is also an ordinary word (`day`, `event`) or
    someone else's name must not cancel other people's reminders because it
    appears in a key, a field name or a stored conversation reference."""
    T = table_of(Reminder)
    columns = ("key", "address", "context", "last_error")
    rows = await rows_mentioning(session, T, columns, subject.needles, extra=[T.c.person_id == subject.person_id])
    pattern = subject.needles.pattern
    ids = [r.id for r in rows if _to_them(r, subject) or _about_them(r, pattern)]
    renamed = [r.id for r in rows if _key_names_them(r.key, subject)]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        await run(
            session,
            sa.update(Reminder)
            .where(
                col(Reminder.id).in_(chunk), col(Reminder.status).in_((ReminderStatus.PENDING, ReminderStatus.CLAIMED))
            )
            .values(status=ReminderStatus.CANCELLED, last_error="forgotten"),
        )
        await run(
            session,
            sa.update(Reminder)
            .where(col(Reminder.id).in_(chunk))
            .values(
                person_id=None,
                address=None,
                context={},
                last_error=sa.case((col(Reminder.last_error) == "forgotten", "forgotten"), else_=None),
            ),
        )
    for start in range(0, len(renamed), 500):
        await run(
            session,
            sa.update(Reminder).where(col(Reminder.id).in_(renamed[start : start + 500])).values(key=erased_key()),
        )


def _to_them(row, subject: Subject) -> bool:
    """Written for them, or addressed to one of their accounts or chats."""
    if row.person_id == subject.person_id:
        return True
    address = row.address or {}
    return any(address.get(field) in subject.ids for field in ("user", "conversation") if address.get(field))


def _about_them(row, pattern) -> bool:
    """A message's own words name them: a prebuilt message's text and card
    (values only, never field names) or a recorded error."""
    message = (row.context or {}).get("message")
    return _in_values(message, pattern) or found_in(row.last_error, pattern)


def _in_values(value, pattern) -> bool:
    if isinstance(value, dict):
        return any(_in_values(v, pattern) for v in value.values())
    if isinstance(value, list):
        return any(_in_values(v, pattern) for v in value)
    return isinstance(value, str) and found_in(value, pattern)


# Keys made from a platform's ids: a message kept for a console account, and
# a turn's reply or message (its platform event's id holds the chat's id).
# Planned keys (`nudge:…`, `event:…`) hold only ids and dates.
_FROM_PLATFORM_IDS = ("console:", "reply:", "message:")


def _key_names_them(key: str, subject: Subject) -> bool:
    if not key.startswith(_FROM_PLATFORM_IDS):
        return False
    # An id is a whole field of the key (fields end at `:` or `|`; a Teams chat id holds colons itself).
    return any(re.search(rf"(?:^|[:|]){re.escape(i)}(?=[:|]|$)", key) for i in subject.ids)


ERASED = "erased:"  # the key of an outbox row whose own key named someone erased


def erased_key():
    """A row's new key, `erased:<its id>`: unique as the id is, and naming
    no one. Only a key that named a person is replaced, and such a key is
    never written again: planned keys hold ids and dates, and a reply's key
    comes from a platform event, which is handled once."""
    return sa.literal(ERASED, sa.String) + sa.cast(col(Reminder.id), sa.String)


async def audit(session: AsyncSession, subject: Subject, now: datetime) -> None:
    """Audit rows keep what was done; who did it, and to whom, become the anonymous id."""
    T = table_of(AuditLog)
    rows = await rows_mentioning(
        session, T, ("actor", "detail"), subject.needles, extra=[T.c.actor.in_(subject.keys)] if subject.keys else None
    )
    pattern = subject.needles.pattern
    for row in rows:
        actor = subject.anon if row.actor in subject.keys else replaced(row.actor, pattern, subject.anon)
        detail = replaced(row.detail, pattern, subject.anon)
        if actor != row.actor or detail != row.detail:
            await run(session, sa.update(AuditLog).where(AuditLog.id == row.id).values(actor=actor, detail=detail))


# Columns other people's rows may name the person in (a nominator's name in a
# mentor's answers, a coordinator key in `added_by`).
OTHERS: dict[type[SQLModel], tuple[str, ...]] = {
    Enrollment: ("answers", "nomination_reason", "override_by"),
    DialogState: ("data", "history"),
    SurveyResponse: ("answers",),
    Coordinator: ("added_by",),
    MatchExclusion: ("added_by",),
    MatchAllowance: ("added_by",),
    Identity: ("unreachable_reason",),
}


async def mentions(session: AsyncSession, subject: Subject, now: datetime) -> None:
    pattern = subject.needles.pattern
    for model, columns in OTHERS.items():
        T = table_of(model)
        for row in await rows_mentioning(session, T, columns, subject.needles):
            values = {c: replaced(getattr(row, c), pattern, subject.anon) for c in columns}
            if any(values[c] != getattr(row, c) for c in columns):
                key = next(iter(T.primary_key.columns))
                await run(session, sa.update(T).where(key == getattr(row, key.name)).values(**values))


async def person(session: AsyncSession, subject: Subject, now: datetime) -> None:
    row = await fetch(session, Person, subject.person_id)
    row.name = subject.tombstone
    row.email = row.locale = row.platform_locale = row.started_locale = row.timezone = None
    row.organisation_id = None
    row.created_at = None
    session.add(row)


STEPS = (
    "identities",
    "dialogues",
    "surveys",
    "calendars_and_files",
    "coordinator_rows",
    "enrollments",
    "pairings",
    "meetings",
    "outbox",
    "audit",
    "mentions",
    "person",
)


async def erase_person(
    session: AsyncSession, person: Person, now: datetime, *, action: str = "forget", tombstone: str = ""
) -> Subject:
    """Remove everything that names `person`; writes one audit row `action`
    under the anonymous id. Returns the subject (with that id)."""
    await session.flush()  # what the turn changed so far is written before it is erased
    subject = await subject_of(session, person)
    subject.tombstone = tombstone
    module = sys.modules[__name__]
    for name in STEPS:
        await getattr(module, name)(session, subject, now)
        await session.flush()
    session.add(AuditLog(at=now, actor=subject.anon, action=action, detail={}))
    await session.flush()
    return subject
