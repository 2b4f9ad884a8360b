"""Telling people about approved pairs: the introductions, the program
channel's summary, and a kind word to the waitlist.

An introduction goes to a group DM with both when they are on the same Slack
workspace; otherwise each gets it in their own DM, in their own language.
"""

from __future__ import annotations

from functools import partial

from bot.dialogs.answers import MENTOR, answer_ctx, lines
from bot.matching.cohort import Cohort
from bot.messages import Address, Outbound, Platform, Where
from bot.people import address_of, locale_for, program_channel
from bot.programs import events, next_event
from bot.store.models import Pairing
from bot.turn import Turn

TOLD_WAITLIST = "waitlist_told_at"  # key in Enrollment.answers: the kind message went out


def group_address(first: Address | None, second: Address | None) -> Address | None:
    """A group DM with both, when both are on the same Slack workspace."""
    if first is None or second is None or not first.user or not second.user:
        return None
    if first.platform != Platform.SLACK or second.platform != Platform.SLACK or first.tenant != second.tenant:
        return None
    return Address(Platform.SLACK, first.tenant, user=f"{first.user},{second.user}", where=Where.GROUP)


def _who(cohort: Cohort, enrollment_id: int) -> dict:
    member = cohort.members[enrollment_id]
    return {"name": member.person.name, "org": member.org_name,
            "role_title": (member.enrollment.answers or {}).get("role_title")}


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
    shared_event = next((e for e in await events(turn.session, program)
                         if e.starts_at >= turn.now and e.audience == "all"), None)
    in_group, in_dms, unreachable = 0, 0, []
    ctx = await answer_ctx(turn.session, program)
    for row in pairs:
        adept, mentor = cohort.members[row.adept_id], cohort.members[row.mentor_id]
        context = dict(adept=_who(cohort, row.adept_id), mentor=_who(cohort, row.mentor_id),
                       topics=_shared_topics(row))

        def needs(locale: str) -> list:
            """The adept's needs and wishes as the mentor may read them, in `locale`."""
            render = partial(turn.core.translator.render, locale)
            return lines(adept.enrollment.answers or {}, "adept", ctx, render, MENTOR)

        group = group_address(await address_of(turn.session, adept.person.id),
                              await address_of(turn.session, mentor.person.id))
        if group is not None:
            locale = locale_for(None, program, turn.core.config)
            text = turn.core.translator.render(locale, "matching/intro_group", program=program,
                                               tz=program.timezone, event=shared_event, needs=needs(locale),
                                               **context)
            turn.extra.append(Outbound(text=text, to=group, kind="matching/intro_group"))
            in_group += 1
            continue
        for person, template, event in ((adept.person, "matching/intro_adept", adept_event),
                                        (mentor.person, "matching/intro_mentor", mentor_event)):
            extra = {"needs": needs(locale_for(person, program, turn.core.config))} if person is mentor.person else {}
            if await turn.tell(person.id, template, program=program, event=event, **context, **extra):
                in_dms += 1
            else:
                unreachable.append(person.name)
    channel = program_channel(program)
    if channel is not None:
        locale = locale_for(None, program, turn.core.config)
        names = [(_who(cohort, p.adept_id)["name"], _who(cohort, p.mentor_id)["name"]) for p in pairs]
        text = turn.core.translator.render(
            locale, "matching/channel_summary", program=program, count=len(pairs),
            names=names if program.names_in_channel else None, tz=program.timezone, event=shared_event,
        )
        turn.extra.append(Outbound(text=text, to=channel, kind="matching/channel_summary"))
    # The waitlist had to sit this round out; once told, they are back in the pool,
    # so the next `match` (late joiners, a mentor with room) considers them first.
    told = 0
    for enrollment_id in cohort.waitlisted:
        member = cohort.members[enrollment_id]
        if await turn.tell(member.person.id, "matching/waitlisted", program=program, event=adept_event):
            member.enrollment.waitlisted = False
            member.enrollment.answers = {**(member.enrollment.answers or {}), TOLD_WAITLIST: turn.now.isoformat()}
            turn.session.add(member.enrollment)
            told += 1
    return {"in_group": in_group, "in_dms": in_dms, "unreachable": unreachable,
            "channel": channel is not None, "waitlist_told": told}
