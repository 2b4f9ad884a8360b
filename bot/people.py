"""People and their platform identities: who is talking, whether they can be
reached, the program their turns are about, and whether they coordinate.
Where to reach them is `bot.addresses`; which language they read, `bot.language`."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.addresses import identities
from bot.config import Config
from bot.errors import UserError
from bot.i18n import normalise_locale
from bot.language import locale_for
from bot.lifecycle import RUNNING
from bot.messages import Actor, Platform
from bot.names import tidy_name
from bot.person_refs import people_called
from bot.programs import enrollment_of, my_enrollments, org_id_of, person_org_id
from bot.reminders.store import release_held
from bot.store.models import (
    GONE,
    Enrollment,
    Identity,
    Organisation,
    OrganisationTenant,
    Person,
    ProcessedEvent,
    Program,
    ProgramOrganisation,
)
from bot.store.rows import fetch, one_of, pk

_SLACK_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
IDENTITY_KEY = re.compile(r"^(slack|teams|console):([^:]+):(.+)$")  # platform:tenant:user id
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# One platform identity, its values bound at execution (`_identity_key`).
_THE_IDENTITY = (
    col(Identity.platform) == sa.bindparam("platform"),
    col(Identity.tenant) == sa.bindparam("tenant"),
    col(Identity.user_id) == sa.bindparam("user_id"),
)
_IDENTITY = select(Identity).where(*_THE_IDENTITY)


def is_email(ref: str) -> bool:
    """An e-mail address (a coordinator entry or a person named in a
    command), not an identity key."""
    return "@" in ref and not IDENTITY_KEY.match(ref)


def email_is(column, address: str):
    """SQL: `column` holds the e-mail `address`, whatever the case of either.
    The domain is case-insensitive, and like most systems we treat the local
    part so too (`Kalle@Example.com` is kalle@example.com). The database
    lowers both sides, so an address always finds itself spelled as stored;
    SQLite lowers only A to Z, PostgreSQL every letter."""
    return sa.func.lower(column) == sa.func.lower(sa.literal(address, sa.String))


def _identity_key(platform: str, tenant: str, user_id: str) -> dict:
    return {"platform": str(platform), "tenant": tenant, "user_id": user_id}


async def identity_of(session: AsyncSession, platform: str, tenant: str, user_id: str) -> Identity | None:
    return (await session.exec(_IDENTITY, params=_identity_key(platform, tenant, user_id))).first()


async def person_for_actor(
    session: AsyncSession, actor: Actor, now: datetime, *, spoke: bool = True
) -> tuple[Person, Identity]:
    """The person behind `actor`, created on first contact and prefilled from
    the platform profile (name, as `bot.names.tidy_name` has it, e-mail,
    locale, time zone). `spoke=False` for an account a coordinator names
    before it has written to the bot: its `spoke_at` stays empty until it does.

    A new platform identity is always a new person: nothing is inferred from
    a matching e-mail or name. Two identities become one person only with
    proof (`bot.linking`: a one-time code, or a coordinator's `person link`)."""
    person, identity, _, _ = await _person(session, actor, now, None, spoke=spoke)
    return person, identity


def _identity_and_person(flag):
    """Built once (a statement built per call costs more than SQLite's work on it)."""
    return select(Identity, Person, flag).join(Person, col(Person.id) == col(Identity.person_id)).where(*_THE_IDENTITY)


def _pressed(edge):
    """The first (`min`) or last (`max`) key of the person's press records (`bot.presses`)."""
    return (
        sa.select(edge(col(ProcessedEvent.key)))
        .where(col(ProcessedEvent.key) >= sa.bindparam("keys_from"), col(ProcessedEvent.key) < sa.bindparam("keys_to"))
        .scalar_subquery()
    )


_PERSON = _identity_and_person(sa.false())

# The program a turn is about when it names none (`bot.language`, rule 4):
# the running program the person joined first and has not left. A later
# enrolment elsewhere changes nothing, and someone in no running program has
# none (the installation's language and zone, not another program's).
_THEIR_PROGRAM_ID = (
    select(col(Program.id))
    .join(Enrollment, col(Enrollment.program_id) == col(Program.id))
    .where(
        col(Enrollment.person_id) == col(Person.id),
        sa.not_(one_of(col(Enrollment.status), GONE)),
        one_of(col(Program.status), RUNNING),
    )
    .order_by(col(Enrollment.id))
    .limit(1)
    .correlate(Person)
    .scalar_subquery()
)
# A turn's first statement: the identity, the person, the first and last
# key of the presses of theirs on record, and their program.
_PERSON_PRESSED_AND_PROGRAM = (
    _identity_and_person(_pressed(sa.func.min))
    .add_columns(_pressed(sa.func.max), Program)
    .outerjoin(Program, col(Program.id) == _THEIR_PROGRAM_ID)
)
_PERSON_AND_PROGRAM = _PERSON.add_columns(Program).outerjoin(Program, col(Program.id) == _THEIR_PROGRAM_ID)


def key_range(prefix: str) -> tuple[str, str]:
    """The keys that start with `prefix` (ending in "|"): from it up to the next such prefix."""
    return prefix, prefix[:-1] + "}"


async def names_behind(session: AsyncSession, keys: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], str]:
    """The names of the people behind (platform, tenant, user id) identities the bot knows, 500 a statement."""
    found: dict[tuple[str, str, str], str] = {}
    wanted, key = sorted(keys), sa.tuple_(col(Identity.platform), col(Identity.tenant), col(Identity.user_id))
    names = select(Identity.platform, Identity.tenant, Identity.user_id, Person.name).join(Person)
    for start in range(0, len(wanted), 500):
        rows = (await session.exec(names.where(key.in_(wanted[start : start + 500])))).all()
        found.update(((p, t, u), name) for p, t, u, name in rows)
    return found


