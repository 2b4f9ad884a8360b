"""Which program a participant's command is about.

A person may take part in several programs at once (a mentor in two
cohorts, in two organisations' programs). One rule for every participant
command, so that none of them picks a program silently:

- the caller names the command's candidates: the programs it could be
  about (for `leave` the running programs the person is in, for `resume`
  those where they are paused, for `join` those open to them);
- `program=NAME` (typed), or the program id a button carries, picks one of
  them; a name that is not among them is refused, naming those that are;
- one candidate: that one;
- several: a command that changes something asks which (`choose`), with a
  card with one button per program, its id as the value (`pick.<command>`,
  answered by the command's `on_pick` function), and the typed form with
  `program=SLUG` for each; a command that shows something (`status`,
  `calendar`) shows them all and does not come here.

Which pair: someone can be in several pairs at once (a mentor with two
adepts, a person in two programs). A command about one pair (`met`,
`goal`) asks which (`which_pair`), a button per pair named by the other
member (and the program, when the pairs are in several), the pair's id and
what was typed as its value; the press is checked again
(`bot.meetings.pair_for_action`). A command that shows something (`goals`)
shows every pair, each named the same way (`partners_of`).

Coordinators have their own rule (`Turn.program`: `program=`, `program use`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import col, select

from bot.addresses import identities
from bot.commands.registry import action
from bot.errors import UserError, stale_button
from bot.inputs import parse_int
from bot.lifecycle import ACTIVE
from bot.messages import Button, Buttons, Card, Outbound, Text
from bot.programs import enrollment_of, organisations
from bot.store.models import Enrollment, Organisation, OrganisationTenant, Pairing, Person, Program, ProgramOrganisation
from bot.store.rows import fetch, pk
from bot.turn import Turn

Row = tuple[Enrollment | None, Program]
# What a press of `pick.<name>` does: the command again, about the pressed program
# (`extra`: what the command had besides, carried by the button after the id).
Picked = Callable[[Turn, Program, str], Awaitable[list[Outbound]]]
PICKS: dict[str, Picked] = {}


def on_pick(name: str) -> Callable[[Picked], Picked]:
    """Register what a press of a `choose` card's button for `name` does."""

    def register(fn: Picked) -> Picked:
        if name in PICKS:
            raise RuntimeError(f"pick {name!r} declared twice")
        PICKS[name] = fn
        return fn

    return register


@dataclass(frozen=True)
class Question:
    """`choose` asked which program: the handler returns these replies."""

    replies: list[Outbound]


async def choose(
    turn: Turn,
    rows: Sequence[Row],
    ref: str | Program | None,
    *,
    command: str,
    extra: str = "",
    args: Sequence[tuple[str, str]] = (),
    joining: bool = False,
) -> Row | Question:
    """The one of `rows` (the command's candidates) that the command is about, or the question which. `ref`: what the person
    typed (`program=`), or the program of a pressed `pick.` button.
    `command`: the command's name as the grammar has it (`leave`, `consent
    withdraw`); `extra` is carried by each button after the program id, and
    `args` (name, value) are shown in the typed form (`roll=mentor`)."""
    unique: dict[int | None, Row] = {}
    for enrollment, program in rows:
        unique.setdefault(program.id, (enrollment, program))
    candidates = sorted(unique.values(), key=lambda row: (row[1].start, row[1].id or 0))  # the first to start first
    if ref is not None:
        found = next((row for row in candidates if program_named(row[1], ref)), None)
        if found is not None:
            return found
        if isinstance(ref, Program) and turn.inbound.action_id:  # a pressed button that no longer applies
            raise stale_button()
        raise UserError(
            "errors/program_not_among",
            ref=ref.slug if isinstance(ref, Program) else ref,
            known=[p.slug for _, p in candidates],
            joining=joining,
        )
    if len(candidates) == 1:
        return candidates[0]
    return Question([_question(turn, [p for _, p in candidates], command, extra, args, joining)])


def program_named(program: Program, ref: str | Program) -> bool:
    """Whether `ref` (a program, or its slug or name as typed) is `program`."""
    if isinstance(ref, Program):
        return program.id == ref.id
    wanted = ref.strip().lower()
    return program.slug == wanted or program.name.lower() == wanted


def _question(
    turn: Turn, programs: list[Program], command: str, extra: str, args: Sequence[tuple[str, str]], joining: bool
) -> Outbound:
    text = turn.render("commands/which_program", programs=programs, command=command, args=list(args), joining=joining)
    pick = f"pick.{command.replace(' ', '-')}"
    buttons = tuple(Button(pick, p.name, f"{p.id}:{extra}" if extra else str(p.id)) for p in programs)
    return turn.reply(text, card=Card((Text(text), Buttons(buttons))), kind="commands/which_program")


@action("pick.")
async def picked(turn: Turn):
    """A program pressed on a `choose` card: the command again, about it."""
    run = PICKS.get((turn.inbound.action_id or "").removeprefix("pick."))
    number, _, extra = (turn.inbound.value or "").partition(":")
    program_id = parse_int(number, low=1)
    program = await turn.session.get(Program, program_id) if program_id is not None else None
    if run is None or program is None:
        raise stale_button()
    turn.program_in_use = program
    try:
        return await run(turn, program, extra)
    except UserError as err:
        if err.template == "errors/not_enrolled":  # a program the presser no longer takes part in
            raise stale_button() from None
        raise


