"""Linking two platform identities of one person, only with proof.

A new identity is a new person (`bot.people.person_for_actor`). It becomes
the same person as a known one in two ways:

- the known identity types `link` and gets a one-time code (shown only to
  it, valid for `CODE_TTL`); the new identity types `link CODE`;
- a coordinator runs `person link PERSON IDENTITY` (audited).

Linking moves the identity to the known person. The new identity's own
person is removed if it has nothing of its own; if it has already joined a
program, linking is refused (a coordinator sorts that out), so no one's
program data silently changes hands.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlmodel import col, delete, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import UserError
from bot.store.models import DialogState, Enrollment, Identity, LinkCode, Person, Reminder
from bot.store.rows import fetch, pk

CODE_TTL = timedelta(minutes=15)
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed by hand
CODE_LENGTH = 8
MAX_OPEN_CODES = 3  # per person at a time


def _hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch in _ALPHABET)


async def issue_code(session: AsyncSession, person: Person, identity_key: str, now: datetime) -> str:
    """A fresh one-time code for `person` (older open codes beyond the cap are dropped)."""
    open_codes = list(
        (
            await session.exec(
                select(LinkCode)
                .where(col(LinkCode.person_id) == person.id, col(LinkCode.used_at).is_(None))
                .order_by(col(LinkCode.id))
            )
        ).all()
    )
    for stale in open_codes[: max(0, len(open_codes) - MAX_OPEN_CODES + 1)]:
        await session.delete(stale)
    code = "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))
    session.add(
        LinkCode(code_hash=_hash(code), person_id=pk(person), issued_to=identity_key, expires_at=now + CODE_TTL)
    )
    await session.flush()
    return f"{code[:4]}-{code[4:]}"


async def redeem_code(session: AsyncSession, code: str, identity: Identity, now: datetime) -> Person:
    """Link `identity` to the person who was shown `code`; the code is spent."""
    if len(normalise_code(code)) != CODE_LENGTH:
        raise UserError("errors/link_bad_code")
    row = (await session.exec(select(LinkCode).where(LinkCode.code_hash == _hash(code)))).first()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise UserError("errors/link_bad_code")
    row.used_at = now
    session.add(row)
    target = await fetch(session, Person, row.person_id)
    await move_identity(session, identity, target)
    return target


async def move_identity(session: AsyncSession, identity: Identity, target: Person) -> None:
    """Make `identity` one of `target`'s; its former person goes if now empty."""
    if identity.person_id == target.id:
        raise UserError("errors/link_already", name=target.name)
    former_id = identity.person_id
    if (await session.exec(select(Enrollment.id).where(Enrollment.person_id == former_id))).first() is not None:
        raise UserError("errors/link_has_data")
    identity.person_id = pk(target)
    session.add(identity)
    await session.flush()
    if (await session.exec(select(Identity.id).where(Identity.person_id == former_id))).first() is None:
        await session.exec(delete(DialogState).where(col(DialogState.person_id) == former_id))
        await session.exec(delete(LinkCode).where(col(LinkCode.person_id) == former_id))
        await session.exec(update(Reminder).where(col(Reminder.person_id) == former_id).values(person_id=target.id))
        former = await session.get(Person, former_id)
        if former is not None:
            await session.delete(former)
        await session.flush()
