"""Telling people about approved pairs: the introductions, the program
channel's summary, and a kind word to the waitlist.

An introduction goes to a group DM with both when they are on the same Slack
workspace; otherwise each gets it in their own DM, in their own language.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any

from bot.addresses import program_channel
from bot.dialogs.answers import MENTOR, answer_ctx, lines
from bot.matching.cohort import LATER, TOLD_IDLE, TOLD_UNMATCHED, TOLD_WAITLIST, Cohort
from bot.matching.model import Unmatched, UnmatchedCode
from bot.messages import Address, Button, Buttons, Card, Outbound, Platform, Text, Where
from bot.people import locale_for
from bot.programs import events, next_event
from bot.store.models import Pairing, PairStatus
from bot.store.rows import pk
from bot.turn import Turn

YIELD_EVERY = 50  # pairs between two turns of the loop in a big announcement


def group_address(first: Address | None, second: Address | None) -> Address | None:
    """A group DM with both, when both are on the same Slack workspace."""
    if first is None or second is None or not first.user or not second.user:
        return None
    if first.platform != Platform.SLACK or second.platform != Platform.SLACK or first.tenant != second.tenant:
        return None
    return Address(Platform.SLACK, first.tenant, user=f"{first.user},{second.user}", where=Where.GROUP)


def _who(cohort: Cohort, enrollment_id: int) -> dict:
    member = cohort.members[enrollment_id]
    return {
        "name": member.person.name,
        "org": member.org_name,
        "role_title": (member.enrollment.answers or {}).get("role_title"),
    }


def _shared_topics(row: Pairing) -> list[str]:
    for reason in row.rationale:
        if reason["code"] == "shared_topics":
            return list(reason["value"])
    return []


async def announce_pairs(turn: Turn, cohort: Cohort, pairs: list[Pairing]) -> dict:
    """Queue every message (sent after the turn commits); returns the counts."""
    program = cohort.program
    adept_event = await next_event(turn.session, program, turn.now, "adept")
    mentor_event = await next_event(turn.session, program, turn.now, "mentor")
    shared_event = next(
        (e for e in await events(turn.session, program) if e.starts_at >= turn.now and e.audience == "all"), None
    )
    in_group, in_dms, unreachable = 0, 0, []
    ctx = await answer_ctx(turn.session, program)
    await turn.know_addresses(pk(cohort.members[i].person) for row in pairs for i in (row.adept_id, row.mentor_id))
    for n, row in enumerate(pairs, 1):
        if n % YIELD_EVERY == 0:
            await asyncio.sleep(0)  # a big announcement lets the loop answer others (acks, sends) meanwhile
        adept, mentor = cohort.members[row.adept_id], cohort.members[row.mentor_id]
        context: dict[str, Any] = dict(
            adept=_who(cohort, row.adept_id), mentor=_who(cohort, row.mentor_id), topics=_shared_topics(row)
        )

        def needs(locale: str) -> list:
            """The adept's needs and wishes as the mentor may read them, in `locale`."""
            render = partial(turn.core.translator.render, locale)
            return lines(adept.enrollment.answers or {}, "adept", ctx, render, MENTOR)  # noqa: B023 (called in this iteration)

        adept_at = await turn.address_of(pk(adept.person))
        mentor_at = await turn.address_of(pk(mentor.person))
        group = group_address(adept_at, mentor_at)
        if group is not None:
            locale = locale_for(None, program, turn.core.config)
            text = turn.core.translator.render(
                locale,
                "matching/intro_group",
                program=program,
                tz=program.timezone,
                event=shared_event,
                needs=needs(locale),
                **context,
            )
            # A group DM that cannot be opened: each gets the same words in their DM.
            turn.post(
                Outbound(text=text, to=group, kind="matching/intro_group", locale=locale),
                fallback=(adept_at, mentor_at),
            )
            in_group += 1
            continue
        for person, template, event in (
            (adept.person, "matching/intro_adept", adept_event),
            (mentor.person, "matching/intro_mentor", mentor_event),
        ):
            extra: dict[str, Any] = (
                {"needs": needs(locale_for(person, program, turn.core.config))} if person is mentor.person else {}
            )
            if await turn.tell(pk(person), template, program=program, event=event, **context, **extra):
                in_dms += 1
            else:
                unreachable.append(person.name)
    channel = program_channel(program)
    if channel is not None:
        locale = locale_for(None, program, turn.core.config)
        names = [(_who(cohort, p.adept_id)["name"], _who(cohort, p.mentor_id)["name"]) for p in pairs]
        text = turn.core.translator.render(
            locale,
            "matching/channel_summary",
            program=program,
            count=len(pairs),
            names=names if program.names_in_channel else None,
            tz=program.timezone,
            event=shared_event,
        )
        turn.post(Outbound(text=text, to=channel, kind="matching/channel_summary", locale=locale))
    for row in pairs:  # a waitlisted adept who now has a mentor is off the list
        paired = cohort.members[row.adept_id].enrollment
        paired.waitlisted = False
        paired.answers = {k: v for k, v in (paired.answers or {}).items() if k not in (TOLD_WAITLIST, TOLD_UNMATCHED)}
        turn.session.add(paired)
    # The waitlist had to sit this round out; once told, they stay on the list (and
    # in its count) but are back in the pool, so the next `match` considers them.
    told = 0
    for enrollment_id in cohort.waitlisted:
        member = cohort.members[enrollment_id]
        if await turn.tell(pk(member.person), "matching/waitlisted", program=program, event=adept_event):
            _mark(turn, member.enrollment, TOLD_WAITLIST)
            told += 1
    return {
        "in_group": in_group,
        "in_dms": in_dms,
        "unreachable": unreachable,
        "channel": channel is not None,
        "waitlist_told": told,
    }


