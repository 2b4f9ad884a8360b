"""Bringing people in: invitations, nominations, coordinators, the roster."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from sqlalchemy import func
from sqlmodel import select

from bot.commands.confirm import CONFIRM, ask
from bot.commands.registry import COORDINATOR, NOMINATOR, PROGRAM, Param, command
from bot.conflicts import invitable, role_conflicts
from bot.coordinators import EMAIL_CLAIM, coordinator_rights
from bot.dialogs import role_change
from bot.errors import UserError
from bot.inputs import MAX_ANSWER, capped
from bot.lifecycle import is_over
from bot.messages import Button, Buttons, Card, Text
from bot.people import email_is, identity_keys, identity_of, is_email, resolve_person
from bot.person_refs import MAX_NAME_WORDS, name_groups, people_called, with_quotes_hint
from bot.programs import enrollment_of, my_enrollments
from bot.store.models import AuditLog, Coordinator, Enrollment, EnrollmentStatus, Person, Program, Role
from bot.store.rows import pk
from bot.turn import Turn

_KEY = re.compile(r"^(slack|teams|console):[^:\s]+:\S+$")
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def invitation_card(render, enrollment: Enrollment, program: Program) -> Card:
    return Card(
        (
            Text(render("commands/invitation_card", program=program)),
            Buttons(
                (
                    Button("invite.join", render("commands/button_join"), str(enrollment.id), "primary"),
                    # No thanks, as a nomination has: `bot.dialogs.nomination.decline`.
                    Button("nomination.decline", render("commands/button_decline"), str(enrollment.id)),
                )
            ),
        )
    )


def nomination_card(render, enrollment: Enrollment, program: Program, nominator: Person) -> Card:
    return Card(
        (
            Text(
                render(
                    "commands/nomination_card",
                    program=program,
                    nominator=nominator.name,
                    reason=enrollment.nomination_reason,
                )
            ),
            Buttons(
                (
                    Button("nomination.accept", render("commands/button_accept"), str(enrollment.id), "primary"),
                    Button("nomination.decline", render("commands/button_decline"), str(enrollment.id)),
                )
            ),
        )
    )


@command("invite", role=COORDINATOR, params=(Param("people", "people"), PROGRAM, CONFIRM))
async def invite(turn: Turn, args):
    program = await turn.program(args["program"])
    invited: list[str] = []
    already: list[str] = []
    unreachable: list[str] = []
    words = args["people"]
    start = 0
    people: list[Person] = []
    for group in await name_groups(turn.session, words):
        try:
            person = await resolve_person(turn.session, " ".join(group), turn.inbound.actor, turn.now, program)
        except UserError as err:
            raise (with_quotes_hint(err, "invite", words, start) if len(group) == 1 else err) from None
        await invitable(turn.session, person, program)  # a key obeys the rule a name does
        start += len(group)
        people.append(person)
    if args["confirm"] != "yes":  # a mentor invited as an adept, an adept in two programs at once: ask first
        conflicts = [c for p in people for c in await role_conflicts(turn.session, p, program, Role.ADEPT.value)]
        if conflicts:
            return [_ask_first(turn, conflicts, [p.name for p in people], program, nominating=False)]
    for person in people:
        existing = await enrollment_of(turn.session, program, pk(person))  # one per person and program
        if existing is not None and existing.status not in role_change.OVER:
            already.append(person.name)
            continue
        if existing is not None and existing.role != Role.ADEPT:
            role_change.retake(existing, Role.ADEPT.value, turn.now)
        enrollment = existing or Enrollment(
            program_id=pk(program), person_id=pk(person), role=Role.ADEPT, created_at=turn.now
        )
        enrollment.status = EnrollmentStatus.INVITED
        enrollment.updated_at = turn.now
        turn.session.add(enrollment)
        await turn.session.flush()
        reached = await turn.tell(
            pk(person),
            "commands/invitation",
            program=program,
            card=partial(invitation_card, enrollment=enrollment, program=program),
            coordinator=turn.person.name,
        )
        (invited if reached else unreachable).append(person.name)
    return [turn.say("commands/invited", invited=invited, already=already, unreachable=unreachable, program=program)]


@command(
    "nominate",
    role=NOMINATOR,
    params=(Param("person", "person"), Param("reason", free=True, required=False), PROGRAM, CONFIRM),
)
async def nominate(turn: Turn, args):
    program = await turn.program(args["program"])
    await _may_nominate(turn, program)
    # A name typed without quotes may go on into the reason (`nominate Anna Berg`).
    typed = str(args["reason"] or "")
    words = [str(args["person"]), *typed.split()]
    name = (await name_groups(turn.session, words[:MAX_NAME_WORDS]))[0]
    try:  # only a coordinator is shown who else has the name
        person = await resolve_person(
            turn.session, " ".join(name), turn.inbound.actor, turn.now, program, candidates=await turn.coordinates()
        )
    except UserError as err:
        raise (with_quotes_hint(err, "nominate", words, 0) if len(name) == 1 else err) from None
    rest = typed.split(maxsplit=len(name) - 1)  # the reason: what follows the name, as typed
    reason = rest[-1] if len(rest) == len(name) else ""
    if person.id == turn.person.id:
        raise UserError("errors/self_nomination")
    kept_reason = capped(reason, MAX_ANSWER, "reason") if reason else None  # checked whoever the nominee is
    # Only a coordinator learns whether, and how, the nominee already takes part.
    coordinator = await turn.coordinates()
    existing = await enrollment_of(turn.session, program, pk(person))  # one per person and program
    if existing is not None and existing.status not in role_change.OVER:
        if not coordinator:  # the same answer as a new nomination; nothing changes, nobody is told
            await turn.audit("nominate", program=program, nominee=person.name, taking_part=existing.role)
            if existing.role == Role.MENTOR and existing.status == EnrollmentStatus.ACTIVE:  # no secret: paired openly
                return [turn.say("commands/nominated_already_mentor", name=person.name, program=program)]
            return [turn.say("commands/nominated", name=person.name, program=program, reason=reason, neutral=True)]
        if existing.role == Role.MENTOR:
            raise UserError("errors/already_mentor", name=person.name, program=program, status=existing.status)
        raise UserError("errors/already_adept", name=person.name, program=program, status=existing.status)
    if coordinator and args["confirm"] != "yes":  # an adept of another program, too few years: ask first
        await invitable(turn.session, person, program)  # a key obeys the rule a name does
        if conflicts := await role_conflicts(turn.session, person, program, Role.MENTOR.value):
            return [_ask_first(turn, conflicts, [person.name], program, nominating=True)]
    if existing is not None and existing.role != Role.MENTOR:
        role_change.retake(existing, Role.MENTOR.value, turn.now)
    enrollment = existing or Enrollment(
        program_id=pk(program), person_id=pk(person), role=Role.MENTOR, created_at=turn.now
    )
    enrollment.status = EnrollmentStatus.INVITED
    enrollment.nominated_by = turn.person.id
    enrollment.nomination_reason = kept_reason
    enrollment.updated_at = turn.now
    turn.session.add(enrollment)
    await turn.session.flush()
    reached = await turn.tell(
        pk(person),
        "commands/nomination",
        program=program,
        card=lambda render: nomination_card(render, enrollment, program, turn.person),
        nominator=turn.person.name,
    )
    await turn.audit("nominate", program=program, nominee=person.name)
    return [
        turn.say(
            "commands/nominated",
            name=person.name,
            program=program,
            reached=reached,
            reason=reason,
            neutral=not coordinator,
        )
    ]


def _ask_first(turn: Turn, conflicts, names: list[str], program: Program, *, nominating: bool):
    """The conflicts, and Yes/No: Yes runs the line again with `confirm=yes`."""
    template = "commands/role_conflict_confirm"
    return ask(turn, template, conflicts=conflicts, names=names, program=program, nominating=nominating)


NOMINATIONS_PER_DAY = 5  # by anyone but a coordinator


async def _may_nominate(turn: Turn, program: Program) -> None:
    """Only the people the program allows (`program set nominators=`), and
    at most NOMINATIONS_PER_DAY a day each, may nominate."""
    if await turn.coordinates():
        return
    if program.nominators == "coordinators":
        raise UserError("errors/nominators_only_coordinators", program=program)
    if program.nominators == "participants":
        mine = await enrollment_of(turn.session, program, pk(turn.person))
        if mine is None or mine.status not in (EnrollmentStatus.ACTIVE, EnrollmentStatus.PENDING):
            raise UserError("errors/nominators_only_participants", program=program)
    since = turn.now - timedelta(days=1)
    today = (
        await turn.session.exec(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.actor == turn.actor_key, AuditLog.action == "nominate", AuditLog.at >= since)
        )
    ).one()
    if today >= NOMINATIONS_PER_DAY:
        raise UserError("errors/nomination_cap", limit=NOMINATIONS_PER_DAY)


async def coordinator_key(turn: Turn, ref: str) -> str:
    """The coordinator entry `ref` names: a mention's or an identity key's
    account, an e-mail address, or the name of someone who has written to
    the bot, as other commands read a name (`resolve_person`): then a key of
    theirs, the one already an entry if any (so `remove` finds it), else
    the account that wrote first. A name no one has is answered with every
    form that is accepted."""
    ref = ref.strip()
    if m := _MENTION.match(ref):
        return f"slack:{turn.inbound.actor.tenant}:{m.group(1)}"
    if _KEY.match(ref) or re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", ref):
        return ref
    if not ref or "@" in ref or ":" in ref:  # a broken address or key, not a name
        raise UserError("errors/bad_coordinator_key", ref=ref)
    try:
        person = await resolve_person(turn.session, ref, turn.inbound.actor, turn.now)
    except UserError as err:
        if err.template == "errors/unknown_person":
            raise UserError("errors/bad_coordinator_key", ref=ref) from None
        raise
    keys = await identity_keys(turn.session, pk(person))
    for key in keys:
        if _configured(turn, key) or (await turn.session.exec(select(Coordinator).where(_same_key(key)))).first():
            return key
    return keys[0]


def _same_key(key: str):
    """SQL: a stored coordinator key that is `key` (an e-mail in any case)."""
    return email_is(Coordinator.key, key) if is_email(key) else Coordinator.key == key


def _configured(turn: Turn, key: str) -> bool:
    """`key` is in `bot.coordinators` (an e-mail in any case)."""
    if is_email(key):
        return key.lower() in {k.lower() for k in turn.core.config.bot.coordinators if is_email(k)}
    return key in turn.core.config.bot.coordinators


async def _whose(turn: Turn, key: str) -> Person | None:
    """The person a coordinator entry is for: an identity key's, or for an
    e-mail address the account that claimed it, else the one person the
    address is known for (who would claim it when they write)."""
    if is_email(key):
        claim = Coordinator.added_by == EMAIL_CLAIM + key.strip().lower()
        claimed = (await turn.session.exec(select(Coordinator.key).where(claim))).first()
        if claimed is None:
            people = (await turn.session.exec(select(Person).where(email_is(Person.email, key)))).all()
            return people[0] if len(people) == 1 else None
        key = claimed
    identity = await identity_of(turn.session, *key.split(":", 2)) if _KEY.match(key) else None
    return await turn.session.get(Person, identity.person_id) if identity is not None else None


async def _called(turn: Turn, person: Person | None) -> tuple[str | None, bool]:
    """How a reply names a coordinator entry (`commands/coordinator_who`):
    the person's name, and whether someone else has it too (then the key is
    shown with it); no name when the bot knows no one behind the entry (then
    the key or address is shown)."""
    if person is None:
        return None, False
    return person.name, len(await people_called(turn.session, person.name)) > 1


@command("coordinator", "add", role=COORDINATOR, params=(Param("who", "person"),))
async def coordinator_add(turn: Turn, args):
    key = await coordinator_key(turn, str(args["who"]))
    person = await _whose(turn, key)
    if _configured(turn, key) or (await turn.session.exec(select(Coordinator).where(_same_key(key)))).first():
        called, shared = await _called(turn, person)
        return [turn.say("commands/coordinator_already", key=key, called=called, shared=shared)]
    turn.session.add(Coordinator(key=key, added_by=turn.actor_key, created_at=turn.now))
    told = person is not None and await turn.tell(pk(person), "commands/coordinator_you_added", by=turn.person.name)
    called, shared = await _called(turn, person)
    programs = await _taking_part(turn, key)
    return [turn.say("commands/coordinator_added", key=key, called=called, shared=shared, programs=programs, told=told)]


TAKING_PART = (EnrollmentStatus.ONBOARDING, EnrollmentStatus.PENDING, EnrollmentStatus.ACTIVE)


async def _taking_part(turn: Turn, key: str) -> list[str]:
    """The running programs where the person behind a coordinator key takes
    part (in the intake or after it): as a coordinator they can read the
    other participants' answers there, which `coordinator add` says."""
    if is_email(key):
        people = [pk(p) for p in (await turn.session.exec(select(Person).where(email_is(Person.email, key)))).all()]
    else:
        identity = await identity_of(turn.session, *key.split(":", 2)) if _KEY.match(key) else None
        people = [identity.person_id] if identity is not None else []
    return [
        program.name
        for person_id in people
        for enrollment, program in await my_enrollments(turn.session, person_id)
        if enrollment.status in TAKING_PART and not is_over(program)
    ]