async def turn_start(
    session: AsyncSession, actor: Actor, now: datetime, keys_prefix: str
) -> tuple[Person, Identity, tuple[str, ...], Program | None]:
    """The person behind `actor` (`person_for_actor`), the processed-event
    keys starting with `keys_prefix` (the person's last press, for
    `bot.presses.first_press`: none, the one, or the first and the last of
    several), and the program their turn is about (`_THEIR_PROGRAM_ID`),
    all in one statement: what a turn reads first."""
    return await _person(session, actor, now, keys_prefix, spoke=True)


async def _person(
    session: AsyncSession, actor: Actor, now: datetime, keys_prefix: str | None, *, spoke: bool
) -> tuple[Person, Identity, tuple[str, ...], Program | None]:
    """The person (with `keys_prefix`: their press records and program too), created on first contact."""
    params = _identity_key(actor.platform, actor.tenant, actor.user_id)
    if keys_prefix is not None:
        params["keys_from"], params["keys_to"] = key_range(keys_prefix)
    found = (await session.exec(_PERSON if keys_prefix is None else _PERSON_PRESSED_AND_PROGRAM, params=params)).first()
    if found is not None:
        identity, person = found[:2]
        pressed: tuple[str, ...] = ()
        if keys_prefix is not None:
            first, last = found[2:4]
            pressed = () if first is None else (first,) if first == last else (first, last)
        if spoke and identity.spoke_at is None:
            identity.spoke_at = now
            session.add(identity)
        changed = False
        if actor.display_name and person.name in ("", actor.user_id) and (shown := tidy_name(actor.display_name)):
            person.name, changed = shown, True
        for attr, value in (("email", actor.email), ("platform_locale", actor.locale), ("timezone", actor.timezone)):
            if value and getattr(person, attr) != value:
                setattr(person, attr, value)
                changed = True
        if changed:
            session.add(person)
        return person, identity, pressed, found[4] if keys_prefix is not None else None
    person = Person(
        name=tidy_name(actor.display_name or "") or actor.user_id,
        email=actor.email,
        platform_locale=actor.locale,
        timezone=actor.timezone,
        created_at=now,
    )
    session.add(person)
    await session.flush()
    identity = Identity(
        person_id=pk(person),
        platform=str(actor.platform),
        tenant=actor.tenant,
        user_id=actor.user_id,
        spoke_at=now if spoke else None,
    )
    session.add(identity)
    await session.flush()
    return person, identity, (), None  # met just now, so in no program yet


