"""Coordinator commands that shape a program: create and show it, its
organisations and its channel (its calendar of events: `bot.commands.events`)."""

from __future__ import annotations

import dataclasses
import re
from datetime import date

from sqlmodel import col, select

from bot import plan
from bot.commands.attendance import answers, roles_in
from bot.commands.confirm import CONFIRM, ask
from bot.commands.lifecycle import work_on
from bot.commands.registry import COORDINATOR, PROGRAM, Param, command
from bot.errors import UserError
from bot.inputs import MAX_NAME, capped
from bot.language import following_program
from bot.lifecycle import RUNNING, ended_on, is_over
from bot.messages import Card, Outbound, Text, Where
from bot.programs import (
    audience_includes,
    events,
    org_id_of,
    org_name,
    organisation_named,
    organisations,
    rsvp_buttons,
    slugify,
    taking_part,
    zone,
)
from bot.roster import head_count
from bot.store.models import (
    GONE,
    Enrollment,
    Organisation,
    Pairing,
    PairStatus,
    Person,
    Program,
    ProgramOrganisation,
)
from bot.store.rows import pk
from bot.tenants import add_tenants, set_tenants, tenants_of
from bot.turn import Turn

# The program's numbers, bounded by what a mentor program is (the README
# lists them; `help` shows them): pairs meet about every 3-4 weeks, so a
# nudge comes every one to eight weeks; the first one within two months of
# the announcement; a pair is stalled after four weeks to half a year
# without a meeting. Adepts are new managers (a month to ten years); a
# mentor has managed longer than an adept's year (at least two years, at
# most a working life) and takes one to five adepts.
NUDGE = Param("nudge", "range", named=True, required=False, unit="days", low=7, high=60)


# A program year is about a year (the seeds: one year, pairs meeting every
# 3-4 weeks). Shorter than about three months (twelve weeks: three rounds
# of 28-day nudges) or longer than about two years is asked about first.
SHORTEST_DAYS, LONGEST_DAYS = 84, 731


def _time_zone(name: str) -> str:
    zone(name)  # a zone the system knows, or the answer that says so
    return name


def _country(code: str) -> str:
    if len(code) != 2 or not code.isalpha():
        raise UserError("errors/bad_country", value=code)
    return code.upper()


TZ = Param("tz", named=True, required=False, check=_time_zone)


@command(
    "program",
    "create",
    role=COORDINATOR,
    params=(
        Param("name", rest=True),
        Param("start", "date", named=True),
        Param("end", "date", named=True),
        Param("locale", "choice", named=True, required=False, choices=("sv", "en")),
        TZ,
        NUDGE,
        Param("country", named=True, required=False, check=_country),
        CONFIRM,
    ),
)
async def program_create(turn: Turn, args):
    name = capped(str(args["name"]).strip(), MAX_NAME, "name")
    if args["end"] <= args["start"]:
        raise UserError("errors/end_before_start", start=args["start"], end=args["end"])
    tz = args["tz"] or turn.core.config.bot.timezone
    today = turn.now.astimezone(zone(tz)).date()
    if args["end"] < today:
        raise UserError("errors/program_in_past", end=args["end"], today=today)
    slug = slugify(name)
    if (await turn.session.exec(select(Program).where(Program.slug == slug))).first():
        raise UserError("errors/program_exists", name=name, slug=slug)
    nudge = args["nudge"] or (21, 28)
    country = args["country"] or "SE"
    if args["confirm"] != "yes":
        days = (args["end"] - args["start"]).days
        length = "short" if days < SHORTEST_DAYS else "long" if days > LONGEST_DAYS else None
        started = args["start"] < today
        if length:  # asked once, with the late start too if it is one
            return [
                ask(
                    turn,
                    "commands/program_length_confirm",
                    name=name,
                    start=args["start"],
                    end=args["end"],
                    days=days,
                    years=days // 365,
                    length=length,
                    nudge=nudge,
                    started=started,
                    today=today,
                )
            ]
        if started:
            return [ask(turn, "commands/program_started_confirm", name=name, start=args["start"], today=today)]
    program = Program(
        slug=slug,
        name=name,
        start=args["start"],
        end=args["end"],
        locale=args["locale"] or turn.core.config.bot.locale,
        timezone=tz,
        country=country,
        nudge_min_days=nudge[0],
        nudge_max_days=nudge[1],
        created_at=turn.now,
    )
    turn.session.add(program)
    await turn.session.flush()
    work_on(turn, program)  # the one her next commands work on, as `program use`
    return [turn.say("commands/program_created", program=program)]


