"""Everything the bot holds about one person, as one JSON document (the file
that goes with `mydata`). Each personal table is read here, so a new table
with personal data has one place to be added."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlmodel import SQLModel, col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.roster import enrollment_names
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


# Of a pair, what is the member's own: that the pair exists, since and until
# when, and its state (with the pair's goals and the member's own answers, and
# the partner's name). Art. 15 GDPR gives a person the data about them, and a
# copy must not adversely affect others (art. 15(4)): so not the coordinator's
# matching notes (`score`, `rationale`: drawn from both members' answers, the
# partner's needs among them; `pinned`), nor why the pair ended (`end_reason`:
# the partner's leaving or the coordinator's words about both), nor a proposal
# nobody has been told of (not announced: the partner does not know it either).
# Someone who wants more asks the coordinator, who can weigh it case by case.
# `checks` stays, each member's private answers their own only: among them the
# digest's "reported quiet" record (`stall_reported`), which no coordinator
# wrote or weighed, comes from the pair's own meetings and pauses, and says when
# the pair was named to the coordinators (a recipient: art. 15(1)(c)).
OWN_OF_A_PAIR = ("id", "program_id", "status", "announced_at", "ended_at", "goals")


def _own_pair(pairing: Pairing, person_id: int, partner: str | None) -> dict:
    return {
        **{k: v for k, v in pairing.model_dump().items() if k in OWN_OF_A_PAIR},
        "partner": partner,
        # A pair's private answers (`PRIVATE_CHECKS`): the person's own, not the other member's.
        "checks": pairing.checks_of(person_id),
    }


def _other(pairing: Pairing, mine: list) -> int:
    """The pair's member who is not the person (whose enrollments are `mine`)."""
    return pairing.mentor_id if pairing.adept_id in mine else pairing.adept_id


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
                    or_(col(Pairing.adept_id).in_(ids or [0]), col(Pairing.mentor_id).in_(ids or [0])),
                    col(Pairing.announced_at).is_not(None),
                )
            )
        ).all()
    )
    partners = await enrollment_names(session, [_other(p, ids) for p in pairings])
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
        "pairs": [_own_pair(p, person_id, partners.get(_other(p, ids))) for p in pairings],
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