@command("coordinator", "remove", role=COORDINATOR, params=(Param("who", "person"),))
async def coordinator_remove(turn: Turn, args):
    key = await coordinator_key(turn, str(args["who"]))
    person = await _whose(turn, key)
    called, shared = await _called(turn, person)
    if _configured(turn, key):
        raise UserError("errors/coordinator_in_config", key=key, called=called, shared=shared)
    row = (await turn.session.exec(select(Coordinator).where(_same_key(key)))).first()
    if row is None:
        raise UserError("errors/unknown_coordinator", key=key, called=called, shared=shared)
    doomed = [row, *await _claimed_with(turn, row)]
    if any(r.key == turn.actor_key for r in doomed):
        raise UserError("errors/remove_self_coordinator")
    for gone in doomed:
        await turn.session.delete(gone)
    await turn.session.flush()  # gone before asking whether another entry keeps them a coordinator
    still, told = False, False
    if person is not None:  # told, unless another entry keeps them a coordinator
        still = (await coordinator_rights(turn.session, turn.core.config, person)).source is not None
        told = not still and await turn.tell(pk(person), "commands/coordinator_you_removed", by=turn.person.name)
    return [turn.say("commands/coordinator_removed", key=key, called=called, shared=shared, told=told, still=still)]


async def _claimed_with(turn: Turn, row: Coordinator) -> list[Coordinator]:
    """What goes with a removed entry: for an e-mail address, the account
    keys it made coordinators (`EMAIL_CLAIM`), which would keep their rights;
    for an account key claimed from an address, that address, which would
    claim the account again at its next message (refused when the address
    is in `bot.coordinators`, which no command changes)."""
    if is_email(row.key):
        claim = Coordinator.added_by == EMAIL_CLAIM + row.key.strip().lower()
        return list((await turn.session.exec(select(Coordinator).where(claim))).all())
    added_by = row.added_by or ""
    if not added_by.startswith(EMAIL_CLAIM):
        return []
    email = added_by[len(EMAIL_CLAIM) :]
    if _configured(turn, email):
        raise UserError("errors/coordinator_in_config", key=email, called=None, shared=False)  # the address
    return list((await turn.session.exec(select(Coordinator).where(_same_key(email)))).all())