def identity_key_of(ref: str, actor: Actor) -> tuple[str, str, str] | None:
    """(platform, tenant, user id) of an explicit reference: a Slack mention
    (in the actor's workspace) or an identity key; None for anything else."""
    ref = ref.strip()
    if m := _SLACK_MENTION.match(ref):
        return ("slack", actor.tenant, m.group(1))
    if m := IDENTITY_KEY.match(ref):
        return (m.group(1), m.group(2), m.group(3))
    return None


def is_identity_ref(ref: str) -> bool:
    """Whether `ref` is written as an account (a Slack mention or an identity
    key, `slack:T1:U2`), whoever's it is (`identity_key_of`)."""
    ref = ref.strip()
    return bool(_SLACK_MENTION.match(ref) or IDENTITY_KEY.match(ref))


async def resolve_person(
    session: AsyncSession,
    ref: str,
    actor: Actor,
    now: datetime,
    program: Program | None = None,
    *,
    candidates: bool = True,
) -> Person:
    """A person named in a command: a Slack mention `<@U123>`, an identity key
    `slack:T1:U2`, an e-mail address their platform gave, or the name of a
    known person (`bot.names`: whatever its case, spacing and Unicode
    form). Mentions and keys of people the bot has not met yet
    create them, so a coordinator can invite someone before they have talked
    to the bot. A name (or an e-mail) resolves only when exactly one person
    has it, and with a program, only among the people of its organisations
    (a name no one has as typed: the one person who has it but for its
    accents, `Asa Oberg` for Åsa Öberg; several names so are asked about);
    several are answered with each one's key and organisation (`candidates`;
    False where the asker is no coordinator), so the asker can say which;
    a name also only to someone who has written to the bot (else whoever
    wrote first under that name could be taken for them). Otherwise the
    coordinator is asked for a mention, a key or an e-mail, before the
    command does anything."""
    ref = ref.strip()
    key = identity_key_of(ref, actor)
    if key is not None:
        identity = await identity_of(session, *key)
        if identity is not None:
            return await fetch(session, Person, identity.person_id)
        name = key[2] if key[0] != "console" else key[2].capitalize()
        created, _ = await person_for_actor(
            session, Actor(Platform(key[0]), key[1], key[2], display_name=name), now, spoke=False
        )
        return created
    if "@" in ref:
        found = list((await session.exec(select(Person).where(email_is(Person.email, ref)))).all())
    else:
        found = await people_called(session, ref)
    loosely = "@" not in ref and not found
    if loosely:  # `Asa Oberg`: no one is called that; someone may be, but for the accents
        found = await people_called(session, ref, loosely=True)
    if program is not None and "@" not in ref and found:
        found = await _in_program_organisations(session, program, found)
        if not found:
            raise UserError("errors/person_outside_program", ref=ref, program=program)
    names = sorted({p.name for p in found})
    if loosely and len(names) > 1:  # `Åsa Öberg` and `Åsa Oberg`: which one is not guessed
        raise UserError("errors/person_did_you_mean", ref=ref, names=names)
    if len(found) > 1:
        raise UserError(
            "errors/person_ambiguous",
            ref=names[0] if loosely else ref,
            count=len(found),
            candidates=await _candidates(session, found, program) if candidates else [],
        )
    if not found:
        # An address is known only from a platform that vouched for it when
        # its owner wrote to the bot: say so, rather than ask for an address.
        raise UserError("errors/unknown_email" if _EMAIL.match(ref) else "errors/unknown_person", ref=ref)
    if "@" not in ref and not any(i.spoke_at for i in await identities(session, pk(found[0]))):
        raise UserError("errors/person_not_met", ref=ref)
    return found[0]


async def identity_keys(session: AsyncSession, person_id: int) -> list[str]:
    """The keys of a person's identities (`slack:T1:U2`), those that have
    written to the bot first, the oldest first."""
    mine = sorted(await identities(session, person_id), key=lambda i: (i.spoke_at is None, i.id))
    return [f"{i.platform}:{i.tenant}:{i.user_id}" for i in mine]


