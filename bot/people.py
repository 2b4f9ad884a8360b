"""People and their platform identities: who is talking, where to reach them
later, what language they read, and whether they coordinate."""

from __future__ import annotations

import re
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config
from bot.errors import UserError
from bot.i18n import normalise_locale
from bot.messages import Actor, Address, Platform, Where
from bot.store.models import Coordinator, Identity, Person, Program

_SLACK_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_KEY = re.compile(r"^(slack|teams|console):([^:]+):(.+)$")


async def identity_of(session: AsyncSession, platform: str, tenant: str, user_id: str) -> Identity | None:
    return (
        await session.exec(
            select(Identity).where(
                Identity.platform == platform, Identity.tenant == tenant, Identity.user_id == user_id
            )
        )
    ).first()


async def person_for_actor(session: AsyncSession, actor: Actor, now: datetime) -> tuple[Person, Identity]:
    """The person behind `actor`, created on first contact and prefilled from
    the platform profile (name, e-mail, locale, time zone)."""
    identity = await identity_of(session, actor.platform, actor.tenant, actor.user_id)
    if identity is not None:
        person = await session.get(Person, identity.person_id)
        changed = False
        if actor.display_name and person.name in ("", actor.user_id):
            person.name, changed = actor.display_name, True
        for attr, value in (("email", actor.email), ("platform_locale", actor.locale), ("timezone", actor.timezone)):
            if value and getattr(person, attr) != value:
                setattr(person, attr, value)
                changed = True
        if changed:
            session.add(person)
        return person, identity
    person = None
    if actor.email:
        person = (await session.exec(select(Person).where(Person.email == actor.email))).first()
    if person is None:
        person = Person(
            name=actor.display_name or actor.user_id,
            email=actor.email,
            platform_locale=actor.locale,
            timezone=actor.timezone,
            created_at=now,
        )
        session.add(person)
        await session.flush()
    identity = Identity(person_id=person.id, platform=str(actor.platform), tenant=actor.tenant, user_id=actor.user_id)
    session.add(identity)
    await session.flush()
    return person, identity


async def resolve_person(session: AsyncSession, ref: str, actor: Actor, now: datetime) -> Person:
    """A person named in a command: a Slack mention `<@U123>`, an identity key
    `slack:T1:U2`, an e-mail address, or the exact name of a known person.
    Mentions and keys of people the bot has not met yet create them, so a
    coordinator can invite someone before they have talked to the bot."""
    ref = ref.strip()
    key: tuple[str, str, str] | None = None
    if m := _SLACK_MENTION.match(ref):
        key = ("slack", actor.tenant, m.group(1))
    elif m := _KEY.match(ref):
        key = (m.group(1), m.group(2), m.group(3))
    if key is not None:
        identity = await identity_of(session, *key)
        if identity is not None:
            return await session.get(Person, identity.person_id)
        name = key[2] if key[0] != "console" else key[2].capitalize()
        created, _ = await person_for_actor(
            session, Actor(Platform(key[0]), key[1], key[2], display_name=name), now
        )
        return created
    if "@" in ref:
        found = (await session.exec(select(Person).where(Person.email == ref))).first()
    else:
        found = (await session.exec(select(Person).where(Person.name == ref))).all()
        if len(found) > 1:
            raise UserError("errors/person_ambiguous", ref=ref, count=len(found))
        found = found[0] if found else None
    if found is None:
        raise UserError("errors/unknown_person", ref=ref)
    return found


async def identities(session: AsyncSession, person_id: int) -> list[Identity]:
    return list(
        (await session.exec(select(Identity).where(Identity.person_id == person_id).order_by(Identity.id.desc()))).all()
    )


def address_from_identity(identity: Identity) -> Address:
    return Address(
        platform=Platform(identity.platform),
        tenant=identity.tenant,
        conversation=identity.conversation,
        user=identity.user_id,
        where=Where.DM,
        ref=identity.ref,
    )


async def address_of(session: AsyncSession, person_id: int) -> Address | None:
    """Where to reach a person later: their newest reachable identity."""
    for identity in await identities(session, person_id):
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


def locale_for(person: Person | None, program: Program | None, config: Config) -> str:
    """The person's own choice, then their platform's language, then the
    program's, then the installation default."""
    for candidate in (
        person.locale if person else None,
        person.platform_locale if person else None,
        program.locale if program else None,
    ):
        if loc := normalise_locale(candidate):
            return loc
    return config.bot.locale


async def coordinator_keys(session: AsyncSession, config: Config) -> set[str]:
    keys = set(config.bot.coordinators)
    keys.update((await session.exec(select(Coordinator.key))).all())
    return keys


async def is_coordinator(session: AsyncSession, config: Config, person: Person, identity_key: str) -> bool:
    keys = await coordinator_keys(session, config)
    if identity_key in keys:
        return True
    if person.email and person.email.lower() in {k.lower() for k in keys}:
        return True
    return any(f"{i.platform}:{i.tenant}:{i.user_id}" in keys for i in await identities(session, person.id))


async def coordinator_people(session: AsyncSession, config: Config) -> list[Person]:
    """Everyone who coordinates and whom the bot can name (for reports)."""
    keys = await coordinator_keys(session, config)
    found: dict[int, Person] = {}
    for key in keys:
        if m := _KEY.match(key):
            identity = await identity_of(session, m.group(1), m.group(2), m.group(3))
            if identity:
                found[identity.person_id] = await session.get(Person, identity.person_id)
        elif "@" in key:
            for p in (await session.exec(select(Person).where(Person.email == key))).all():
                found[p.id] = p
    return [found[k] for k in sorted(found)]


async def reader_locale(db, actor: Actor, config: Config) -> str:
    """The language a person reads: their own choice (`language sv`) over
    the platform client's, for the few words an adapter adds itself
    ("Choose", "You answered", "Working on it")."""
    async with db.read() as session:
        identity = await identity_of(session, str(actor.platform), actor.tenant, actor.user_id)
        person = await session.get(Person, identity.person_id) if identity else None
    if person is None:
        return normalise_locale(actor.locale) or config.bot.locale
    return locale_for(person, None, config)