@dataclass(frozen=True)
class Listed:
    """A coordinator as `coordinator list` shows them: by name, never by key."""

    name: str | None  # the person's name, when the bot knows whose the entry is
    platform: str | None  # slack, teams or console; None for an e-mail address no account has claimed
    email: str | None = None  # that address


async def _listed(turn: Turn, key: str) -> Listed:
    """Whose a coordinator entry is: an identity key's person, or the person
    whose account claimed an e-mail entry (see `bot.coordinators.is_coordinator`)."""
    if is_email(key):
        claim = EMAIL_CLAIM + key.lower()
        claimed = (await turn.session.exec(select(Coordinator.key).where(Coordinator.added_by == claim))).first()
        if claimed is None:
            return Listed(None, None, key)
        key = claimed
    if not _KEY.match(key):  # a configured entry that names no account
        return Listed(None, None)
    platform, tenant, user_id = key.split(":", 2)
    identity = await identity_of(turn.session, platform, tenant, user_id)
    person = await turn.session.get(Person, identity.person_id) if identity else None
    return Listed(person.name if person else None, platform)


def _by_name(entries: list[Listed]) -> list[Listed]:
    return sorted(entries, key=lambda e: (e.name is None, (e.name or e.email or "").lower(), e.platform or ""))


@command("coordinator", "list", role=COORDINATOR)
async def coordinator_list(turn: Turn, args):
    configured = turn.core.config.bot.coordinators
    rows = (await turn.session.exec(select(Coordinator).order_by(Coordinator.key))).all()
    # An account that claimed an e-mail entry is shown as that entry while the
    # entry is there, and an entry of the configuration only there.
    emails = {EMAIL_CLAIM + k.lower() for k in [*configured, *(r.key for r in rows)] if is_email(k)}
    added = [r.key for r in rows if r.added_by not in emails and not _configured(turn, r.key)]
    return [
        turn.say(
            "commands/coordinator_list",
            configured=_by_name([await _listed(turn, k) for k in configured]),
            added=_by_name([await _listed(turn, k) for k in added]),
        )
    ]