async def _candidates(session: AsyncSession, people: list[Person], program: Program | None) -> list[dict]:
    """How to tell apart several people called the same: a key of each (one
    that has written to the bot first), and their organisation (in the
    program, `bot.programs.org_id_of`; else `person_org_id`)."""
    orgs = dict((await session.exec(select(Organisation.id, Organisation.name))).all())
    out = []
    for person in people:
        key = next(iter(await identity_keys(session, pk(person))), None)
        if program is not None:
            org_id = org_id_of(await enrollment_of(session, program, pk(person)), person)
        else:
            org_id = person_org_id(person, (e for e, _ in await my_enrollments(session, pk(person))))
        out.append({"key": key, "organisation": orgs.get(org_id) if org_id else None})
    return out


async def outside_program(session: AsyncSession, program: Program, person: Person) -> str | None:
    """The name of `person`'s organisation when it is known and is not one
    of `program`'s (nor are any of their workspaces or tenants); None when
    they belong, or nobody knows yet (the intake asks them)."""
    if person.organisation_id is None or await _in_program_organisations(session, program, [person]):
        return None
    organisation = await session.get(Organisation, person.organisation_id)
    return organisation.name if organisation is not None else None


async def _in_program_organisations(session: AsyncSession, program: Program, people: list[Person]) -> list[Person]:
    """Those of `people` who belong to one of the program's organisations: by
    their own organisation, or by an identity in a workspace or tenant an
    organisation of the program names. A program with no organisations yet
    keeps everyone."""
    org_ids = set(
        (
            await session.exec(
                select(ProgramOrganisation.organisation_id).where(ProgramOrganisation.program_id == program.id)
            )
        ).all()
    )
    if not org_ids:
        return people
    tenants = {
        (t.platform, t.tenant)
        for t in (
            await session.exec(select(OrganisationTenant).where(col(OrganisationTenant.organisation_id).in_(org_ids)))
        ).all()
    }
    kept = []
    for person in people:
        if person.organisation_id in org_ids or any(
            (i.platform, i.tenant) in tenants for i in await identities(session, pk(person))
        ):
            kept.append(person)
    return kept


async def mark_unreachable(session: AsyncSession, platform: str, tenant: str, user_id: str, reason: str) -> None:
    """The platform says this identity cannot be reached; it is skipped
    until the person writes again (see `reachable_again`)."""
    identity = await identity_of(session, platform, tenant, user_id)
    if identity is not None and not identity.unreachable:
        identity.unreachable, identity.unreachable_reason = True, reason[:200]
        session.add(identity)


async def reachable_again(session: AsyncSession, identity: Identity, now: datetime) -> None:
    """They wrote to the bot: messages can reach them again, and those held
    for them (`bot.reminders.store.HELD_UNTIL`) are due now."""
    if identity.unreachable:
        identity.unreachable, identity.unreachable_reason = False, None
        session.add(identity)
        await release_held(session, identity.person_id, now)


_THEIR_PROGRAM = (
    select(Program)
    .join(Person, col(Program.id) == _THEIR_PROGRAM_ID)
    .where(col(Person.id) == sa.bindparam("person_id"))
)


async def own_locale(session: AsyncSession, person: Person, config: Config) -> str:
    """The language the person's own replies are in (`bot.language` with the
    program their turn is about, `_THEIR_PROGRAM_ID`): a coordinator's, for
    the notes she gets as coordinator about any program, whatever its
    language, as her replies about it stay in hers (`Turn.about`)."""
    program = (await session.exec(_THEIR_PROGRAM, params={"person_id": pk(person)})).first()
    return locale_for(person, program, config)


async def reader_locale(db, actor: Actor, config: Config) -> str:
    """The language a person reads (`bot.language`), for the few words an
    adapter adds itself ("Choose", "You answered", "Working on it")."""
    async with db.read() as session:
        found = (
            await session.exec(_PERSON_AND_PROGRAM, params=_identity_key(actor.platform, actor.tenant, actor.user_id))
        ).first()
    if found is None:
        return normalise_locale(actor.locale) or config.bot.locale
    return locale_for(found[1], found[3], config)
