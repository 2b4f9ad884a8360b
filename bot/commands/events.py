"""Coordinator commands for a program's calendar of events.

event add KIND DATE [TIME] [place=] [audience=] [title=]
event edit N [date=] [time=] [place=] [audience=] [title=]
event remove N       asks first (the event, its date, how many are told)
event restore N      undo `event remove`

Whoever may be on their way is told when an event is added, moves (a new
date or time), changes place, is removed or comes back: its audience, except
those who said they cannot come, and everyone who said they are coming
(`bot.reminders.events.told_of_changes`), each in their own language, with
the event's calendar file: the same UID with a higher SEQUENCE, or a
cancellation (METHOD:CANCEL, STATUS:CANCELLED), and, unless it is cancelled,
the "I'm coming / I can't come" buttons. The program channel, where the
reminders are posted, is told too. The coordinator's reply says how many
were told and, for a change or a removal, the command that undoes it.

A new audience tells those it leaves out, of those who heard of the event,
that it is no longer for them, with a file that takes it out of their
calendar (the same UID, a higher SEQUENCE, METHOD:CANCEL), and invites those
it takes in, as `event add` does (`bot.reminders.events.audience_moved`).
A new title alone tells nobody: the time and place people planned for still
hold, and the reminders and calendar files from then on carry the new title
(its SEQUENCE rises, so a calendar that fetches the feed takes it).

Event numbers run across programs, so with several programs running and
none named, the number decides the program (`event_program`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlmodel import col, select

from bot import plan
from bot.addresses import program_channel
from bot.commands.confirm import CONFIRM, ask
from bot.commands.registry import COORDINATOR, PROGRAM, Param, command
from bot.errors import UserError, stale_button
from bot.inputs import parse_int
from bot.lifecycle import RUNNING
from bot.meetings import local_today
from bot.messages import Attachment, Card, Outbound
from bot.programs import (
    AUDIENCES,
    DEFAULT_AUDIENCE,
    EVENT_KINDS,
    ambiguous,
    event_by_id,
    events,
    local_moment,
    rsvp_buttons,
    utc_offset,
    zone,
)
from bot.reminders.events import audience_moved, told_of_changes
from bot.store.models import Program, ProgramEvent
from bot.store.rows import pk
from bot.turn import Turn


@command(
    "event",
    "add",
    role=COORDINATOR,
    params=(
        Param("kind", "choice", choices=EVENT_KINDS),
        Param("date", "date"),
        Param("time", "time", required=False),
        Param("place", named=True, required=False),
        Param("audience", "choice", named=True, required=False, choices=AUDIENCES),
        Param("title", named=True, required=False),
        CONFIRM,
        PROGRAM,
    ),
)
async def event_add(turn: Turn, args):
    program = await turn.program(args["program"])
    if args["kind"] == "custom" and not args["title"]:
        raise UserError("errors/custom_needs_title")
    starts_at = local_moment(program, args["date"], args["time"])  # a time the clocks skip is refused first
    if doubt := await _event_doubt(turn, program, args["kind"], args["date"], args["confirm"]):
        return [doubt]
    event = ProgramEvent(
        program_id=pk(program),
        kind=args["kind"],
        title=args["title"],
        starts_at=starts_at,
        place=args["place"],
        audience=args["audience"] or DEFAULT_AUDIENCE.get(args["kind"], "all"),
    )
    turn.session.add(event)
    await turn.session.flush()
    await plan.event_changed(turn, event)
    told, channel = await _tell(turn, program, event, "events/added")  # the date was checked: it is to come
    return [
        turn.say(
            "commands/event_added",
            event=event,
            program=program,
            tz=program.timezone,
            twice=_twice(starts_at),
            told=told,
            channel=channel,
        )
    ]


@command(
    "event",
    "edit",
    role=COORDINATOR,
    params=(
        Param("id"),
        Param("date", "date", named=True, required=False),
        Param("time", "time", named=True, required=False),
        Param("place", named=True, required=False),
        Param("audience", "choice", named=True, required=False, choices=AUDIENCES),
        Param("title", named=True, required=False),
        CONFIRM,
        PROGRAM,
    ),
)
async def event_edit(turn: Turn, args):
    program = await event_program(turn, args)
    event = await event_by_id(turn.session, program, str(args["id"]))
    changes = {k: args[k] for k in ("date", "time", "place", "audience", "title") if args[k] is not None}
    if not changes:
        raise UserError(
            "errors/nothing_to_change",
            command="event edit",
            example={"date": None, "time": None, "place": None, "audience": None, "title": None},
        )
    local = event.starts_at.astimezone(zone(program.timezone))
    before, old_place, old_title, old_audience = event.starts_at, event.place, event.title, event.audience
    regrouped = changes.get("audience", old_audience) != old_audience
    heard = await told_of_changes(turn.session, event) if regrouped else []  # before anything changes
    twice = None
    if "date" in changes or "time" in changes:
        day = changes.get("date", local.date())
        starts_at = local_moment(program, day, changes.get("time", local.time()))
        if doubt := await _event_doubt(turn, program, event.kind, day, args["confirm"], event.id):
            return [doubt]
        event.starts_at = starts_at
        twice = _twice(starts_at)
    for key in ("place", "audience", "title"):
        if key in changes:
            setattr(event, key, changes[key])
    moved = event.starts_at != before
    new_place = (event.place or None) != (old_place or None)
    if moved or new_place or regrouped or (event.title or None) != (old_title or None):
        event.revision = (event.revision or 0) + 1  # the calendar files' SEQUENCE
    turn.session.add(event)
    await turn.session.flush()
    await plan.event_changed(turn, event)
    told = channel = dropped = invited = None
    newcomers: list[int] = []
    if regrouped and event.starts_at > turn.now:
        gone, newcomers = await audience_moved(turn.session, event, old_audience, heard)
        dropped, _ = await _tell(turn, program, event, "events/not_for_you", people=gone, cancel=True)
        invited, _ = await _tell(turn, program, event, "events/added", people=newcomers)
    if (moved or new_place) and max(before, event.starts_at) > turn.now:
        told, channel = await _tell(
            turn,
            program,
            event,
            "events/changed",
            skip=newcomers,  # invited above, at the new time and place
            moved=moved,
            before=before,
            place_changed=new_place,
            old_place=old_place,
        )
    undo = (
        _undo(program, event, before, old_place, moved, new_place) if told is not None and before > turn.now else None
    )
    return [
        turn.say(
            "commands/event_edited",
            event=event,
            program=program,
            tz=program.timezone,
            told=told,
            channel=channel,
            undo=undo,
            old_place=old_place if undo and new_place else None,
            quiet=not (moved or new_place) and dropped is None,
            dropped=dropped,
            invited=invited,
            twice=twice,
        )
    ]


async def event_program(turn: Turn, args) -> Program:
    """The program a command about event number `id` works on: the one named
    (`program=`); else the event's own, since event numbers run across
    programs, so a number names its event whichever program is chosen
    (`program use`) or running (the reply names the program). A number no
    event has is refused as such, saying where the numbers are."""
    if args["program"] is not None:
        return await turn.program(args["program"])
    number = parse_int(str(args["id"]), low=1)
    event = await turn.session.get(ProgramEvent, number) if number is not None else None
    owner = await turn.session.get(Program, event.program_id) if event is not None else None
    if owner is not None:
        return await turn.program(owner)
    running = select(Program.slug).where(col(Program.status).in_(RUNNING)).order_by(col(Program.id))
    live = list((await turn.session.exec(running)).all())
    if len(live) > 1:  # no event has the number in any of them
        raise UserError("errors/no_such_event", ref=str(args["id"]), known=live)
    return await turn.program(None)  # the one program's lookup refuses the number


def _twice(starts_at: datetime) -> str | None:
    """For a time the clocks show twice (02:30 the night summer time ends),
    the UTC offset of the one taken (the first), so the reply can say so."""
    return utc_offset(starts_at) if ambiguous(starts_at) else None


def _undo(
    program: Program, event: ProgramEvent, before: datetime, old_place: str | None, moved: bool, new_place: bool
) -> dict | None:
    """The `event edit` values that put the event back (for `example`);
    a place is added by the template, as the person typed it."""
    values: dict = {"id": str(event.id)}
    if moved:
        local = before.astimezone(zone(program.timezone))
        values["date"], values["time"] = local.date().isoformat(), local.strftime("%H:%M")
    if len(values) == 1 and not (new_place and old_place):
        return None  # a place added where there was none cannot be typed away
    return values


async def _tell(
    turn: Turn,
    program: Program,
    event: ProgramEvent,
    template: str,
    /,
    *,
    people: list[int] | None = None,
    skip: Collection[int] = (),
    cancel: bool | None = None,
    **ctx,
) -> tuple[int, bool]:
    """Tell the event's people (`told_of_changes`, but not `skip`) and the
    program channel about a new event, a change, a cancellation or its
    undoing, each person in their language with the event's calendar file
    (and, unless it is cancelled, the RSVP buttons); returns (people told,
    whether the channel was). Given `people`, only they are told, not the
    channel (an audience that changed); `cancel`: their file takes the event
    out of their calendar, though it is not cancelled (no longer for them)."""
    from bot.reports.calendar import ICS, to_ics

    cancel = event.cancelled if cancel is None else cancel
    channel = program_channel(program) if people is None else None
    if people is None:
        people = [p for p in await told_of_changes(turn.session, event) if p not in skip]
    if not people and channel is None:
        return 0, False  # nobody to tell (a program nobody has joined yet): nothing to record either
    await turn.know_addresses(people)
    method = "CANCEL" if cancel else None

    def files(render) -> tuple[Attachment, ...]:
        data = to_ics(program, [event], render, turn.now, method=method)
        title = render("events/ics_title", program=program)
        return (Attachment(f"{program.slug}-event-{event.id}.ics", ICS, data, title),)

    def buttons(render) -> Card:  # still coming, at the new time?
        return Card((rsvp_buttons(render, pk(event)),))

    told = 0
    for person_id in people:
        told += await turn.tell(
            person_id,
            template,
            program=program,
            card=None if cancel else buttons,
            files=files,
            event=event,
            to_channel=False,
            **ctx,
        )
    if channel is not None:
        text = turn.core.translator.render(
            program.locale, template, program=program, event=event, tz=program.timezone, to_channel=True, **ctx
        )
        turn.post(Outbound(text=text, to=channel, kind=template, locale=program.locale))
    what = "cancelled" if event.cancelled else "not_for_them" if cancel else "changed"
    await turn.audit(f"event.{what}.told", program=program, event=event.id, told=told)
    return told, channel is not None


async def _event_doubt(turn: Turn, program: Program, kind: str, day: date, confirm, event_id: int | None = None):
    """A past day is refused; a day outside the program or a second closing
    is asked about (None when all is well or already confirmed)."""
    today = local_today(program, turn.now)
    if day < today:
        raise UserError("errors/event_in_past", day=day, today=today)
    if confirm == "yes":
        return None
    outside = not program.start <= day <= program.end
    closings = [e for e in await events(turn.session, program) if e.kind == "closing" and e.id != event_id]
    if not outside and not (kind == "closing" and closings):
        return None
    return ask(
        turn,
        "events/confirm_doubt",
        day=day,
        program=program,
        outside=outside,
        closing=closings[0] if kind == "closing" and closings else None,
        tz=program.timezone,
    )


@command("event", "remove", role=COORDINATOR, params=(Param("id"), CONFIRM, PROGRAM))
async def event_remove(turn: Turn, args):
    """Asks first, as every command that tells many people does: the question
    names the event, its date and how many will be told it is cancelled."""
    program = await event_program(turn, args)
    event = await event_by_id(turn.session, program, str(args["id"]))
    as_of = f"event-{event.id}-r{event.revision or 0}"  # the event as the question names it
    if args["confirm"] != "yes":
        upcoming = event.starts_at > turn.now
        return [
            ask(
                turn,
                "events/remove_confirm",
                as_of=as_of,
                event=event,
                program=program,
                tz=program.timezone,
                told=len(await told_of_changes(turn.session, event)) if upcoming else None,
                channel=upcoming and program_channel(program) is not None,
            )
        ]
    if turn.as_asked is not None and turn.as_asked != as_of:
        raise stale_button()  # changed (moved, removed, restored) since the question named it
    await _set_cancelled(turn, event, True)
    told = channel = None
    if event.starts_at > turn.now:
        told, channel = await _tell(turn, program, event, "events/cancelled")
    return [
        turn.say(
            "commands/event_removed", event=event, program=program, tz=program.timezone, told=told, channel=channel
        )
    ]


@command("event", "restore", role=COORDINATOR, params=(Param("id"), CONFIRM, PROGRAM))
async def event_restore(turn: Turn, args):
    """Undo `event remove`: the event back, its reminders planned again, and
    whoever heard it was cancelled (those it is for) told it takes place
    after all, with a calendar file that puts it back (a higher SEQUENCE)."""
    program = await event_program(turn, args)
    event = await _removed_event(turn, program, str(args["id"]))
    upcoming = event.starts_at > turn.now
    if upcoming:  # a second closing since, or a day outside the program: asked as when it was added
        local = event.starts_at.astimezone(zone(program.timezone)).date()
        if doubt := await _event_doubt(turn, program, event.kind, local, args["confirm"], event.id):
            return [doubt]
    await _set_cancelled(turn, event, False)
    told = channel = None
    if upcoming:
        told, channel = await _tell(turn, program, event, "events/restored")
    await turn.audit("event restored", program=program, event=event.id)
    return [
        turn.say(
            "commands/event_restored", event=event, program=program, tz=program.timezone, told=told, channel=channel
        )
    ]


async def _set_cancelled(turn: Turn, event: ProgramEvent, cancelled: bool) -> None:
    """Cancel or restore an event: a new revision (calendars update their
    copy), and its reminders planned again."""
    event.cancelled = cancelled
    event.revision = (event.revision or 0) + 1
    turn.session.add(event)
    await turn.session.flush()
    await plan.event_changed(turn, event)


async def _removed_event(turn: Turn, program: Program, ref: str) -> ProgramEvent:
    """Removed event number `ref` of `program`; one that was not removed, or
    no event of the program's, is answered as such."""
    number = parse_int(ref, low=1)
    event = await turn.session.get(ProgramEvent, number) if number is not None else None
    if event is not None and event.program_id == program.id and event.cancelled:
        return event
    found = await event_by_id(turn.session, program, ref)  # no such event, or another program's: said so
    raise UserError("errors/event_not_removed", ref=ref, event=found, program=program)
