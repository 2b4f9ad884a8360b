"""A send that failed for good (`scheduler.record`): the same words to its
fallback addresses, the person the platform says cannot be reached marked
so, whom a row waits for while they are, and the coordinators told once
per person who cannot be reached."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.outbox import address_from_dict
from bot.people import identity_of, mark_unreachable
from bot.ports import DeliveryError
from bot.reminders.planner import TO_COORDINATORS
from bot.reminders.store import Planned, insert_if_absent, run
from bot.store.models import Identity, Person
from bot.store.rows import table_of

if TYPE_CHECKING:
    from scheduler.record import Claimed


async def fall_back(session: AsyncSession, row: Claimed, context: dict, now: datetime) -> None:
    """The same words to each fallback address (a group DM that could not
    be opened: each member's own DM; a message the platform would not
    update: the person's DM), as new messages in rows of their own."""
    message = {**context["message"], "replace": None}
    await insert_if_absent(
        session,
        [
            Planned(
                key=f"{row.key}:fallback{i}",
                kind="message",
                template=row.template,
                due_at=now,
                subject=row.subject or "",
                program_id=row.program_id,
                address=address,
                context={"message": message},
            )
            for i, address in enumerate(context["fallback"])
        ],
        now,
    )


async def held_for(session: AsyncSession, row: Claimed) -> int | None:
    """The person a row waits for: its address's identity (or, for a row
    to a person, every identity of theirs) is already marked unreachable,
    and stays so until they write again (`bot.people.reachable_again`)."""
    to = row.address or {}
    if to.get("user") and "," not in to["user"]:
        identity = await identity_of(session, to.get("platform", ""), to.get("tenant", ""), to["user"])
        return identity.person_id if identity is not None and identity.unreachable else None
    if row.person_id:
        flags = (
            (
                await run(
                    session,
                    sa.select(table_of(Identity).c.unreachable).where(table_of(Identity).c.person_id == row.person_id),
                )
            )
            .scalars()
            .all()
        )
        return row.person_id if flags and all(flags) else None
    return None


async def mark_if_unreachable(session: AsyncSession, row: Claimed, err: DeliveryError) -> None:
    """A person the platform says cannot be reached is marked so; later
    sends to them are held until they write again."""
    if not err.unreachable or not row.address:
        return
    to = address_from_dict(row.address)
    if to.user and "," not in to.user:
        await mark_unreachable(session, str(to.platform), to.tenant, to.user, err.reason)


async def report_failure(session: AsyncSession, row: Claimed, err: DeliveryError, now: datetime) -> None:
    """The coordinators told that a message could not reach its reader (once per person, however
    many messages missed them), or a channel."""
    if row.person_id:
        person = await session.get(Person, row.person_id)
    else:
        address = row.address or {}
        identity = (
            await identity_of(
                session, address.get("platform", ""), address.get("tenant", ""), address.get("user") or ""
            )
            if address.get("user")
            else None
        )
        person = await session.get(Person, identity.person_id) if identity else None
    who = person.name if person else None
    # Told once per person who cannot be reached, however many messages missed them.
    key = f"failure:person{person.id}:{row.program_id or 0}" if person else f"failure:{row.key}"
    await insert_if_absent(
        session,
        [
            Planned(
                key=key,
                kind="failure",
                template="scheduler/unreachable",
                due_at=now,
                subject=row.subject or "",
                program_id=row.program_id,
                context={
                    "to": TO_COORDINATORS,
                    "who": who,
                    "what": row.template,
                    "why": err.reason,
                    "attempts": row.attempts,
                    "failed_key": row.key,
                    "channel": not row.person_id and (row.address or {}).get("where") == "channel",
                },
            )
        ],
        now,
    )
