"""The home view (Slack's Home tab, a Teams welcome, `home` typed anywhere):
a participant's program, pair and next event; a coordinator's program health."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import select

from bot.lifecycle import RUNNING
from bot.commands.registry import action, command
from bot.markup import mark
from bot.meetings import local_today
from bot.messages import Button, Buttons, Card, Fields, Heading, Outbound, Text
from bot.reminders.digest import stalled_pairs
from bot.programs import live_pairings, my_enrollments, next_event
from bot.store.models import Enrollment, EnrollmentStatus, Pairing, PairStatus, Program, Reminder
from bot.turn import Turn


async def _participant_blocks(turn: Turn) -> list:
    blocks: list = []
    for enrollment, program in await my_enrollments(turn.session, turn.person.id):
        if enrollment.status in (EnrollmentStatus.LEFT, EnrollmentStatus.DECLINED) or program.status not in RUNNING:
            continue
        blocks.append(Heading(mark(program.name)))
        pairs = await live_pairings(turn.session, enrollment)
        event = await next_event(turn.session, program, turn.now, enrollment.role)
        blocks.append(Text(turn.render("home/participant", enrollment=enrollment, pairs=len(pairs),
                                       event=event, tz=program.timezone)))
        buttons = [Button("nudge.met", turn.render("home/button_met"), str(p.id), "primary") for p in pairs[:1]]
        if enrollment.paused_until:
            buttons.append(Button("home.resume", turn.render("home/button_resume"), str(enrollment.id)))
        else:
            buttons.append(Button("home.pause", turn.render("home/button_pause"), str(enrollment.id)))
        blocks.append(Buttons(tuple(buttons)))
    return blocks


async def program_health(turn: Turn, program: Program) -> dict[str, int]:
    s = turn.session
    adepts = (await s.exec(select(func.count()).select_from(Enrollment).where(
        Enrollment.program_id == program.id, Enrollment.role == "adept", Enrollment.status == EnrollmentStatus.ACTIVE))).one()
    pairs = list((await s.exec(select(Pairing).where(
        Pairing.program_id == program.id, Pairing.status == PairStatus.ANNOUNCED))).all())
    stalled = len(await stalled_pairs(s, program, local_today(program, turn.now)))
    waitlist = (await s.exec(select(func.count()).select_from(Enrollment).where(
        Enrollment.program_id == program.id, Enrollment.waitlisted == True))).one()  # noqa: E712
    failed = (await s.exec(select(func.count()).select_from(Reminder).where(
        Reminder.program_id == program.id, Reminder.status == "failed"))).one()
    return {"adepts": adepts, "matched": len(pairs), "waitlist": waitlist, "stalled": stalled, "failed": failed}


@command("home")
async def home(turn: Turn, args):
    blocks = await _participant_blocks(turn)
    if turn.is_coordinator:
        programs = (await turn.session.exec(select(Program).where(Program.status.in_(RUNNING)).order_by(Program.id))).all()
        for program in programs:
            health = await program_health(turn, program)
            blocks.append(Heading(turn.render("home/coordinator_heading", program=program)))
            blocks.append(Fields(tuple((turn.render(f"home/health_{k}"), str(v)) for k, v in health.items())))
    if not blocks:
        blocks.append(Text(turn.render("home/nothing")))
    summary = turn.render("home/summary")
    card = Card((Heading(summary), *blocks))
    return [Outbound(text=summary, card=card, kind="home")]


@action("home.")
async def home_buttons(turn: Turn):
    from bot.commands.participant import pause, resume

    if turn.inbound.action_id == "home.pause":
        return await pause(turn, {"until": None})
    return await resume(turn, {})
