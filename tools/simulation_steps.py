"""The simulated year step by step, for the summary of `mentorbot simulate`
and for `make demo`: each step of the seed's calendar with its date and its
figures, read from the database and from what was sent (with its date)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlmodel import col, select

from adapters.console_render import render_text
from bot.messages import Buttons, Outbound
from bot.store.db import Database
from bot.store.models import Pairing, Program, ProgramEvent, SurveyResponse
from tools.simulation_cohort import STHLM

if TYPE_CHECKING:
    from tools.simulate import World

EVENTS = {
    "kickoff": "kickoff",
    "mentor_training": "coaching session for mentors",
    "inspiration": "inspiration meeting",
    "closing": "closing event",
}
# Steps `make demo` quotes one message of, besides the events' reminders, the surveys and the new
# cohort's invitations (the program's close and the new cohort are replies to the coordinator).
HIGHLIGHTS = (
    "surveys/thanks",
    "closeout/question",
    "closeout/goodbye_continuing",
    "closeout/goodbye_completed",
    "lifecycle/closed",
    "lifecycle/cohort_created",
    "lifecycle/stay_on",
)


def day(at: datetime) -> date:
    return at.astimezone(STHLM).date()


async def year_facts(db: Database) -> dict:
    """The programs, the first one's calendar, its pairs by outcome and the surveys answered."""
    async with db.read() as session:
        programs = list((await session.exec(select(Program).order_by(col(Program.id)))).all())
        first = programs[0]
        events = list(
            (
                await session.exec(
                    select(ProgramEvent)
                    .where(ProgramEvent.program_id == first.id)
                    .order_by(col(ProgramEvent.starts_at))
                )
            ).all()
        )
        conn = await session.connection()
        pairs = Counter(
            {
                (status, reason or ""): n
                for status, reason, n in (
                    await conn.execute(
                        sa.select(col(Pairing.status), col(Pairing.end_reason), sa.func.count())
                        .where(col(Pairing.program_id) == first.id)
                        .group_by(col(Pairing.status), col(Pairing.end_reason))
                    )
                ).all()
            }
        )
        surveys = dict(
            (
                await conn.execute(
                    sa.select(col(SurveyResponse.survey), sa.func.count())
                    .where(col(SurveyResponse.program_id) == first.id)
                    .group_by(col(SurveyResponse.survey))
                )
            ).all()
        )
    return {
        "first": first,
        "events": events,
        "pairs": pairs,
        "surveys": surveys,
        "next": next((p for p in programs if p.previous_id == first.id), None),
    }


def _survey_of(message: Outbound) -> str:
    """Which survey a survey message opens (its *Start* button's value is SURVEY:ENROLLMENT)."""
    for block in message.card.blocks if message.card else ():
        if isinstance(block, Buttons):
            return next((b.value.partition(":")[0] for b in block.buttons if b.action_id == "survey.start"), "")
    return ""


def steps(world: World, facts: dict) -> list[str]:
    """One line per step, in date order: its local date and what happened."""
    log = world.port.log
    first, after = facts["first"], facts["next"]
    found: list[tuple[date | None, str]] = []
    intros = [at for at, _, m in log if m.kind == "matching/intro_adept"]
    found.append(
        (day(intros[0]) if intros else None, f"pairs announced: {len(intros)} adepts told who their mentor is")
    )
    for event in facts["events"]:
        reminders = [
            at
            for at, _, m in log
            if m.kind == "scheduler/event_reminder" and event.starts_at - timedelta(days=8) < at <= event.starts_at
        ]
        since = f", the first on {day(reminders[0])}" if reminders else ""
        found.append((day(event.starts_at), f"{EVENTS.get(event.kind, event.kind)}: {len(reminders)} reminders{since}"))
    for survey in ("inspiration", "closeout"):
        found.append(_survey_step(log, facts, survey))
    found.append(_closeout_step(log, facts["pairs"]))
    if first.closed_at is not None:
        at_close = facts["pairs"].get(("completed", "program closed"), 0)
        found.append(
            (
                day(first.closed_at),
                f"program close: {first.name} is {first.status}; pairs that never "
                f"answered, completed by the close: {at_close}",
            )
        )
    else:
        found.append((None, f"program close: not done, {first.name} is {first.status}"))
    if after is not None:
        since = after.created_at or first.closed_at
        stay = sum(m.kind == "lifecycle/stay_on" for _, _, m in log)
        invited = sum(m.kind == "commands/invitation" and since is not None and at >= since for at, _, m in log)
        found.append(
            (
                day(after.created_at) if after.created_at else None,
                f"second cohort: {after.name} from {first.name}, {after.status}, starts {after.start}; "
                f"invitations sent: {stay} mentors asked to stay on, {invited} new adepts invited",
            )
        )
    else:
        found.append((None, "second cohort: not created"))
    found.sort(key=lambda step: step[0] or date.max)
    return [f"  {when or '-'!s:<10}  {text}" for when, text in found]


def _survey_step(log, facts: dict, survey: str) -> tuple[date | None, str]:
    sent = [at for at, _, m in log if m.kind == "surveys/survey" and _survey_of(m) == survey]
    reminded = sum(m.kind == "surveys/survey_reminder" and _survey_of(m) == survey for _, _, m in log)
    name = "inspiration survey" if survey == "inspiration" else "close-out survey (the reflection questions)"
    return (
        day(sent[0]) if sent else None,
        f"{name}: asked {len(sent)}, reminded {reminded}, answered {facts['surveys'].get(survey, 0)}",
    )


def _closeout_step(log, pairs: Counter) -> tuple[date | None, str]:
    asked = [at for at, _, m in log if m.kind == "closeout/question"]
    silent = pairs.get(("completed", "program closed"), 0) + pairs.get(("announced", ""), 0)
    return (
        day(asked[0]) if asked else None,
        f'"continue on your own?": asked {len(asked)} people; pairs continuing '
        f"{pairs.get(('continuing', 'close-out'), 0)}, completed {pairs.get(('completed', 'close-out'), 0)}, "
        f"no answer {silent}",
    )


def highlights(world: World, facts: dict) -> list[str]:
    """One message of each step (the first), dated, as the transcript shows it."""
    sent = sorted([*world.port.log, *((at, who, m) for at, who, _typed, m in world.replies)], key=lambda x: x[0])
    # (kind, from, until, survey): the first message of that kind sent in [from, until], of that survey
    picks: list[tuple[str, datetime | None, datetime | None, str | None]] = [("matching/intro_adept", None, None, None)]
    picks += [("scheduler/event_reminder", e.starts_at - timedelta(days=8), e.starts_at, None) for e in facts["events"]]
    picks += [("surveys/survey", None, None, survey) for survey in ("inspiration", "closeout")]
    picks += [(kind, None, None, None) for kind in HIGHLIGHTS]
    if facts["next"] is not None:  # the new cohort's invitations
        picks.append(("commands/invitation", facts["next"].created_at, None, None))
    found = []
    for kind, since, until, survey in picks:
        first = next(
            (
                (at, who, m)
                for at, who, m in sent
                if m.kind == kind
                and (since is None or at >= since)
                and (until is None or at <= until)
                and (survey is None or _survey_of(m) == survey)
            ),
            None,
        )
        if first is not None:
            found.append(first)
    found.sort(key=lambda x: x[0])
    return [
        f"{at.astimezone(STHLM):%Y-%m-%d %H:%M} → {who} [{message.kind}]\n      "
        + render_text(message).replace("\n", "\n      ")
        for at, who, message in found
    ]
