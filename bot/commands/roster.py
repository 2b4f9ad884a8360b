"""The coordinator's view of people: `participants` (filtered, paged, with
organisation, pair and why someone waits) and `person NAME` (one person's
intake answers, dilemmas marked confidential; a coordinator who is in a pair
with the person does not read what the person keeps from their mentor)."""

from __future__ import annotations

from bot.commands.registry import (
    COORDINATOR,
    PROGRAM,
    Param,
    command,
)
from bot.dialogs.answers import COORDINATOR as FOR_COORDINATOR
from bot.dialogs.answers import PARTNER, answer_lines
from bot.errors import UserError
from bot.lifecycle import ended_on, is_over
from bot.meetings import local_today
from bot.people import resolve_person
from bot.programs import my_enrollments, person_org_id, taking_part
from bot.roster import WAITLISTED, page_of, pair_partners, paired_with, roster, why_waiting
from bot.store.models import EnrollmentStatus, Organisation
from bot.store.rows import pk
from bot.turn import Turn

# The statuses, and "waitlisted": signed up, with no pair, on the waitlist.
STATUSES = (*(s.value for s in EnrollmentStatus), WAITLISTED)


@command(
    "participants",
    role=COORDINATOR,
    params=(
        Param("role", "choice", named=True, required=False, choices=("adept", "mentor")),
        Param("org", named=True, required=False),
        Param("status", "choice", named=True, required=False, choices=STATUSES, shown="labels/status"),
        Param("page", "int", named=True, required=False),
        PROGRAM,
    ),
)
async def participants(turn: Turn, args):
    program = await turn.program(args["program"])
    if args["org"]:
        await taking_part(turn.session, program, args["org"])
    today = local_today(program, turn.now)
    rows = await roster(turn.session, program, args["role"], args["org"], args["status"], today=today)
    shown, page, pages = page_of(rows, args["page"])
    filters = [(k, str(args[k])) for k in ("role", "org", "status") if args[k]]  # shown in the reader's words
    return [
        turn.say(
            "commands/participants",
            program=program,
            rows=shown,
            total=len(rows),
            page=page,
            pages=pages,
            filters=filters,
            pending_filter=args["status"] == EnrollmentStatus.PENDING,  # "waiting" is not the waitlist
            ended=ended_on(program) if is_over(program) else None,  # nobody is "signed up" to a closed program
        )
    ]


@command("person", role=COORDINATOR, params=(Param("name", rest=True),))
async def person(turn: Turn, args):
    program = await program_if_any(turn, args.get("program"))
    return await person_view(
        turn, await resolve_person(turn.session, str(args["name"]), turn.inbound.actor, turn.now, program)
    )


async def program_if_any(turn: Turn, named=None):
    """The program named (`program=`), else the one a command without it works on (see `Turn.program`),
    or None when there is no single one: a name is then looked up among
    everyone, still only when exactly one person who has written has it."""
    try:
        return await turn.program(named)
    except UserError:
        if named is not None:
            raise
        return None


async def person_view(turn: Turn, who):
    """One person as the coordinator sees them (also the home card's Show button)."""
    enrolled = await my_enrollments(turn.session, who.id)  # the newest program first
    org_id = person_org_id(who, (e for e, _ in enrolled))
    org = await turn.session.get(Organisation, org_id) if org_id else None
    # A coordinator in a pair with them reads their answers as their mentor would the kept ones.
    reader = PARTNER if who.id in await paired_with(turn.session, pk(turn.person)) else FOR_COORDINATOR
    sections = []
    for enrollment, program in enrolled:
        partners = await pair_partners(turn.session, program)
        sections.append(
            {
                "program": program,
                "enrollment": enrollment,
                "partners": partners.get(pk(enrollment), []),  # name, pair_id and status
                "why": why_waiting(enrollment, enrollment.id in partners, is_over(program)),
                "over": is_over(program),  # their participation is past (labels/status/, `over`)
                "answers": await answer_lines(turn.session, program, enrollment, turn.render, reader),
            }
        )
    return [
        turn.say(
            "commands/person", person=who, organisation=org.name if org else None, sections=sections, ephemeral=True
        )
    ]
