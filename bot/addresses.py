"""Where to send: a person's address, from their newest platform identity
that can still be reached, and a program's channel."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.messages import Address, Platform, Where
from bot.store.models import Identity, Program

_IDENTITIES = (
    select(Identity).where(col(Identity.person_id) == sa.bindparam("person_id")).order_by(col(Identity.id).desc())
)


async def identities(session: AsyncSession, person_id: int) -> list[Identity]:
    return list((await session.exec(_IDENTITIES, params={"person_id": person_id})).all())


def address_from_identity(identity: Identity) -> Address:
    return Address(
        platform=Platform(identity.platform),
        tenant=identity.tenant,
        conversation=identity.conversation,
        user=identity.user_id,
        where=Where.DM,
        ref=identity.ref,
    )


async def addresses_of(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, Address | None]:
    """`address_of` for many people in one statement."""
    ids = sorted(set(person_ids))
    found: dict[int, Address | None] = dict.fromkeys(ids)
    for start in range(0, len(ids), 500):
        for identity in (
            await session.exec(
                select(Identity)
                .where(col(Identity.person_id).in_(ids[start : start + 500]))
                .order_by(col(Identity.id).desc())
            )
        ).all():
            if found[identity.person_id] is None:
                found[identity.person_id] = newest_reachable([identity])
    return found


async def address_of(session: AsyncSession, person_id: int) -> Address | None:
    """Where to reach a person later: their newest reachable identity."""
    return newest_reachable(await identities(session, person_id))


def newest_reachable(identities_newest_first: Iterable[Identity]) -> Address | None:
    """The address of the first identity not marked unreachable (newest first)."""
    for identity in identities_newest_first:
        if not identity.unreachable:
            return address_from_identity(identity)
    return None


def program_channel(program: Program) -> Address | None:
    if not program.channel_platform:
        return None
    return Address(
        platform=Platform(program.channel_platform),
        tenant=program.channel_tenant or "",
        conversation=program.channel_conversation,
        where=Where.CHANNEL,
        ref=program.channel_ref,
    )
