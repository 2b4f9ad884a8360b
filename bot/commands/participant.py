"""What every participant can do: help, status, language, pause, resume,
leave, and see or delete their own data."""

from __future__ import annotations

from datetime import date

from sqlmodel import delete, select

from bot.commands.registry import COMMANDS, COORDINATOR, NOMINATOR, PARTICIPANT, Param, action, command, parse_date
from bot.errors import UserError
from bot.messages import Button, Buttons, Card, Outbound, Text
from bot.programs import live_pairings, my_enrollments, next_event
from bot.store.models import (
    DialogState,
    Enrollment,
    EnrollmentStatus,
    Identity,
    Meeting,
    Organisation,
    PairStatus,
    Person,
    Program,
    Reminder,
)
from bot.turn import Turn


def visible_roles(turn: Turn) -> tuple[str, ...]:
    roles = [PARTICIPANT, NOMINATOR]
    if turn.is_coordinator:
        roles.append(COORDINATOR)
    return tuple(roles)


@command("help", params=(Param("topic", rest=True, required=False),))
async def help_(turn: Turn, args):
    roles = visible_roles(turn)
    shown = sorted((c for c in COMMANDS.values() if c.role in roles), key=lambda c: c.name)
    if args["topic"]:
        words = tuple(str(args["topic"]).lower().split())
        shown = [c for c in shown if c.words[: len(words)] == words]
        if not shown:
            raise UserError("errors/unknown_command", typed=args["topic"], suggestion=None, subcommands=[])
    sections = []
    for role in roles:
        lines = [(c, turn.render(c.help_template)) for c in shown if c.role == role]
        if lines:
            sections.append((role, lines))
    return [turn.say("commands/help", sections=sections, ephemeral=True,
                     platform=str(turn.inbound.actor.platform), slash=turn.core.config.slack.command)]


async def _pair_view(turn: Turn, enrollment: Enrollment) -> list[dict]:
    views = []
    for pairing in await live_pairings(turn.session, enrollment):
        other_id = pairing.mentor_id if pairing.adept_id == enrollment.id else pairing.adept_id
        other = await turn.session.get(Enrollment, other_id)
        person = await turn.session.get(Person, other.person_id)
        org = await turn.session.get(Organisation, person.organisation_id) if person.organisation_id else None
        last = (await turn.session.exec(
            select(Meeting).where(Meeting.pairing_id == pairing.id).order_by(Meeting.held_on.desc())
        )).first()
        views.append({"name": person.name, "organisation": org.name if org else None, "role": other.role,
                      "last_meeting": last.held_on if last else None})
    return views


@command("status")
async def status(turn: Turn, args):
    rows = []
    for enrollment, program in await my_enrollments(turn.session, turn.person.id):
        rows.append({
            "program": program,
            "enrollment": enrollment,
            "pairs": await _pair_view(turn, enrollment),
            "next_event": await next_event(turn.session, program, turn.now, enrollment.role),
        })
    return [turn.say("commands/status", rows=rows, ephemeral=True)]


@command("language", params=(Param("language", "choice", choices=("sv", "en")),))
async def language(turn: Turn, args):
    turn.person.locale = args["language"]
    turn.session.add(turn.person)
    turn.locale = args["language"]
    return [turn.say("commands/language_set")]


async def _active(turn: Turn) -> list[tuple[Enrollment, Program]]:
    rows = [(e, p) for e, p in await my_enrollments(turn.session, turn.person.id)
            if e.status not in (EnrollmentStatus.LEFT, EnrollmentStatus.DECLINED) and p.status == "active"]
    if not rows:
        raise UserError("errors/not_enrolled")
    return rows


@command("pause", params=(Param("until", rest=True, required=False),))
async def pause(turn: Turn, args):
    text = str(args["until"] or "").strip()
    for word in ("until", "till", "until=", "till="):
        if text.lower().startswith(word):
            text = text[len(word):].lstrip(" =")
    rows = await _active(turn)
    today = turn.now.date()
    until = parse_date(text, "until") if text else max(p.end for _, p in rows)
    if until <= today:
        raise UserError("errors/pause_in_past", until=until)
    for enrollment, _ in rows:
        enrollment.paused_until = until
        enrollment.updated_at = turn.now
        turn.session.add(enrollment)
    await _replan_pairs(turn, [e for e, _ in rows])
    return [turn.say("commands/paused", until=until, indefinite=not text)]


@command("resume")
async def resume(turn: Turn, args):
    rows = await _active(turn)
    if not any(e.paused_until for e, _ in rows):
        return [turn.say("commands/not_paused")]
    for enrollment, _ in rows:
        enrollment.paused_until = None
        enrollment.updated_at = turn.now
        turn.session.add(enrollment)
    await _replan_pairs(turn, [e for e, _ in rows])
    return [turn.say("commands/resumed")]


