"""Coordinator commands that shape a program: create and show it, its
organisations, its calendar of events, and its channel."""

from __future__ import annotations

import re
from datetime import date

from sqlmodel import select

from bot import plan
from bot.commands.registry import COORDINATOR, Param, command
from bot.errors import UserError
from bot.messages import Where
from bot.programs import (
    AUDIENCES,
    DEFAULT_AUDIENCE,
    EVENT_KINDS,
    check_in_program,
    enrollments,
    event_by_id,
    events,
    local_moment,
    organisations,
    slugify,
    zone,
)
from bot.store.models import Organisation, Program, ProgramEvent, ProgramOrganisation
from bot.turn import Turn

PROGRAM = Param("program", named=True, required=False)


@command("program", "create", role=COORDINATOR, params=(
    Param("name", rest=True),
    Param("start", "date", named=True),
    Param("end", "date", named=True),
    Param("locale", "choice", named=True, required=False, choices=("sv", "en")),
    Param("tz", named=True, required=False),
    Param("nudge", "range", named=True, required=False),
    Param("country", named=True, required=False),
))
async def program_create(turn: Turn, args):
    name = str(args["name"]).strip()
    if args["end"] <= args["start"]:
        raise UserError("errors/end_before_start", start=args["start"], end=args["end"])
    tz = args["tz"] or turn.core.config.bot.timezone
    zone(tz)
    slug = slugify(name)
    if (await turn.session.exec(select(Program).where(Program.slug == slug))).first():
        raise UserError("errors/program_exists", name=name, slug=slug)
    nudge = args["nudge"] or (21, 28)
    country = (args["country"] or "SE").upper()
    if len(country) != 2 or not country.isalpha():
        raise UserError("errors/bad_country", value=args["country"])
    program = Program(
        slug=slug, name=name, start=args["start"], end=args["end"],
        locale=args["locale"] or turn.core.config.bot.locale, timezone=tz, country=country,
        nudge_min_days=nudge[0], nudge_max_days=nudge[1], created_at=turn.now,
    )
    turn.session.add(program)
    await turn.session.flush()
    return [turn.say("commands/program_created", program=program)]


@command("program", "show", role=COORDINATOR, params=(Param("program", required=False),))
async def program_show(turn: Turn, args):
    program = await turn.program(args["program"])
    people = await enrollments(turn.session, program)
    counts = {role: sum(1 for e, _ in people if e.role == role) for role in ("adept", "mentor")}
    return [turn.say(
        "commands/program_show",
        program=program,
        organisations=[o.name for o in await organisations(turn.session, program)],
        events=await events(turn.session, program),
        counts=counts,
        tz=program.timezone,
    )]


@command("org", "add", role=COORDINATOR, params=(Param("name", rest=True), PROGRAM))
async def org_add(turn: Turn, args):
    program = await turn.program(args["program"])
    name = str(args["name"]).strip()
    org = (await turn.session.exec(select(Organisation).where(Organisation.name == name))).first()
    if org is None:
        org = Organisation(name=name)
        turn.session.add(org)
        await turn.session.flush()
    link = await turn.session.get(ProgramOrganisation, (program.id, org.id))
    if link is not None:
        return [turn.say("commands/org_already", name=name, program=program)]
    turn.session.add(ProgramOrganisation(program_id=program.id, organisation_id=org.id))
    return [turn.say("commands/org_added", name=name, program=program)]


@command("org", "remove", role=COORDINATOR, params=(Param("name", rest=True), PROGRAM))
async def org_remove(turn: Turn, args):
    program = await turn.program(args["program"])
    name = str(args["name"]).strip()
    orgs = {o.name.lower(): o for o in await organisations(turn.session, program)}
    org = orgs.get(name.lower())
    if org is None:
        raise UserError("errors/unknown_org", name=name, known=sorted(o.name for o in orgs.values()))
    link = await turn.session.get(ProgramOrganisation, (program.id, org.id))
    await turn.session.delete(link)
    return [turn.say("commands/org_removed", name=org.name, program=program)]


@command("event", "add", role=COORDINATOR, params=(
    Param("kind", "choice", choices=EVENT_KINDS),
    Param("date", "date"),
    Param("time", "time", required=False),
    Param("place", named=True, required=False),
    Param("audience", "choice", named=True, required=False, choices=AUDIENCES),
    Param("title", named=True, required=False),
    PROGRAM,
))
async def event_add(turn: Turn, args):
    program = await turn.program(args["program"])
    check_in_program(program, args["date"])
    if args["kind"] == "custom" and not args["title"]:
        raise UserError("errors/custom_needs_title")
    event = ProgramEvent(
        program_id=program.id,
        kind=args["kind"],
        title=args["title"],
        starts_at=local_moment(program, args["date"], args["time"]),
        place=args["place"],
        audience=args["audience"] or DEFAULT_AUDIENCE.get(args["kind"], "all"),
    )
    turn.session.add(event)
    await turn.session.flush()
    await plan.event_changed(turn, event)
    return [turn.say("commands/event_added", event=event, program=program, tz=program.timezone)]


