"""The home view (Slack's Home tab, a Teams welcome, `home` typed anywhere):
a participant's program, pair and next event, and what waits for their
answer (an open survey, an event they were asked about) with its buttons
again; a coordinator's program health."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from bot.cockpit import ROWS, Dashboard, dashboard
from bot.commands.registry import action, command
from bot.commands.which import open_to
from bot.errors import stale_button
from bot.lifecycle import RUNNING, ended_on, has_ended
from bot.markup import mark
from bot.meetings import local_today
from bot.messages import Button, Buttons, Card, Fields, Heading, Text
from bot.programs import live_pairings, my_enrollments, next_event, rsvp_buttons
from bot.reminders.events import unanswered_events
from bot.reminders.surveys import open_surveys, start_button
from bot.roster import former_partners, is_paused, pair_partners, waiting_anew
from bot.store.models import GONE, Enrollment, EnrollmentStatus, Pairing, PairStatus, Program, Reminder
from bot.store.rows import pk
from bot.turn import Turn


async def _participant_blocks(turn: Turn) -> list:
    blocks: list = []
    mine = await my_enrollments(turn.session, pk(turn.person))
    surveys = await open_surveys(turn.session, pk(turn.person), turn.now)
    events = await unanswered_events(turn.session, mine, pk(turn.person), turn.now)
    shown: set[int] = set()  # an event is listed once, under the first of the person's blocks of its program
    # As `pause` offers them: an invitation beside a program they take part in gets no Pause button.
    taking_part = any(
        e.status not in (EnrollmentStatus.INVITED, *GONE)
        and p.status in RUNNING
        and not has_ended(p, local_today(p, turn.now))
        for e, p in mine
    )
    for enrollment, program in mine:
        # Closed, or past its end date (as `status` sees it): shown as it ended, to those who took part.
        if has_ended(program, local_today(program, turn.now)):
            if enrollment.status == EnrollmentStatus.ACTIVE:
                # Past its end date though nobody closed it: a pair that ended mid-year is shown too.
                partners = (await pair_partners(turn.session, program, ended=True)).get(pk(enrollment), [])
                blocks.append(Heading(mark(program.name)))
                text = turn.render(
                    "home/participant_over", ended=ended_on(program), role=enrollment.role, partners=partners
                )
                blocks.append(Text(text))
            continue
        if program.status not in RUNNING or enrollment.status == EnrollmentStatus.LEFT:
            continue
        if enrollment.status in GONE:  # said no, or cancelled the intake: that, and the way back
            blocks += [Heading(mark(program.name)), Text(turn.render("home/participant_gone", enrollment=enrollment))]
            continue
        blocks.append(Heading(mark(program.name)))
        pairs = await live_pairings(turn.session, enrollment)
        # Without a running pair, the pairs that ended or were settled this year: theirs, not "no pair yet".
        former = [] if pairs else await former_partners(turn.session, program, enrollment)
        event = await next_event(turn.session, program, turn.now, enrollment.role)
        paused = is_paused(enrollment, local_today(program, turn.now))  # shown while it lasts
        blocks.append(
            Text(
                turn.render(
                    "home/participant",
                    enrollment=enrollment,
                    paused_until=enrollment.paused_until if paused else None,
                    pairs=len(pairs),
                    former=former,
                    waiting=waiting_anew(program, enrollment),
                    event=event,
                    tz=program.timezone,
                )
            )
        )
        buttons = [Button("nudge.met", turn.render("home/button_met"), str(p.id), "primary") for p in pairs[:1]]
        if paused:
            buttons.append(Button("home.resume", turn.render("home/button_resume"), str(enrollment.id)))
        elif enrollment.status != EnrollmentStatus.INVITED or not taking_part:
            buttons.append(Button("home.pause", turn.render("home/button_pause"), str(enrollment.id)))
        blocks.append(Buttons(tuple(buttons)))
        asked = [ev for ev, p in events if p.id == program.id and ev.id not in shown]
        shown.update(pk(ev) for ev in asked)
        blocks += _waiting_blocks(turn, [s for s in surveys if s.enrollment.id == enrollment.id], asked, program)
    return blocks


def _waiting_blocks(turn: Turn, surveys: list, events: list, program: Program) -> list:
    """What waits for the participant's answer in this program, each with the
    buttons its message had: an open survey, an event they were asked about."""
    blocks: list = []
    for survey in surveys:
        blocks.append(Text(turn.render("home/waiting_survey", survey=survey.survey, program=program)))
        blocks.append(start_button(turn.render, survey.survey, pk(survey.enrollment)))
    for event in events:
        blocks.append(Text(turn.render("home/waiting_rsvp", event=event, tz=program.timezone)))
        blocks.append(rsvp_buttons(turn.render, pk(event)))
    return blocks


async def program_health(turn: Turn, program: Program, board: Dashboard) -> dict[str, int]:
    s = turn.session
    adepts = (
        await s.exec(
            select(func.count())
            .select_from(Enrollment)
            .where(
                Enrollment.program_id == program.id,
                Enrollment.role == "adept",
                Enrollment.status == EnrollmentStatus.ACTIVE,
            )
        )
    ).one()
    pairs = list(
        (
            await s.exec(
                select(Pairing).where(Pairing.program_id == program.id, Pairing.status == PairStatus.ANNOUNCED)
            )
        ).all()
    )
    stalled = len(board.stalled)  # the list below counted, not a second computation
    waitlist = (
        await s.exec(
            select(func.count())
            .select_from(Enrollment)
            .where(Enrollment.program_id == program.id, col(Enrollment.waitlisted).is_(True))
        )
    ).one()
    failed = (
        await s.exec(
            select(func.count())
            .select_from(Reminder)
            .where(Reminder.program_id == program.id, Reminder.status == "failed")
        )
    ).one()
    return {"adepts": adepts, "matched": len(pairs), "waitlist": waitlist, "stalled": stalled, "failed": failed}


@command("home")
async def home(turn: Turn, args):
    blocks = await _participant_blocks(turn)
    if await turn.coordinates():
        programs = (
            await turn.session.exec(select(Program).where(col(Program.status).in_(RUNNING)).order_by(col(Program.id)))
        ).all()
        for program in programs:
            board = await dashboard(turn.session, program, turn.now)
            health = await program_health(turn, program, board)
            blocks.append(Heading(turn.render("home/coordinator_heading", program=program)))
            blocks.append(Fields(tuple((turn.render(f"home/health_{k}"), str(v)) for k, v in health.items())))
            blocks.extend(await cockpit_blocks(turn, program, board))
        if not programs:  # a closed program's next cohort is a draft: say so, and how to open it
            none = await turn.no_program()
            blocks.append(Text(turn.render(none.template, **none.context)))
    if not blocks:  # `join` only where there is something open to them to join
        blocks.append(Text(turn.render("home/nothing", can_join=bool(await open_to(turn, {})))))
    summary = turn.render("home/summary")
    card = Card((Heading(summary), *blocks))
    return [turn.reply(summary, card=card, kind="home")]


async def cockpit_blocks(turn: Turn, program: Program, board: Dashboard) -> list:
    """The lists behind the numbers, each row with the buttons that act on it."""
    blocks: list = []

    def section(name: str, rows: list, line, buttons) -> None:
        if not rows:
            return
        blocks.append(Text(turn.render(f"home/list_{name}", count=len(rows))))
        for row in rows[:ROWS]:
            blocks.append(Text(line(row)))
            blocks.append(Buttons(tuple(buttons(row))))
        if len(rows) > ROWS:
            blocks.append(Text(turn.render("home/list_more", count=len(rows) - ROWS, name=name)))

    section(
        "stalled",
        board.stalled,
        lambda r: turn.render("home/row_stalled", row=r, tz=program.timezone),
        lambda r: [Button("cockpit.remind", turn.render("home/button_remind"), str(r.pairing_id))],
    )
    section(
        "pending",
        board.pending,
        lambda r: turn.render("home/row_person", row=r),
        lambda r: [
            Button("cockpit.approve", turn.render("home/button_approve"), str(r.enrollment_id), "primary"),
            Button("cockpit.show", turn.render("home/button_show"), str(r.enrollment_id)),
        ],
    )
    section(
        "waitlist",
        board.waitlist,
        lambda r: turn.render("home/row_person", row=r),
        lambda r: [Button("cockpit.show", turn.render("home/button_show"), str(r.enrollment_id))],
    )
    section(
        "undelivered",
        board.undelivered,
        lambda r: turn.render("home/row_undelivered", row=r),
        lambda r: [Button("cockpit.retry", turn.render("home/button_retry"), str(r.reminder_id))],
    )
    if board.event is not None:
        blocks.append(
            Text(
                turn.render(
                    "events/rsvp_counts",
                    event=board.event,
                    coming=board.coming,
                    not_coming=board.not_coming,
                    tz=program.timezone,
                )
            )
        )
        blocks.append(Buttons((Button("cockpit.who", turn.render("home/button_who"), str(board.event.id)),)))
    return blocks


@action("home.")
async def home_buttons(turn: Turn):
    from bot.commands.participant import pause, resume

    mine = {
        str(pk(e)): p
        for e, p in await my_enrollments(turn.session, pk(turn.person))
        if e.status not in GONE and p.status in RUNNING
    }
    program = mine.get(turn.inbound.value or "")
    if program is None:  # the card was someone else's, or its program is over
        raise stale_button()
    if turn.inbound.action_id == "home.pause":  # the program whose block the button is in
        return await pause(turn, {"until": None, "program": program})
    return await resume(turn, {"program": program})
