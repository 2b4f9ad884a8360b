"""What every participant can do: help, status, language, pause, resume.
Leaving and the person's own data are in `bot.commands.privacy`."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from bot import plan
from bot.commands.dates import parse_date
from bot.commands.registry import COMMANDS, Param, action, command
from bot.commands.swedish import swedish_words
from bot.commands.topics import topic, visible_roles
from bot.commands.which import Question, choose, on_pick, open_to, program_named
from bot.dialogs.entrances import still_waiting
from bot.errors import UserError, stale_button
from bot.i18n import sort_key
from bot.lifecycle import RUNNING, ended_on, has_ended
from bot.matching.cohort import TOLD_UNMATCHED
from bot.meetings import local_today
from bot.messages import Button, Buttons, Card, Outbound, Text
from bot.programs import (
    SETTLED,
    live_pairings,
    my_enrollments,
    next_cohort,
    next_event,
    org_id_of,
    past_pairings,
)
from bot.roster import former_partners, is_paused, waiting_anew
from bot.store.models import (
    GONE,
    Enrollment,
    EnrollmentStatus,
    Meeting,
    Organisation,
    Pairing,
    PairStatus,
    Person,
    Program,
)
from bot.store.rows import fetch, pk
from bot.turn import Turn


@command("help", params=(Param("topic", rest=True, required=False),))
async def help_(turn: Turn, args):
    roles = await visible_roles(turn)
    shown = (
        await topic(turn, str(args["topic"])) if args["topic"] else [c for c in COMMANDS.values() if c.role in roles]
    )
    # In the order of the words the reader sees (`avsluta-par` before `bjud-in`, not by `unpair`/`invite`).
    shown = sorted(shown, key=lambda c: sort_key(turn.locale, swedish_words(c) if turn.locale == "sv" else c.name))
    sections = []
    for role in roles:
        lines = [(c, turn.render(c.help_template)) for c in shown if c.role == role]
        if lines:
            sections.append((role, lines))
    return [
        turn.say(
            "commands/help",
            sections=sections,
            ephemeral=True,
            platform=str(turn.inbound.actor.platform),
            slash=turn.core.config.slack.command,
        )
    ]


async def _pair_view(
    turn: Turn, enrollment: Enrollment, pairings: list[Pairing] | None = None, *, program: Program | None = None
) -> list[dict]:
    """Each pair's other member, their organisation and the last meeting: of
    `pairings`, or of the enrollment's live pairs; given the program, until
    when the pair is paused (by either member) while the pause lasts."""
    views = []
    today = local_today(program, turn.now) if program is not None else None
    for pairing in await live_pairings(turn.session, enrollment) if pairings is None else pairings:
        other_id = pairing.other_member(enrollment.id)
        other = await fetch(turn.session, Enrollment, other_id)
        pauses = [e.paused_until for e in (enrollment, other) if today is not None and is_paused(e, today)]
        person = await fetch(turn.session, Person, other.person_id)
        org_id = org_id_of(other, person)
        org = await turn.session.get(Organisation, org_id) if org_id else None
        last = (
            await turn.session.exec(
                select(Meeting).where(Meeting.pairing_id == pairing.id).order_by(col(Meeting.held_on).desc())
            )
        ).first()
        views.append(
            {
                "name": person.name,
                "organisation": org.name if org else None,
                "role": other.role,
                "last_meeting": last.held_on if last else None,
                "paused_until": max((d for d in pauses if d is not None), default=None),
                "status": pairing.status,
            }
        )
    return views


@command("status")
async def status(turn: Turn, args):
    rows, left = [], False
    mine = await my_enrollments(turn.session, pk(turn.person))
    in_programs = {program.id for _, program in mine}
    for enrollment, program in mine:
        if enrollment.status == EnrollmentStatus.LEFT:
            left = True  # "not in a program" then, not "not yet"
            continue
        today = local_today(program, turn.now)
        if has_ended(program, today):  # closed, or past its end date: shown as it ended, to those who took part
            if enrollment.status == EnrollmentStatus.ACTIVE:
                rows.append(await _ended_row(turn, enrollment, program, today, in_programs))
            continue
        if enrollment.status in GONE:  # said no, or cancelled the intake: that, and the way back
            # Not in the program: its events are not theirs (no "next event" line).
            rows.append({"program": program, "enrollment": enrollment, "gone": True, "ended": None})
            continue
        # A pair the close-out settled (going on on their own, or done) is still theirs until the end.
        settled = [p for p in await past_pairings(turn.session, enrollment) if p.status in SETTLED]
        pairs = await _pair_view(
            turn, enrollment, [*await live_pairings(turn.session, enrollment), *settled], program=program
        )
        rows.append(
            {
                "program": program,
                "enrollment": enrollment,
                "pairs": pairs,
                # Without one, the pairs that ended this year, as the home view names them: not "no pair yet".
                "former": [] if pairs else await former_partners(turn.session, program, enrollment),
                "waiting": waiting_anew(program, enrollment),  # what they wait for, said in the same sentence
                "next_event": await next_event(turn.session, program, turn.now, enrollment.role),
                "waiting_since": (enrollment.answers or {}).get(TOLD_UNMATCHED),
                "ended": None,  # it runs
                # A pause shows while it lasts (the date stays stored: `mydata`).
                "paused_until": pause_end(enrollment, program, local_today(program, turn.now)),
            }
        )
    coordinator = not rows and await turn.coordinates()
    # `join` only where it would not fail; programs that run for other organisations are not "none".
    joinable = "" if rows else "open" if await open_to(turn, {}) else "closed" if await _any_running(turn) else "none"
    return [
        turn.say("commands/status", rows=rows, left=left, coordinator=coordinator, joinable=joinable, ephemeral=True)
    ]


async def _any_running(turn: Turn) -> bool:
    return (
        await turn.session.exec(select(Program.id).where(col(Program.status).in_(RUNNING)).limit(1))
    ).first() is not None


async def _ended_row(turn: Turn, enrollment: Enrollment, program: Program, today: date, in_programs: set) -> dict:
    """A program that has ended, as it ended: the person's pairs (a pair
    still announced in a program nobody closed yet is done: its year is
    over), and what comes next: going on on their own, the next cohort
    (unless they are in it: it has its own row)."""
    pairs = await _pair_view(turn, enrollment, await past_pairings(turn.session, enrollment))
    for pair in pairs:
        if pair["status"] == PairStatus.ANNOUNCED:
            pair["status"] = PairStatus.COMPLETED
    cohort = await next_cohort(turn.session, program)
    return {
        "program": program,
        "enrollment": enrollment,
        "pairs": pairs,
        "ended": ended_on(program),
        "continuing": any(pair["status"] == PairStatus.CONTINUING for pair in pairs),
        "next_cohort": cohort if cohort is not None and cohort.id not in in_programs else None,
        "today": today,
    }


@command("language", params=(Param("language", "choice", choices=("sv", "en"), names="labels/language"),))
async def language(turn: Turn, args):
    turn.person.locale = args["language"]
    turn.session.add(turn.person)
    turn.locale = args["language"]
    return [turn.say("commands/language_set")]


async def _active(turn: Turn, *, invited: bool = True) -> list[tuple[Enrollment, Program]]:
    """The running programs the person is in. `invited=False`: not those
    they are only invited to (no consent given there), and when those are
    all there are, said so."""
    rows = [
        (e, p)
        for e, p in await my_enrollments(turn.session, pk(turn.person))
        if e.status not in GONE and p.status in RUNNING
    ]
    taking_part = rows if invited else [(e, p) for e, p in rows if e.status != EnrollmentStatus.INVITED]
    if not taking_part and rows:
        raise UserError("errors/only_invited", program_names=[p.name for _, p in rows])
    if not taking_part:
        raise UserError("errors/not_enrolled")
    return taking_part


SIGNING_UP = (EnrollmentStatus.INVITED, EnrollmentStatus.ONBOARDING)  # not through the intake yet


PROGRAM = Param("program", "program", named=True, required=False)


@command("pause", params=(Param("until", rest=True, required=False), PROGRAM))
async def pause(turn: Turn, args):
    text = str(args["until"] or "").strip()
    for word in ("until", "till", "until=", "till="):
        if text.lower().startswith(word):
            text = text[len(word) :].lstrip(" =")
    typed = parse_date(text, "until", turn.today) if text else None
    return await _pause_in(turn, args.get("program"), typed)


@on_pick("pause")
async def _pause_picked(turn: Turn, program: Program, extra: str) -> list[Outbound]:
    try:
        typed = date.fromisoformat(extra) if extra else None
    except ValueError:  # a forged value
        raise stale_button() from None
    return await _pause_in(turn, program, typed)


async def _pause_in(turn: Turn, ref: str | Program | None, typed: date | None) -> list[Outbound]:
    """A pause in one program (asked which when several), until the typed
    day or the program's end, whichever comes first."""
    rows = await _active(turn)
    # A program they are only invited to is not offered beside one they take part in
    # (named, or all there is, an invitation may still be paused: no reminders while signing up).
    taking_part = [(e, p) for e, p in rows if e.status != EnrollmentStatus.INVITED]
    chosen = await choose(
        turn,
        taking_part if taking_part and ref is None else rows,
        ref,
        command="pause",
        extra=typed.isoformat() if typed else "",
        args=[("until", typed.isoformat())] if typed else [],
    )
    if isinstance(chosen, Question):
        return chosen.replies
    enrollment, program = chosen
    assert enrollment is not None, "a running program of the person's has their enrollment"
    until = min(typed, program.end) if typed else program.end
    if until <= local_today(program, turn.now):  # the program's day, as `status` and `resume` count it
        raise UserError("errors/pause_in_past", until=until)
    indefinite = until == program.end
    if typed is None and enrollment.status in SIGNING_UP:
        # "pause" in the middle of signing up may mean a break from the questions:
        # say what it does (no reminders, no matching, until the program ends) and ask.
        value = f"{program.id}:{until.isoformat()}"
        return [confirm_card(turn, "commands/pause_confirm", "pause", value, until=until, program=program)]
    await _pause(turn, [(enrollment, program)], until)
    return [turn.say("commands/paused", until=until, indefinite=indefinite, program=program)]


