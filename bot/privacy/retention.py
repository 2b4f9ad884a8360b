"""The retention purge: delete what the register (PRIVACY.md) says is due.

`purge(session, now, settings, coordinators)` runs every rule in the caller's
transaction and returns how many rows each rule touched; with `dry_run=True`
it only counts. The scheduler runs it every `privacy.purge_hours`
(`scheduler/service.py`); `mentorbot db purge [--dry-run]` runs it by hand.

Periods count from a program's end date (`Program.end`) or, for rows that
belong to no program, from when the row was finished or written:

| rule | what | when |
|---|---|---|
| answers | intake answers, consent time, nomination reason, dialogue state, survey answers, match rationale and exclusions | `answers_days` after the end |
| free_text | free-text answers (`wishes`, `role_title`, ...) | with `free_text_from = "match"`: `answers_days` after the pair is announced |
| left | answers of people who left or declined | at once |
| processed_events | platform event ids | `processed_event_days` after they arrived |
| outbox | finished reminder rows (sent, failed, expired, cancelled) | `outbox_days` after the end, or after sending |
| audit | audit rows | `audit_days` after the end, or after writing |
| people | people in no running program, not coordinating, with nothing pending to them (anonymised as by `forget`, without notices) | `people_days` after their last program's end, or after first contact |
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import PrivacySettings
from bot.privacy.erase import FREE_TEXT, clear_answers, erase_person
from bot.reminders.store import run
from bot.store.models import (
    GONE,
    AuditLog,
    Coordinator,
    DialogState,
    Enrollment,
    Identity,
    MatchAllowance,
    MatchExclusion,
    Pairing,
    PairStatus,
    Person,
    ProcessedEvent,
    Program,
    Reminder,
    ReminderStatus,
    SurveyResponse,
)
from bot.store.rows import pk, table_of

FINISHED = (ReminderStatus.SENT, ReminderStatus.FAILED, ReminderStatus.EXPIRED, ReminderStatus.CANCELLED)
RULES = ("answers", "free_text", "left", "processed_events", "outbox", "audit", "people")
# One line per rule for `mentorbot db purge` (operator-facing, English like the rest of the CLI).
RULE_TEXT = {
    "answers": "answers, dialogue state, surveys, rationales, exclusions ({p.answers_days} days after the program ends)",
    "free_text": "free-text answers after the match (free_text_from = {p.free_text_from!r})",
    "left": "answers of people who left or declined (at once)",
    "processed_events": "platform event ids (after {p.processed_event_days} days)",
    "outbox": "sent, failed, expired and cancelled reminders ({p.outbox_days} days after the program ends)",
    "audit": "audit rows ({p.audit_days} days after the program ends)",
    "people": "people in no program, anonymised ({p.people_days} days after their last program)",
}


@dataclass
class PurgeReport:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RULES, 0))
    dry_run: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())


async def _ended(session: AsyncSession, today: date, days: int) -> list[int]:
    """Programs whose end date is at least `days` days ago."""
    programs = (await session.exec(select(Program))).all()
    return [pk(p) for p in programs if p.end + timedelta(days=days) <= today]


def _has_answers(e: Enrollment) -> bool:
    return bool(e.answers) or e.consent_at is not None or bool(e.nomination_reason) or bool(e.override_by)


async def _delete(session: AsyncSession, model, where, dry_run: bool) -> int:
    T = table_of(model)
    count = (await run(session, sa.select(sa.func.count()).select_from(T).where(where))).scalar_one()
    if count and not dry_run:
        await run(session, sa.delete(T).where(where))
    return count


def _in(column, ids: Iterable[int]):
    ids = list(ids)
    return column.in_(ids) if ids else sa.false()


async def answers(session: AsyncSession, now: datetime, s: PrivacySettings, dry_run: bool) -> int:
    ended = await _ended(session, now.date(), s.answers_days)
    if not ended:
        return 0
    count = 0
    for e in (await session.exec(select(Enrollment).where(_in(Enrollment.program_id, ended)))).all():
        if _has_answers(e):
            count += 1
            if not dry_run:
                clear_answers(e)
                session.add(e)
    for p in (await session.exec(select(Pairing).where(_in(Pairing.program_id, ended)))).all():
        if p.rationale:
            count += 1
            if not dry_run:
                p.rationale = []
                session.add(p)
    count += await _delete(session, DialogState, _in(DialogState.program_id, ended), dry_run)
    count += await _delete(session, SurveyResponse, _in(SurveyResponse.program_id, ended), dry_run)
    count += await _delete(session, MatchExclusion, _in(MatchExclusion.program_id, ended), dry_run)
    count += await _delete(session, MatchAllowance, _in(MatchAllowance.program_id, ended), dry_run)
    return count


async def free_text(session: AsyncSession, now: datetime, s: PrivacySettings, dry_run: bool) -> int:
    if s.free_text_from != "match":
        return 0
    cutoff = now - timedelta(days=s.answers_days)
    pairs = (
        await session.exec(
            select(Pairing).where(
                col(Pairing.announced_at).is_not(None),
                col(Pairing.announced_at) <= cutoff,
                col(Pairing.status).in_((PairStatus.ANNOUNCED, PairStatus.ENDED)),
            )
        )
    ).all()
    ids = {i for p in pairs for i in (p.adept_id, p.mentor_id)}
    count = 0
    for e in (await session.exec(select(Enrollment).where(_in(Enrollment.id, ids)))).all():
        if any(e.answers.get(k) for k in FREE_TEXT):
            count += 1
            if not dry_run:
                e.answers = {k: v for k, v in e.answers.items() if k not in FREE_TEXT}
                session.add(e)
    return count


async def left(session: AsyncSession, now: datetime, s: PrivacySettings, dry_run: bool) -> int:
    gone = (await session.exec(select(Enrollment).where(col(Enrollment.status).in_(GONE)))).all()
    count = 0
    for e in gone:
        if _has_answers(e):
            count += 1
            if not dry_run:
                clear_answers(e)
                session.add(e)
    return count


async def processed_events(session: AsyncSession, now: datetime, s: PrivacySettings, dry_run: bool) -> int:
    return await _delete(
        session, ProcessedEvent, ProcessedEvent.at <= now - timedelta(days=s.processed_event_days), dry_run
    )


async def outbox(session: AsyncSession, now: datetime, s: PrivacySettings, dry_run: bool) -> int:
    ended = await _ended(session, now.date(), s.outbox_days)
    cutoff = now - timedelta(days=s.outbox_days)
    done = col(Reminder.status).in_(FINISHED)
    return await _delete(
        session,
        Reminder,
        done
        & (
            _in(Reminder.program_id, ended)
            | (
                col(Reminder.program_id).is_(None)
                & (sa.func.coalesce(col(Reminder.sent_at), col(Reminder.created_at), col(Reminder.due_at)) <= cutoff)
            )
        ),
        dry_run,
    )


async def audit(session: AsyncSession, now: datetime, s: PrivacySettings, dry_run: bool) -> int:
    ended = await _ended(session, now.date(), s.audit_days)
    cutoff = now - timedelta(days=s.audit_days)
    return await _delete(
        session,
        AuditLog,
        _in(AuditLog.program_id, ended) | (col(AuditLog.program_id).is_(None) & (col(AuditLog.at) <= cutoff)),
        dry_run,
    )


async def people(
    session: AsyncSession, now: datetime, s: PrivacySettings, dry_run: bool, coordinators: Iterable[str] = ()
) -> int:
    """People the program no longer needs: not coordinating, in no program
    that ended less than `people_days` ago, first met at least that long ago."""
    today, cutoff = now.date(), now - timedelta(days=s.people_days)
    keys = {k.lower() for k in coordinators} | {k.lower() for k in (await session.exec(select(Coordinator.key))).all()}
    recent = {
        pk(p) for p in (await session.exec(select(Program))).all() if p.end + timedelta(days=s.people_days) > today
    }
    keep: set[int | None] = set(
        (await session.exec(select(Enrollment.person_id).where(_in(Enrollment.program_id, recent)))).all()
    )
    keep.update(
        (
            await session.exec(
                select(Reminder.person_id).where(
                    col(Reminder.status).in_((ReminderStatus.PENDING, ReminderStatus.CLAIMED)),
                    col(Reminder.person_id).is_not(None),
                )
            )
        ).all()
    )
    idents = (await session.exec(select(Identity))).all()
    by_person: dict[int, set[str]] = {}
    for i in idents:
        by_person.setdefault(i.person_id, set()).add(f"{i.platform}:{i.tenant}:{i.user_id}".lower())
    count = 0
    for person in (await session.exec(select(Person).order_by(col(Person.id)))).all():
        known = person.id in by_person or person.email is not None  # a tombstone has neither
        # Without a first-contact time we cannot tell how long we have known them: kept.
        if not known or person.id in keep or person.created_at is None or person.created_at > cutoff:
            continue
        if by_person.get(pk(person), set()) & keys or (person.email and person.email.lower() in keys):
            continue
        count += 1
        if not dry_run:
            await erase_person(session, person, now, action="retention")
    return count


async def purge(
    session: AsyncSession,
    now: datetime,
    settings: PrivacySettings,
    *,
    coordinators: Iterable[str] = (),
    dry_run: bool = False,
) -> PurgeReport:
    report = PurgeReport(dry_run=dry_run)
    for name in RULES:
        rule = globals()[name]
        if name == "people":
            report.counts[name] = await rule(session, now, settings, dry_run, coordinators)
        else:
            report.counts[name] = await rule(session, now, settings, dry_run)
        await session.flush()
    if report.total and not dry_run:
        session.add(AuditLog(at=now, actor="mentorbot", action="privacy.purge", detail=dict(report.counts)))
    return report
