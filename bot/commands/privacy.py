"""A participant's rights over their own data: see it (`mydata`), leave a
program (`leave`), withdraw consent (`consent withdraw`), and be forgotten
(`forget`). Each destructive command asks first with Yes/No buttons; the
rules live in `bot.privacy`."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import col, select

from bot.commands.participant import SIGNING_UP, _active, _pair_view, answered, confirm_card
from bot.commands.registry import Param, action, command
from bot.commands.which import Question, choose, on_pick
from bot.coordinators import coordinator_rights
from bot.errors import stale_button
from bot.inputs import parse_int
from bot.lifecycle import has_ended, is_over
from bot.matching.offers import offer_match
from bot.meetings import local_today
from bot.messages import Attachment, Outbound
from bot.privacy.erase import erase_person
from bot.privacy.leaving import end_participation
from bot.programs import live_pairings, my_enrollments, past_pairings
from bot.roster import is_paused
from bot.store.models import GONE, EndReason, Identity, Meeting, Organisation, Pairing, Program
from bot.store.rows import pk
from bot.turn import Turn


async def _ask_about(turn: Turn, ref: str | Program | None, command: str, template: str, prefix: str) -> list[Outbound]:
    """The Yes/No question of a `leave` or `consent withdraw` about one
    running program of the person's (asked which first when they are in
    several); it says the pair ends only when the person has a pair there
    that leaving ends (a pair the coordinator already ended is not theirs to end)."""
    # Only invited: nothing to withdraw (no consent given), but an invitation may be left (declined).
    chosen = await choose(turn, await _active(turn, invited=prefix == "leave"), ref, command=command)
    if isinstance(chosen, Question):
        return chosen.replies
    enrollment, program = chosen
    paired = enrollment is not None and bool(await live_pairings(turn.session, enrollment))
    return [confirm_card(turn, template, prefix, str(program.id), program=program, paired=paired)]


@command("leave", params=(Param("program", required=False),))
async def leave(turn: Turn, args):
    return await _ask_about(turn, args["program"], "leave", "commands/leave_confirm", "leave")


@on_pick("leave")
async def _leave_picked(turn: Turn, program: Program, extra: str) -> list[Outbound]:
    return await _ask_about(turn, program, "leave", "commands/leave_confirm", "leave")


async def _end_in_program_of_card(turn: Turn, reason: str) -> Program:
    """End the person's part in the program named on the clicked card."""
    number = parse_int(turn.inbound.value or "", low=1)
    program = await turn.session.get(Program, number) if number is not None else None
    if program is None:
        raise stale_button()
    rows = [
        e for e, p in await my_enrollments(turn.session, pk(turn.person)) if p.id == program.id and e.status not in GONE
    ]
    # A stale or someone else's button: nothing to leave, no one to tell (a sign-up declined
    # or cancelled since the card was asked is over too, as one left is).
    if not rows:
        raise stale_button()
    for enrollment in rows:
        await end_participation(turn, enrollment, program, reason=reason)
    return program


@action("leave.")
async def leave_answer(turn: Turn):
    if turn.inbound.action_id != "leave.confirm":
        return answered(turn, "commands/leave_kept")
    program = await _end_in_program_of_card(turn, EndReason.LEFT)
    await offer_match(turn, program)  # an adept who left frees a mentor's place
    await turn.audit("leave", program=program)
    return answered(turn, "commands/left", program=program)


@command("consent", "withdraw", params=(Param("program", required=False),))
async def consent_withdraw(turn: Turn, args):
    return await _ask_about(turn, args["program"], "consent withdraw", "privacy/withdraw_confirm", "consent")


@on_pick("consent-withdraw")
async def _withdraw_picked(turn: Turn, program: Program, extra: str) -> list[Outbound]:
    return await _ask_about(turn, program, "consent withdraw", "privacy/withdraw_confirm", "consent")


@action("consent.")
async def consent_answer(turn: Turn):
    if turn.inbound.action_id != "consent.confirm":
        return answered(turn, "privacy/withdraw_kept")
    program = await _end_in_program_of_card(turn, EndReason.CONSENT_WITHDRAWN)
    # The organisation was given in the intake, under the consent now withdrawn; a program whose intake
    # they went through and still take part in needs it (matching, status). One they declined, cancelled
    # or left does not, nor one they are only invited to or still in the intake of: its intake asks
    # for the organisation again (whether or not one is known) and keeps the answer at its end.
    through = [
        e for e, _ in await my_enrollments(turn.session, pk(turn.person)) if e.status not in (*GONE, *SIGNING_UP)
    ]
    if not through:
        turn.person.organisation_id = None
        turn.session.add(turn.person)
    await turn.audit("consent.withdrawn", program=program)
    return answered(turn, "privacy/withdrawn", program=program)