@command("program", "show", role=COORDINATOR, params=(Param("program", "program", required=False),))
async def program_show(turn: Turn, args):
    program = await turn.program(args["program"])
    listed = await events(turn.session, program)
    # Each event once, with the answers so far on its line while it is ahead.
    counts: dict[int, tuple[int, int]] = {}
    for event in [e for e in listed if e.starts_at >= turn.now]:
        coming, not_coming = await answers(turn.session, pk(event))
        counts[pk(event)] = (len(coming), len(not_coming))
    ctx = {
        "program": program,
        "organisations": [o.name for o in await organisations(turn.session, program)],
        "events": listed,
        "counts": counts,
        "heads": await head_count(turn.session, program),
        "tz": program.timezone,
        # Closed or archived: said so, and who took part in the past tense (as `participants`).
        "ended": ended_on(program) if is_over(program) else None,
        "closed_on": program.closed_at.astimezone(zone(program.timezone)).date() if program.closed_at else None,
    }
    text = turn.render("commands/program_show", **ctx)
    # RSVP buttons are a participant's: a coordinator gets them only for a
    # running program she takes part in, under each upcoming event of her
    # audience (every one: the card gives each its own row, so the events
    # are then listed one block each, under the rest).
    roles = await roles_in(turn, program.id) if program.status in RUNNING else []
    hers = {pk(e) for e in listed if pk(e) in counts and any(audience_includes(e.audience, r) for r in roles)}
    blocks: list = [Text(text)]
    if hers:
        blocks = [Text(turn.render("commands/program_show", listed=False, **ctx))]
        for event in listed:
            blocks.append(
                Text(turn.render("events/show_line", event=event, counts=counts.get(pk(event)), tz=ctx["tz"]))
            )
            if pk(event) in hers:
                blocks.append(rsvp_buttons(turn.render, pk(event)))
    return [Outbound(text=text, card=Card(tuple(blocks)), kind="commands/program_show", locale=turn.locale)]


TENANTS = (Param("slack", named=True, required=False), Param("teams", named=True, required=False))


@command("org", "add", role=COORDINATOR, params=(Param("name", rest=True), *TENANTS, PROGRAM))
async def org_add(turn: Turn, args):
    """Add an organisation to the program; one known by another spelling
    (`solna stad` for `Solna stad`) is that one, named as it is stored."""
    program = await turn.program(args["program"])
    name = capped(org_name(str(args["name"])), MAX_NAME, "name")
    org = await organisation_named(turn.session, name)
    if org is None:
        org = Organisation(name=name)
        turn.session.add(org)
        await turn.session.flush()
    added = await add_tenants(turn.session, org, slack=args["slack"], teams=args["teams"])
    link = await turn.session.get(ProgramOrganisation, (program.id, org.id))
    if link is not None:
        if added:
            return [turn.say("commands/org_tenants", name=org.name, tenants=await tenants_of(turn.session, org))]
        return [turn.say("commands/org_already", name=org.name, program=program)]
    turn.session.add(ProgramOrganisation(program_id=pk(program), organisation_id=pk(org)))
    return [turn.say("commands/org_added", name=org.name, program=program)]


@command("org", "set", role=COORDINATOR, params=(Param("name", rest=True), *TENANTS))
async def org_set(turn: Turn, args):
    """Replace the workspaces and tenants an organisation's people come from."""
    name = org_name(str(args["name"]))
    org = await organisation_named(turn.session, name)
    if org is None:
        raise UserError("errors/unknown_org", name=name, known=[])
    if args["slack"] is None and args["teams"] is None:  # nothing, or an empty `slack=`: not a silent no-op
        raise UserError("errors/org_set_nothing", name=org.name)
    await set_tenants(turn.session, org, slack=args["slack"], teams=args["teams"])
    return [turn.say("commands/org_tenants", name=org.name, tenants=await tenants_of(turn.session, org))]


@command("org", "remove", role=COORDINATOR, params=(Param("name", rest=True), CONFIRM, PROGRAM))
async def org_remove(turn: Turn, args):
    """Take an organisation out of the program. While people from it take
    part, the coordinator is first told what that does and asked."""
    program = await turn.program(args["program"])
    name = capped(org_name(str(args["name"])), MAX_NAME, "name")
    org = await taking_part(turn.session, program, name)
    if args["confirm"] != "yes":
        people, paired, pairs = await _taking_part_from(turn, program, pk(org))
        if people:
            return [
                ask(
                    turn,
                    "commands/org_remove_confirm",
                    name=org.name,
                    program=program,
                    people=people,
                    paired=paired,
                    pairs=pairs,
                )
            ]
    link = await turn.session.get(ProgramOrganisation, (program.id, org.id))
    await turn.session.delete(link)
    return [turn.say("commands/org_removed", name=org.name, program=program)]


