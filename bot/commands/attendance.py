"""Events in people's calendars, and who is coming.

rsvp.yes / rsvp.no      the "I'm coming / I can't come" buttons on event
                        reminders and, for a coordinator who takes part in
                        a running program, `program show` (the last answer counts);
                        "coming" comes with the event's .ics file
event who N             the coordinator: counts and names for event N
calendar                the program's .ics and the person's own feed URL
                        (for an Outlook subscription; only where
                        `server.link_secret` is set)
calendar revoke         the feed URL stops working; `calendar` makes a new one
"""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import col, select

from bot.commands.events import event_program
from bot.commands.registry import (
    COORDINATOR,
    PROGRAM,
    Param,
    action,
    command,
)
from bot.errors import UserError, stale_button
from bot.inputs import parse_int
from bot.lifecycle import RUNNING, is_over
from bot.links import feed_url, new_token
from bot.markup import Trusted
from bot.messages import Attachment
from bot.programs import audience_includes, event_by_id, my_enrollments
from bot.store.models import GONE, CalendarFeed, Enrollment, EventRsvp, Person, Program, ProgramEvent
from bot.store.rows import fetch, pk
from bot.turn import Turn


async def answers(session, event_id: int) -> tuple[list[str], list[str]]:
    """Names of who is coming and who is not, by name."""
    rows = (
        await session.exec(
            select(EventRsvp, Person)
            .join(Person, col(Person.id) == col(EventRsvp.person_id))
            .where(EventRsvp.event_id == event_id)
            .order_by(Person.name)
        )
    ).all()
    return [p.name for r, p in rows if r.coming], [p.name for r, p in rows if not r.coming]


def ics_file(turn: Turn, program: Program, events: list[ProgramEvent], name: str) -> Attachment:
    from bot.reports.calendar import ICS, to_ics

    return Attachment(
        name, ICS, to_ics(program, events, turn.render, turn.now), turn.render("events/ics_title", program=program)
    )


async def _invited(turn: Turn, event: ProgramEvent) -> bool:
    """Whether the presser is one of the event's audience: taking part in its
    program in a role it is for, or coordinating. The same buttons are on the
    channel post, so anyone there may press them; the coordinator's list of
    who is coming only takes the program's own people."""
    if await turn.coordinates():
        return True
    roles = await roles_in(turn, event.program_id)
    return any(audience_includes(event.audience, role) for role in roles)


async def roles_in(turn: Turn, program_id: int | None) -> list[str]:
    """The roles the person of the turn takes part in the program in (none
    when they left, declined or never joined): whose events are theirs."""
    return list(
        (
            await turn.session.exec(
                select(Enrollment.role).where(
                    Enrollment.program_id == program_id,
                    Enrollment.person_id == turn.person.id,
                    col(Enrollment.status).not_in(GONE),
                )
            )
        ).all()
    )


@action("rsvp.")
async def rsvp(turn: Turn):
    value = turn.inbound.value or ""
    number = parse_int(value, low=1)
    event = await turn.session.get(ProgramEvent, number) if number is not None else None
    if event is None or event.cancelled or not await _invited(turn, event):
        raise stale_button()
    program = await fetch(turn.session, Program, event.program_id)
    if is_over(program):  # closed or archived since the card came: its events are no one's to attend
        raise stale_button()
    if event.starts_at <= turn.now:
        return [turn.say("events/rsvp_too_late", event=event, tz=program.timezone, ephemeral=True)]
    coming = turn.inbound.action_id == "rsvp.yes"
    row = (
        await turn.session.exec(
            select(EventRsvp).where(EventRsvp.event_id == event.id, EventRsvp.person_id == turn.person.id)
        )
    ).first()
    row = row or EventRsvp(event_id=pk(event), person_id=pk(turn.person), coming=coming, at=turn.now)
    row.coming, row.at = coming, turn.now
    turn.session.add(row)
    reply = turn.say("events/rsvp_noted", event=event, coming=coming, tz=program.timezone, ephemeral=True)
    if coming:
        reply = replace(reply, files=(ics_file(turn, program, [event], f"{program.slug}-event-{event.id}.ics"),))
    return [reply]