@command("mydata")
async def mydata(turn: Turn, args):
    from bot.dialogs.answers import SELF, answer_lines, draft_lines, shares_wishes
    from bot.personal_data import as_json, everything_about

    idents = (await turn.session.exec(select(Identity).where(Identity.person_id == turn.person.id))).all()
    org = await turn.session.get(Organisation, turn.person.organisation_id) if turn.person.organisation_id else None
    enrollments = await my_enrollments(turn.session, pk(turn.person))
    # Who reads the answers depends on the role, as the consent text of that role said.
    consented = [e for e, _ in enrollments if e.consent_at is not None or e.answers]
    rows = []
    for enrollment, program in enrollments:
        # Every pair the person was told of, running or not: with whom, since and until when, its status.
        pairings = await past_pairings(turn.session, enrollment)
        views = await _pair_view(turn, enrollment, pairings)
        pairs = [{**v, "since": p.announced_at, "until": p.ended_at} for v, p in zip(views, pairings, strict=True)]
        today = local_today(program, turn.now)
        meetings = (
            await turn.session.exec(
                select(Meeting)
                .join(Pairing, col(Pairing.id) == col(Meeting.pairing_id))
                .where((Pairing.adept_id == enrollment.id) | (Pairing.mentor_id == enrollment.id))
            )
        ).all()
        rows.append(
            {
                "program": program,
                "enrollment": enrollment,
                "pairs": pairs,
                "meetings": len(meetings),
                "over": is_over(program),  # their participation is past (labels/status/, `over`)
                # The stored pause is shown as stored, but as in force only while it lasts in a program not over.
                "pause_current": is_paused(enrollment, today) and not has_ended(program, today),
                "answers": await answer_lines(turn.session, program, enrollment, turn.render, SELF),
                # An intake in progress: its answers so far, not submitted (the reply is ephemeral).
                "draft": await draft_lines(turn.session, program, enrollment, turn.render),
            }
        )
    data = as_json(await everything_about(turn.session, pk(turn.person)))
    reply = turn.say(
        "commands/mydata",
        person=turn.person,
        organisation=org.name if org else None,
        identities=idents,
        rows=rows,
        roles=[role for role in ("adept", "mentor") if any(e.role == role for e in consented)],
        kept_wishes=any(e.role == "adept" and not shares_wishes(e.answers or {}) for e in consented),
        ephemeral=True,
        privacy=turn.core.config.privacy,
    )
    return [
        replace(
            reply, files=(Attachment("mydata.json", "application/json", data, turn.render("commands/mydata_file")),)
        )
    ]


@command("forget")
async def forget(turn: Turn, args):
    """Asks first; a coordinator is also told what becomes of their rights
    (`bot.coordinators.coordinator_rights`): entries added in chat go with the
    rest, one in the configuration stays."""
    rights = await coordinator_rights(turn.session, turn.core.config, turn.person) if await turn.coordinates() else None
    return [
        confirm_card(
            turn,
            "commands/forget_confirm",
            "forget",
            str(turn.person.id),
            coordinator=rights.source if rights else None,
            last=rights is not None and not rights.others,
        )
    ]


@action("forget.")
async def forget_answer(turn: Turn):
    if turn.inbound.value != str(turn.person.id):  # someone else's card, or a forged one
        raise stale_button()
    if turn.inbound.action_id != "forget.confirm":
        return answered(turn, "commands/forget_kept")
    for enrollment, program in await my_enrollments(turn.session, pk(turn.person)):
        if enrollment.status not in GONE:
            await end_participation(
                turn, enrollment, program, reason=EndReason.FORGOTTEN, named=False, delete_answers=False
            )  # erase_person deletes them, and more
    await erase_person(turn.session, turn.person, turn.now, tombstone=turn.render("commands/forgotten_name"))
    # The answer goes to an account that no longer exists: its row keeps nothing once sent.
    return [replace(m, transient=True) for m in answered(turn, "commands/forgotten")]