@command("event", "edit", role=COORDINATOR, params=(
    Param("id"),
    Param("date", "date", named=True, required=False),
    Param("time", "time", named=True, required=False),
    Param("place", named=True, required=False),
    Param("audience", "choice", named=True, required=False, choices=AUDIENCES),
    Param("title", named=True, required=False),
    PROGRAM,
))
async def event_edit(turn: Turn, args):
    program = await turn.program(args["program"])
    event = await event_by_id(turn.session, program, str(args["id"]))
    changes = {k: args[k] for k in ("date", "time", "place", "audience", "title") if args[k] is not None}
    if not changes:
        raise UserError("errors/nothing_to_change", usage="event edit ID date=YYYY-MM-DD time=HH:MM place=... audience=all|mentors|adepts title=...")
    local = event.starts_at.astimezone(zone(program.timezone))
    if "date" in changes or "time" in changes:
        day = changes.get("date", local.date())
        check_in_program(program, day)
        event.starts_at = local_moment(program, day, changes.get("time", local.time()))
    for key in ("place", "audience", "title"):
        if key in changes:
            setattr(event, key, changes[key])
    turn.session.add(event)
    await turn.session.flush()
    await plan.event_changed(turn, event)
    return [turn.say("commands/event_edited", event=event, program=program, tz=program.timezone)]


@command("event", "remove", role=COORDINATOR, params=(Param("id"), PROGRAM))
async def event_remove(turn: Turn, args):
    program = await turn.program(args["program"])
    event = await event_by_id(turn.session, program, str(args["id"]))
    event.cancelled = True
    turn.session.add(event)
    await turn.session.flush()
    await plan.event_changed(turn, event)
    return [turn.say("commands/event_removed", event=event, program=program, tz=program.timezone)]


@command("channel", role=COORDINATOR, params=(Param("program", required=False),))
async def channel(turn: Turn, args):
    program = await turn.program(args["program"])
    where = turn.inbound.where
    if where.where == Where.DM or not where.conversation:
        raise UserError("errors/channel_in_dm")
    program.channel_platform = str(where.platform)
    program.channel_tenant = where.tenant
    program.channel_conversation = where.conversation
    program.channel_ref = where.ref
    turn.session.add(program)
    await turn.session.flush()
    await plan.program_changed(turn, program)  # the channel's event reminders, now
    return [turn.say("commands/channel_set", program=program)]


_QUIET = re.compile(r"^(\d{2})-(\d{2})\.\.(\d{2})-(\d{2})$")


def _quiet_periods(value: str) -> list[list[str]]:
    """`07-01..07-31,12-23..01-06` or `none`."""
    if value.lower() in ("none", "inga", "-"):
        return []
    periods = []
    for part in value.split(","):
        m = _QUIET.match(part.strip())
        if not m:
            raise UserError("errors/bad_quiet", value=part)
        start, end = f"{m.group(1)}-{m.group(2)}", f"{m.group(3)}-{m.group(4)}"
        for md in (start, end):
            try:
                date(2024, int(md[:2]), int(md[3:]))  # a leap year accepts 02-29
            except ValueError:
                raise UserError("errors/bad_quiet", value=part) from None
        periods.append([start, end])
    return periods


@command("program", "set", role=COORDINATOR, params=(
    Param("nudge", "range", named=True, required=False),
    Param("first_nudge", "int", named=True, required=False, unit="days"),
    Param("stall_days", "int", named=True, required=False, unit="days"),
    Param("quiet", named=True, required=False),
    Param("locale", "choice", named=True, required=False, choices=("sv", "en")),
    Param("tz", named=True, required=False),
    Param("adept_months", "range", named=True, required=False, unit="months"),
    Param("mentor_years", "int", named=True, required=False, unit="years"),
    Param("max_capacity", "int", named=True, required=False, unit="adepts"),
    Param("match_rule", "choice", named=True, required=False,
          choices=("other_org", "other_org_not_manager", "other_department")),
    Param("nominators", "choice", named=True, required=False, choices=("anyone", "coordinators")),
    Param("names_in_channel", "choice", named=True, required=False, choices=("yes", "no")),
    PROGRAM,
))
async def program_set(turn: Turn, args):
    program = await turn.program(args["program"])
    given = {k: v for k, v in args.items() if v is not None and k != "program"}
    if not given:
        raise UserError("errors/nothing_to_change", usage="program set nudge=21-28 quiet=07-01..07-31 mentor_years=5 ...")
    if "tz" in given:
        zone(given["tz"])
        program.timezone = given["tz"]
    if "nudge" in given:
        program.nudge_min_days, program.nudge_max_days = given["nudge"]
    if "adept_months" in given:
        program.adept_min_months, program.adept_max_months = given["adept_months"]
    if "quiet" in given:
        program.quiet_periods = _quiet_periods(given["quiet"])
    if given.get("max_capacity") == 0:
        raise UserError("errors/bad_number", argument="max_capacity", value=0)
    simple = {"first_nudge": "first_nudge_days", "stall_days": "stall_days", "locale": "locale",
              "mentor_years": "mentor_min_years", "max_capacity": "mentor_max_capacity",
              "match_rule": "match_rule", "nominators": "nominators"}
    for key, attr in simple.items():
        if key in given:
            setattr(program, attr, given[key])
    if "names_in_channel" in given:
        program.names_in_channel = given["names_in_channel"] == "yes"
    turn.session.add(program)
    await turn.session.flush()
    await plan.program_changed(turn, program)
    return [turn.say("commands/program_settings", program=program)]