# ------------------------------------------------------------ which pair

# One of a person's live pairs (`bot.meetings.live_pairs_of`): the pair, the
# person's own enrollment in it, and its program.
PairRow = tuple[Pairing, Enrollment, Program]


async def partners_of(turn: Turn, pairs: Sequence[PairRow]) -> list[tuple[PairRow, str]]:
    """Each of the person's pairs, oldest first, with the name it goes by for
    them: the other member's, and the program's too when the pairs are in
    more than one program."""
    several_programs = len({program.id for _, _, program in pairs}) > 1
    named = []
    for row in sorted(pairs, key=lambda row: row[0].id or 0):
        pairing, mine, program = row
        other = await fetch(turn.session, Enrollment, pairing.other_member(mine.id))
        partner = await fetch(turn.session, Person, other.person_id)
        named.append((row, f"{partner.name} ({program.name})" if several_programs else partner.name))
    return named


async def which_pair(
    turn: Turn, pairs: Sequence[PairRow], action_id: str, typed: str, template: str, **ctx
) -> Outbound:
    """The question which of `pairs` a command is about: `template`'s text
    and a button per pair, `action_id` with `<pair id>:<typed>` as its value
    (what was typed rides on the button; its handler checks it again)."""
    buttons = tuple(Button(action_id, label, f"{row[0].id}:{typed}") for row, label in await partners_of(turn, pairs))
    text = turn.render(template, **ctx)
    return turn.reply(text, card=Card((Text(text), Buttons(buttons))), kind=template)


# ------------------------------------------------------------ joining


async def open_to(turn: Turn, enrolled: dict[int, Enrollment]) -> list[Row]:
    """The active programs `turn.person` may join: those they are enrolled
    in (invited, say), and those one of their organisations takes part in,
    or that name no organisation yet. An organisation not known (someone
    new on the console, a workspace no organisation names) excludes none:
    the intake asks for it."""
    programs = list(
        (await turn.session.exec(select(Program).where(Program.status == ACTIVE).order_by(col(Program.id)))).all()
    )
    if not programs:
        return []
    taking_part: dict[int, set[int]] = {}
    links = await turn.session.exec(
        select(ProgramOrganisation).where(col(ProgramOrganisation.program_id).in_([p.id for p in programs]))
    )
    for link in links.all():
        taking_part.setdefault(link.program_id, set()).add(link.organisation_id)
    own = await _own_organisations(turn)
    return [
        (enrolled.get(p.id or 0), p)
        for p in programs
        if p.id in enrolled or _may_join(own, taking_part.get(p.id or 0, set()))
    ]


def _may_join(own: set[int], taking_part: set[int]) -> bool:
    """Someone of organisations `own` (none known: the intake asks) may join
    a program of organisations `taking_part` (none named yet: anyone)."""
    return not own or not taking_part or bool(own & taking_part)


async def none_open(turn: Turn) -> UserError:
    """What `join` says when nothing is open to the person: if programs run,
    that none takes their organisation (a coordinator sees which programs
    and whose they are, a participant whom to ask), not that none runs."""
    running = list(
        (await turn.session.exec(select(Program).where(Program.status == ACTIVE).order_by(col(Program.id)))).all()
    )
    if not running:
        return await turn.no_program()
    own = await _own_organisations(turn)
    names = (await turn.session.exec(select(Organisation.name).where(col(Organisation.id).in_(own)))).all()
    coordinator = await turn.coordinates()
    programs = (
        [
            {"name": p.name, "slug": p.slug, "organisations": [o.name for o in await organisations(turn.session, p)]}
            for p in running
        ]
        if coordinator
        else []
    )
    return UserError("errors/no_program_open", coordinator=coordinator, own=sorted(names), programs=programs)


async def not_taking_part(turn: Turn, program: Program) -> list[str]:
    """The organisations of `program`, by name, when `turn.person`'s own
    organisation is known and is not among them (and they are not enrolled
    in it already); empty when they may join it."""
    if await enrollment_of(turn.session, program, pk(turn.person)) is not None:
        return []
    named = await organisations(turn.session, program)
    if _may_join(await _own_organisations(turn), {pk(o) for o in named}):
        return []
    return [o.name for o in named]


async def _own_organisations(turn: Turn) -> set[int]:
    """The person's organisation, and those naming a workspace or tenant one
    of their accounts is in."""
    own = {turn.person.organisation_id} if turn.person.organisation_id else set()
    accounts = {(i.platform, i.tenant) for i in await identities(turn.session, turn.person.id or 0)}
    if accounts:
        named = await turn.session.exec(
            select(OrganisationTenant).where(
                sa.tuple_(col(OrganisationTenant.platform), col(OrganisationTenant.tenant)).in_(list(accounts))
            )
        )
        own |= {t.organisation_id for t in named.all()}
    return own
