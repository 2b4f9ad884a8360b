"""After a change the core asks the planner (`bot.reminders.planner`) to turn
the new state into reminder rows in the same transaction, so a rolled-back
turn plans nothing. This module is the one seam between the rules and the
calendar: handlers call these, never the planner directly."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.reminders import planner

if TYPE_CHECKING:
    from bot.turn import Turn


async def event_changed(turn: Turn, event) -> None:
    await planner.plan_event(turn.session, event, turn.now)
    from bot.store.models import Program
    from bot.store.rows import fetch

    if event.kind == "inspiration":  # its survey follows it: moved, cancelled or planned with it
        from bot.reminders.surveys import replan_inspiration_survey

        await replan_inspiration_survey(turn.session, await fetch(turn.session, Program, event.program_id), turn.now)
    if event.kind == "closing":  # "go on on your own?" is asked at it, and nudges stop on its day
        from bot.reminders.closeout import move_closeout

        program = await fetch(turn.session, Program, event.program_id)
        await move_closeout(turn.session, program)
        await planner.plan_pairs(turn.session, program, turn.now)


async def pair_changed(turn: Turn, pairing) -> None:
    await planner.plan_pair(turn.session, pairing, turn.now)


async def program_changed(turn: Turn, program) -> None:
    await planner.plan_program(turn.session, program, turn.now)


async def pair_snoozed(turn: Turn, pairing, days: int = 7):
    """Move the pair's next nudge `days` on (about a week; 0 = the next
    allowed day from today); returns the day it lands on."""
    return await planner.snooze_pair(turn.session, pairing, turn.now, days)


async def intake_started(turn: Turn, enrollment) -> None:
    await planner.plan_intake_reminder(turn.session, enrollment, turn.now)


async def person_changed(turn: Turn, enrollment) -> None:
    """Someone joined, was announced, paused, resumed or left: their reminders, now."""
    await turn.session.flush()
    await planner.plan_person(turn.session, enrollment, turn.now)
