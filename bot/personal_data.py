"""Everything the bot holds about one person, as one JSON document (the file
that goes with `mydata`). Each personal table is read here, so a new table
with personal data has one place to be added."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlmodel import SQLModel, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.store.models import (
    DialogState,
    Enrollment,
    EventRsvp,
    Identity,
    Meeting,
    Pairing,
    Person,
    Program,
    SurveyResponse,
)
from bot.store.rows import fetch


def _row(obj: SQLModel, drop: tuple[str, ...] = ()) -> dict:
    return {k: v for k, v in obj.model_dump().items() if k not in drop}


def _json_default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


async def everything_about(session: AsyncSession, person_id: int) -> dict:
    person = await fetch(session, Person, person_id)
    enrollments = list((await session.exec(select(Enrollment).where(Enrollment.person_id == person_id))).all())
    ids = [e.id for e in enrollments]
    programs = {
        p.id: p.name
        for p in (
            await session.exec(select(Program).where(col(Program.id).in_([e.program_id for e in enrollments] or [0])))
        ).all()
    }
    pairings = list(
        (
            await session.exec(
                select(Pairing).where(
                    or_(col(Pairing.adept_id).in_(ids or [0]), col(Pairing.mentor_id).in_(ids or [0]))
                )
            )
        ).all()
    )
    meetings = list(
        (await session.exec(select(Meeting).where(col(Meeting.pairing_id).in_([p.id for p in pairings] or [0])))).all()
    )
    return {
        "person": _row(person),
        # Conversation references are the platform's addresses, not about the person.
        "accounts": [
            _row(i, ("ref",))
            for i in (await session.exec(select(Identity).where(Identity.person_id == person_id))).all()
        ],
        "enrollments": [{**_row(e), "program": programs.get(e.program_id)} for e in enrollments],
        # A pair's private answers (`PRIVATE_CHECKS`): the person's own, not the other member's.
        "pairs": [{**_row(p), "checks": p.checks_of(person_id)} for p in pairings],
        "meetings": [_row(m) for m in meetings],
        "event_answers": [
            _row(r) for r in (await session.exec(select(EventRsvp).where(EventRsvp.person_id == person_id))).all()
        ],
        "survey_answers": [
            _row(r)
            for r in (await session.exec(select(SurveyResponse).where(SurveyResponse.person_id == person_id))).all()
        ],
        "dialogues": [
            _row(d) for d in (await session.exec(select(DialogState).where(DialogState.person_id == person_id))).all()
        ],
    }


def as_json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default).encode()