@action("pause.")
async def pause_answer(turn: Turn):
    """Yes or No on the question `pause` asks during the intake; the card
    carries the program and the date it named."""
    if turn.inbound.action_id != "pause.confirm":
        reply = answered(turn, "commands/pause_kept")
    else:
        number, _, day = (turn.inbound.value or "").rpartition(":")
        try:
            until = date.fromisoformat(day)
            rows = [(e, p) for e, p in await _active(turn) if str(p.id) == number or not number]
        except (ValueError, UserError):  # a forged date, or nothing of the presser's to pause
            raise stale_button() from None
        if len(rows) != 1:  # a card from before it named its program: one program only
            raise stale_button()
        program = rows[0][1]
        until = min(until, program.end)
        if until <= local_today(program, turn.now):  # over by the program's day, as `status` counts it
            raise stale_button()
        await _pause(turn, rows, until)
        reply = answered(turn, "commands/paused", until=until, indefinite=True, program=program)
    waiting = await still_waiting(turn)  # the intake's question, which the card interrupted
    return reply + ([waiting] if waiting is not None else [])


async def _pause(turn: Turn, rows: list[tuple[Enrollment, Program]], until: date) -> None:
    for enrollment, _ in rows:
        enrollment.paused_until = until
        enrollment.updated_at = turn.now
        turn.session.add(enrollment)
    await _replan(turn, [e for e, _ in rows])
    for enrollment, program in rows:
        await _tell_partners(turn, enrollment, program, "commands/partner_paused", until=until)


