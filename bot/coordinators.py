"""Who coordinates: the configured coordinator keys (`bot.coordinators`
in the config, platform keys or e-mail addresses) and those added in chat
(the `coordinator` table), and the people behind them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config
from bot.messages import Actor
from bot.people import IDENTITY_KEY, email_is, identity_of, is_email
from bot.store.models import Coordinator, Identity, Person
from bot.store.rows import fetch


async def coordinator_keys(session: AsyncSession, config: Config) -> set[str]:
    keys = set(config.bot.coordinators)
    keys.update((await session.exec(select(Coordinator.key))).all())
    return keys


EMAIL_CLAIM = "e-mail:"  # Coordinator.added_by of a key stored when an e-mail entry matched


async def is_coordinator(session: AsyncSession, config: Config, person: Person, actor: Actor, now: datetime) -> bool:
    """Whether the person coordinates: one of their identity keys is a
    coordinator key. An e-mail entry of `bot.coordinators` matches only an
    identity whose platform vouched for that address this turn (the
    adapters' profile lookup sets `actor.email`), and only the first time:
    the identity's key is then stored, and the e-mail entry matches no one
    else."""
    configured = set(config.bot.coordinators)
    if actor.key in configured:
        return True
    # The person's identity keys, each with its stored coordinator key if any: one statement.
    stored = col(Coordinator.key) == col(Identity.platform) + ":" + col(Identity.tenant) + ":" + col(Identity.user_id)
    for platform, tenant, user_id, key in (
        await session.exec(
            select(Identity.platform, Identity.tenant, Identity.user_id, Coordinator.key)
            .outerjoin(Coordinator, stored)
            .where(Identity.person_id == person.id)
        )
    ).all():
        if key is not None or f"{platform}:{tenant}:{user_id}" in configured:
            return True
    email = (actor.email or "").strip().lower()
    if not email:
        return False
    if (
        email not in {k.lower() for k in configured if is_email(k)}
        and (await session.exec(select(Coordinator.key).where(email_is(Coordinator.key, email)))).first() is None
    ):
        return False
    claimed = (await session.exec(select(Coordinator).where(Coordinator.added_by == EMAIL_CLAIM + email))).first()
    if claimed is not None:
        return False
    session.add(Coordinator(key=actor.key, added_by=EMAIL_CLAIM + email, created_at=now))
    await session.flush()
    return True


async def coordinator_people(session: AsyncSession, config: Config) -> list[Person]:
    """Everyone who coordinates and whom the bot can name (for reports)."""
    keys = await coordinator_keys(session, config)
    found: dict[int, Person] = {}
    for key in keys:
        if m := IDENTITY_KEY.match(key):
            identity = await identity_of(session, m.group(1), m.group(2), m.group(3))
            if identity:
                found[identity.person_id] = await fetch(session, Person, identity.person_id)
    return [found[k] for k in sorted(found)]


@dataclass(frozen=True)
class Rights:
    """Where a coordinator's rights come from, as `forget` warns them."""

    # "configured": a key of theirs, or an address an account of theirs
    # claimed, is in `bot.coordinators`: `forget` erases their data but not
    # the entry, so writing again they coordinate again. "added": entries
    # made in chat (`coordinator add`), which `forget` deletes: the rights
    # end. None: they do not coordinate.
    source: str | None
    others: bool  # an entry that is not theirs: someone else coordinates (or may, by an address)


async def coordinator_rights(session: AsyncSession, config: Config, person: Person) -> Rights:
    accounts = {
        f"{i.platform}:{i.tenant}:{i.user_id}".lower()
        for i in (await session.exec(select(Identity).where(Identity.person_id == person.id))).all()
    }
    keys = accounts | ({person.email.lower()} if person.email else set())
    rows = (await session.exec(select(Coordinator))).all()
    mine = [r for r in rows if r.key.lower() in keys]  # what `forget` deletes (bot.privacy.erase)
    claimed = {
        (r.added_by or "").removeprefix(EMAIL_CLAIM)
        for r in mine
        if r.key.lower() in accounts and (r.added_by or "").startswith(EMAIL_CLAIM)
    }
    own = accounts | claimed
    configured = {k.lower() for k in config.bot.coordinators}
    source = "configured" if own & configured else "added" if mine else None
    others = bool(configured - own) or any(r.key.lower() not in keys | claimed for r in rows)
    return Rights(source, others)