async def _taking_part_from(turn: Turn, program: Program, org_id: int) -> tuple[int, int, int]:
    """(people from the organisation enrolled in the program and not gone,
    how many of them are in a running pair, how many such pairs), by the
    organisation they are in the program for (`org_id_of`)."""
    rows = (
        await turn.session.exec(
            select(Enrollment, Person)
            .join(Person, col(Person.id) == col(Enrollment.person_id))
            .where(
                Enrollment.program_id == program.id,
                col(Enrollment.status).not_in(GONE),
            )
        )
    ).all()
    ours = {pk(e): e.person_id for e, p in rows if org_id_of(e, p) == org_id}
    if not ours:
        return 0, 0, 0
    live = (
        await turn.session.exec(
            select(Pairing).where(
                Pairing.program_id == program.id,
                col(Pairing.status).in_((PairStatus.APPROVED, PairStatus.ANNOUNCED)),
            )
        )
    ).all()
    pairs = [p for p in live if p.adept_id in ours or p.mentor_id in ours]
    paired = {ours[i] for p in pairs for i in (p.adept_id, p.mentor_id) if i in ours}
    return len(set(ours.values())), len(paired), len(pairs)


@command("channel", role=COORDINATOR, params=(Param("program", "program", required=False),))
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
    # Said to the channel: its members learn what it is for.
    return [dataclasses.replace(turn.say("commands/channel_set", program=program), public=True)]


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


@command(
    "program",
    "set",
    role=COORDINATOR,
    params=(
        NUDGE,
        Param("first_nudge", "int", named=True, required=False, unit="days", low=1, high=60),
        Param("stall_days", "int", named=True, required=False, unit="days", low=28, high=180),
        Param("quiet", named=True, required=False, check=_quiet_periods),
        Param("locale", "choice", named=True, required=False, choices=("sv", "en")),
        TZ,
        Param("adept_months", "range", named=True, required=False, unit="months", low=1, high=120),
        Param("mentor_years", "int", named=True, required=False, unit="years", low=2, high=40),
        Param("max_capacity", "int", named=True, required=False, unit="adepts", low=1, high=5),
        Param(
            "match_rule",
            "choice",
            named=True,
            required=False,
            choices=("other_org", "other_org_not_manager", "other_department"),
        ),
        Param("nominators", "choice", named=True, required=False, choices=("anyone", "participants", "coordinators")),
        Param("names_in_channel", "choice", named=True, required=False, choices=("yes", "no")),
        PROGRAM,
    ),
)
async def program_set(turn: Turn, args):
    program = await turn.program(args["program"])
    given = {k: v for k, v in args.items() if v is not None and k != "program"}
    if not given:
        raise UserError(
            "errors/nothing_to_change",
            command="program set",
            example={"nudge": "21-28", "quiet": "07-01..07-31", "mentor_years": "5"},
        )
    if given.get("names_in_channel") == "yes" and not program.names_in_channel:
        # The consent question names the channel only while the setting is on: those who
        # agreed before were not told, so it is turned on only before anyone has agreed.
        agreed = await _consented(turn, program)
        if agreed:
            raise UserError("errors/names_in_channel_after_consent", program=program, count=agreed)
    before = {key: turn.render("commands/program_setting_value", key=key, program=program) for key in given}
    if "tz" in given:
        program.timezone = given["tz"]
    if "nudge" in given:
        program.nudge_min_days, program.nudge_max_days = given["nudge"]
    if "adept_months" in given:
        program.adept_min_months, program.adept_max_months = given["adept_months"]
    if "quiet" in given:
        program.quiet_periods = given["quiet"]
    simple = {
        "first_nudge": "first_nudge_days",
        "stall_days": "stall_days",
        "locale": "locale",
        "mentor_years": "mentor_min_years",
        "max_capacity": "mentor_max_capacity",
        "match_rule": "match_rule",
        "nominators": "nominators",
    }
    for key, attr in simple.items():
        if key in given:
            setattr(program, attr, given[key])
    if "names_in_channel" in given:
        program.names_in_channel = given["names_in_channel"] == "yes"
    turn.session.add(program)
    await turn.session.flush()
    await plan.program_changed(turn, program)
    after = {key: turn.render("commands/program_setting_value", key=key, program=program) for key in given}
    changed = [(key, before[key], after[key]) for key in given if before[key] != after[key]]
    # A new language reaches only those who have not begun in one of their own: said how many.
    switched = await following_program(turn.session, program) if any(k == "locale" for k, *_ in changed) else None
    return [
        turn.say("commands/program_settings", program=program, changed=changed, given=len(given), switched=switched)
    ]


async def _consented(turn: Turn, program: Program) -> int:
    """How many in the program have agreed to the intake's consent question and
    are still in it (a withdrawal or `forget` clears the agreement)."""
    query = select(Enrollment.id).where(
        Enrollment.program_id == program.id,
        col(Enrollment.consent_at).is_not(None),
        col(Enrollment.status).not_in(GONE),
    )
    return len((await turn.session.exec(query)).all())