async def _tell_partners(turn: Turn, enrollment: Enrollment, program: Program, template: str, **ctx) -> None:
    """The partner of each of the person's pairs hears that the pair is
    paused (until when) or running again; never why."""
    for pairing in await live_pairings(turn.session, enrollment):
        other_id = pairing.other_member(enrollment.id)
        other = await fetch(turn.session, Enrollment, other_id)
        await turn.tell(other.person_id, template, program=program, name=turn.person.name, **ctx)


@command("resume", params=(PROGRAM,))
async def resume(turn: Turn, args):
    return await _resume_in(turn, args.get("program"))


@on_pick("resume")
async def _resume_picked(turn: Turn, program: Program, extra: str) -> list[Outbound]:
    return await _resume_in(turn, program)


async def _resume_in(turn: Turn, ref: str | Program | None) -> list[Outbound]:
    """The end of a pause in one program: the only one paused, or the one
    named (asked which when several are)."""
    rows = await _active(turn)
    paused = [(e, p) for e, p in rows if is_paused(e, local_today(p, turn.now))]  # the program's day, as `status`
    if (
        ref is not None
        and not any(program_named(p, ref) for _, p in paused)
        and any(program_named(p, ref) for _, p in rows)
    ):
        return [turn.say("commands/not_paused")]  # a program of theirs, not paused
    if not paused:
        return [turn.say("commands/not_paused")]
    chosen = await choose(turn, paused, ref, command="resume")
    if isinstance(chosen, Question):
        return chosen.replies
    enrollment, program = chosen
    assert enrollment is not None, "a paused enrollment"
    enrollment.paused_until = None
    enrollment.updated_at = turn.now
    turn.session.add(enrollment)
    await _replan(turn, [enrollment])
    await _tell_partners(turn, enrollment, program, "commands/partner_resumed")  # `paused`: a pause in effect
    return [turn.say("commands/resumed", program=program, **await _back_to(turn, [enrollment]))]