async def _replan_pairs(turn: Turn, enrollments: list[Enrollment]) -> None:
    from bot import plan

    await turn.session.flush()
    for enrollment in enrollments:
        for pairing in await live_pairings(turn.session, enrollment):
            await plan.pair_changed(turn, pairing)


def _confirm(turn: Turn, template: str, prefix: str, value: str, **ctx) -> Outbound:
    question = turn.render(template, **ctx)
    card = Card((Text(question), Buttons((
        Button(f"{prefix}.confirm", turn.render("commands/button_yes"), value, "danger"),
        Button(f"{prefix}.cancel", turn.render("commands/button_no"), value),
    ))))
    return Outbound(text=question, card=card, kind=template, locale=turn.locale)


@command("leave", params=(Param("program", required=False),))
async def leave(turn: Turn, args):
    rows = await _active(turn)
    if args["program"]:
        wanted = await turn.program(args["program"])
        rows = [(e, p) for e, p in rows if p.id == wanted.id] or []
        if not rows:
            raise UserError("errors/not_enrolled")
    program = rows[0][1]
    return [_confirm(turn, "commands/leave_confirm", "leave", str(program.id), program=program)]


def _answered(turn: Turn, template: str, **ctx) -> list[Outbound]:
    """Reply, replacing the clicked card so its buttons cannot be used again."""
    return [Outbound(text=turn.render(template, **ctx), replace=turn.inbound.message, kind=template)]


@action("leave.")
async def leave_answer(turn: Turn):
    if turn.inbound.action_id != "leave.confirm":
        return _answered(turn, "commands/leave_kept")
    program = await turn.session.get(Program, int(turn.inbound.value or 0))
    if program is None:
        raise UserError("errors/stale_action")
    rows = [(e, p) for e, p in await my_enrollments(turn.session, turn.person.id) if p.id == program.id]
    for enrollment, _ in rows:
        if enrollment.status == EnrollmentStatus.LEFT:
            continue
        enrollment.status = EnrollmentStatus.LEFT
        enrollment.updated_at = turn.now
        turn.session.add(enrollment)
        for pairing in await live_pairings(turn.session, enrollment):
            pairing.status = PairStatus.ENDED
            pairing.ended_at = turn.now
            pairing.end_reason = "left"
            turn.session.add(pairing)
            await turn.session.flush()
            from bot import plan

            await plan.pair_changed(turn, pairing)
    from bot.people import coordinator_people

    for coordinator in await coordinator_people(turn.session, turn.core.config):
        await turn.tell(coordinator.id, "commands/coordinator_left_notice", program=program, name=turn.person.name)
    await turn.audit("leave", program=program)
    return _answered(turn, "commands/left", program=program)


@command("mydata")
async def mydata(turn: Turn, args):
    rows = await my_enrollments(turn.session, turn.person.id)
    idents = (await turn.session.exec(select(Identity).where(Identity.person_id == turn.person.id))).all()
    return [turn.say("commands/mydata", person=turn.person, identities=idents, rows=rows, ephemeral=True)]


@command("forget")
async def forget(turn: Turn, args):
    return [_confirm(turn, "commands/forget_confirm", "forget", str(turn.person.id))]


@action("forget.")
async def forget_answer(turn: Turn):
    if turn.inbound.action_id != "forget.confirm" or turn.inbound.value != str(turn.person.id):
        return _answered(turn, "commands/forget_kept")
    s = turn.session
    mine = [e for e, _ in await my_enrollments(s, turn.person.id)]
    for enrollment in mine:
        for pairing in await live_pairings(s, enrollment):
            pairing.status, pairing.ended_at, pairing.end_reason = PairStatus.ENDED, turn.now, "forgotten"
            s.add(pairing)
        enrollment.answers = {}
        enrollment.consent_at = None
        enrollment.status = EnrollmentStatus.LEFT
        enrollment.nomination_reason = None
        s.add(enrollment)
    await s.exec(delete(DialogState).where(DialogState.person_id == turn.person.id))
    # Messages the console kept for them (adapters/console.py) go too.
    await s.exec(delete(Reminder).where(Reminder.person_id == turn.person.id, Reminder.key.startswith("console:")))
    turn.person.name = turn.render("commands/forgotten_name")
    turn.person.email = None
    turn.person.timezone = None
    turn.person.platform_locale = None
    s.add(turn.person)
    await turn.audit("forget", person=turn.person.id)
    # The identity goes last: the next message from this account starts afresh.
    await s.delete(turn.identity)
    return _answered(turn, "commands/forgotten")


def is_paused(enrollment: Enrollment, today: date) -> bool:
    return enrollment.paused_until is not None and enrollment.paused_until > today