@command("event", "who", role=COORDINATOR, params=(Param("id"), PROGRAM))
async def event_who(turn: Turn, args):
    program = await event_program(turn, args)
    event = await event_by_id(turn.session, program, str(args["id"]))
    coming, not_coming = await answers(turn.session, pk(event))
    return [turn.say("events/who", event=event, coming=coming, not_coming=not_coming, tz=program.timezone)]


async def _my_programs(turn: Turn, program: Program | None) -> list[tuple[Program, str | None]]:
    """The programs a `calendar` is about, each with the person's role there:
    the one named, else every running program the person takes part in (a
    coordinator taking part in none: the one they work on)."""
    live = [
        (e, p)
        for e, p in await my_enrollments(turn.session, pk(turn.person))
        if e.status not in GONE and p.status in RUNNING
    ]
    if program is None and not live:
        program = await turn.program(None) if await turn.coordinates() else None
        if program is None:
            raise UserError("errors/not_enrolled")
    if program is not None:
        role = next((e.role for e, p in live if p.id == program.id), None)
        if role is None:
            role = (
                await turn.session.exec(
                    select(Enrollment.role).where(
                        Enrollment.program_id == program.id, Enrollment.person_id == turn.person.id
                    )
                )
            ).first()
        if role is None and not await turn.coordinates():
            raise UserError("errors/not_enrolled")
        return [(program, role)]
    shown: dict[int | None, tuple[Program, str | None]] = {}
    for enrollment, p in live:
        shown.setdefault(p.id, (p, enrollment.role))
    return sorted(shown.values(), key=lambda row: (row[0].start, row[0].id or 0))  # the first to start first


def _feed_link(turn: Turn, program: Program, feeds) -> Trusted | None:
    """The person's feed URL (their open feed, else a new one); none when this
    installation signs no links (`server.link_secret` unset: feeds are off).
    The bot's own URL: trusted, so every renderer keeps it a working link."""
    server = turn.core.config.server
    if not server.signs_links:
        return None
    feed = (
        feeds[0]
        if feeds
        else CalendarFeed(person_id=pk(turn.person), program_id=pk(program), token=new_token(), created_at=turn.now)
    )
    turn.session.add(feed)
    return Trusted(feed_url(server.base_url, server.link_secret, feed.token))


@command("calendar", params=(Param("what", "choice", required=False, choices=("revoke",)), PROGRAM))
async def calendar(turn: Turn, args):
    """Shows every program of the person's (one message each), or the one named."""
    from bot.reports.calendar import CANCELLED_KEPT, events_for, listed

    programs = await _my_programs(turn, args["program"])
    feeds = {
        p.id: list(
            (
                await turn.session.exec(
                    select(CalendarFeed).where(
                        CalendarFeed.person_id == turn.person.id,
                        CalendarFeed.program_id == p.id,
                        col(CalendarFeed.revoked_at).is_(None),
                    )
                )
            ).all()
        )
        for p, _ in programs
    }
    if args["what"] == "revoke":
        revoked = 0
        for program, _ in programs:
            for feed in feeds[program.id]:
                feed.revoked_at = turn.now
                turn.session.add(feed)
                revoked += 1
            await turn.audit("calendar revoked", program=program, feeds=len(feeds[program.id]))
        return [turn.say("events/feed_revoked", count=revoked, ephemeral=True)]
    replies = []
    for program, role in programs:
        # Cancelled events too, for a while: a calendar that imported an earlier file takes them out.
        events = listed(await events_for(turn.session, program, role), turn.now)
        reply = turn.say(
            "events/calendar",
            program=program,
            url=_feed_link(turn, program, feeds[program.id]),
            cancelled=any(e.cancelled for e in events),
            kept=CANCELLED_KEPT.days,
            ephemeral=True,
        )
        replies.append(replace(reply, files=(ics_file(turn, program, events, f"{program.slug}.ics"),)))
    return replies