async def _back_to(turn: Turn, paused: list[Enrollment]) -> dict:
    """What a pause kept from the person, and so what `resume` gives back:
    their pair's reminders, else a place among those to be matched, else
    (still signing up) the reminders, and matching once they are through."""
    paired = False
    for enrollment in paused:
        paired = paired or bool(await live_pairings(turn.session, enrollment))
    matching = any(e.status == EnrollmentStatus.ACTIVE for e in paused)
    return {"paired": paired, "matching": matching}


async def _replan(turn: Turn, enrollments: list[Enrollment]) -> None:
    for enrollment in enrollments:
        await plan.person_changed(turn, enrollment)


def confirm_card(turn: Turn, template: str, prefix: str, value: str, **ctx) -> Outbound:
    """A question with Yes/No buttons (`PREFIX.confirm` / `PREFIX.cancel`, carrying `value`);
    a yes or no typed right after it presses one of them (`bot.asked`)."""
    question = turn.render(template, **ctx)
    card = Card(
        (
            Text(question),
            Buttons(
                (
                    Button(f"{prefix}.confirm", turn.render("commands/button_yes"), value, "danger"),
                    Button(f"{prefix}.cancel", turn.render("commands/button_no"), value),
                )
            ),
        )
    )
    return turn.reply(question, card=card, kind=template)


def answered(turn: Turn, template: str, **ctx) -> list[Outbound]:
    """Reply, replacing the clicked card so its buttons cannot be used again."""
    return [turn.answered(template, **ctx)]


def pause_end(enrollment: Enrollment, program: Program, today: date) -> date | None:
    """The last day of a pause in effect, as far as this program goes (a
    pause is one program's, and ends with it at the latest); None when the
    person is not paused."""
    if not is_paused(enrollment, today):
        return None
    assert enrollment.paused_until is not None
    return min(enrollment.paused_until, program.end)