def _heard(cohort: Cohort, u: Unmatched, aside: list[dict]) -> str:
    """The reason as the adept hears it, naming nobody: when a mentor with
    room was kept from them only for having been their mentor before, that
    (not "they all have their adepts"); when only a coordinator's exclusion
    kept one, that the coordinator chose other pairs; when every mentor who
    fits is full, "they already have their adepts"; when some are paused or
    not yet approved, only that they have no place now."""
    if any(m["why"] == "previous" for m in aside):
        return "previous_has_room"
    if aside:
        return "coordinator_choice"
    if (
        u.reason_code is UnmatchedCode.MENTORS_UNAVAILABLE
        and isinstance(u.detail, tuple)
        and all(cohort.unavailable_view(m)["why"] in ("full", "pinned") for m in u.detail)
    ):
        return str(UnmatchedCode.CAPACITY_TAKEN)
    return str(u.reason_code)


def _mark(turn: Turn, enrollment, key: str, value=None) -> None:
    enrollment.answers = {**(enrollment.answers or {}), key: turn.now.isoformat() if value is None else value}
    turn.session.add(enrollment)


async def tell_the_unpaired(turn: Turn, cohort: Cohort, unmatched, idle_mentors) -> dict:
    """After an announcement: each adept still without a mentor hears why, in
    words, and what happens next; each mentor without an adept is told kindly
    and asked whether they would take one later (once)."""
    program = cohort.program
    adept_event = await next_event(turn.session, program, turn.now, "adept")
    told_adepts = 0
    aside = cohort.set_aside({u.adept_id for u in unmatched})
    for u in unmatched:
        member = cohort.members[u.adept_id]
        code = _heard(cohort, u, aside.get(u.adept_id, []))
        if await turn.tell(
            pk(member.person), "matching/unmatched_notice", program=program, event=adept_event, code=code
        ):
            _mark(turn, member.enrollment, TOLD_UNMATCHED)
            told_adepts += 1
    told_mentors = 0
    for mentor_id in idle_mentors:
        member = cohort.members[mentor_id]
        if TOLD_IDLE in (member.enrollment.answers or {}) or LATER in (member.enrollment.answers or {}):
            continue
        # A mentor whose pair ended during the year is not one "there were more
        # mentors than mentees" for: they hear that their pair ended and no new
        # mentee came this time.
        ended = any(p.mentor_id == mentor_id and p.status == PairStatus.ENDED for p in cohort.pairings)

        def card(render: Callable[..., str], v: str = str(mentor_id), ended: bool = ended) -> Card:
            return Card(
                (
                    Text(render("matching/idle_mentor", program=program, ended=ended)),
                    Buttons(
                        (
                            Button("idle.later", render("matching/button_later_yes"), v, "primary"),
                            Button("idle.not", render("matching/button_later_no"), v),
                        )
                    ),
                )
            )

        if await turn.tell(pk(member.person), "matching/idle_mentor", program=program, ended=ended, card=card):
            _mark(turn, member.enrollment, TOLD_IDLE)
            told_mentors += 1
    return {"unmatched_told": told_adepts, "idle_told": told_mentors}
