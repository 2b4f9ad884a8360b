"""A program's lifecycle: draft -> active -> closing -> closed -> archived.

    draft     prepared (a new cohort); nothing is sent yet
    active    running: intake, matching, nudges, event reminders
    closing   the close-out has begun ("go on on your own?" is out); the
              pairs answer it; no more nudges or stall reports (they stop
              at the closing event's day: bot.reminders.closeout.nudges_stop)
    closed    the coordinator closed it; the retention clock starts
    archived  kept for the record only

One place says which statuses still send and which a coordinator works on.
"""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

DRAFT, ACTIVE, CLOSING, CLOSED, ARCHIVED = "draft", "active", "closing", "closed", "archived"
STATUSES = (DRAFT, ACTIVE, CLOSING, CLOSED, ARCHIVED)
# Programs whose people still get reminders, surveys and close-out questions.
RUNNING = (ACTIVE, CLOSING)
# Programs a coordinator may be working on without naming them.
WORKING = (DRAFT, ACTIVE, CLOSING)
# Programs that are over: their pairs and people are shown as they were.
OVER = (CLOSED, ARCHIVED)
NEXT = {DRAFT: ACTIVE, ACTIVE: CLOSING, CLOSING: CLOSED, CLOSED: ARCHIVED}


def is_running(program) -> bool:
    return program is not None and program.status in RUNNING


def is_over(program) -> bool:
    return program is not None and program.status in OVER


def has_ended(program, today: date) -> bool:
    """Over for its participants: closed or archived, or past its end date
    (`today` in the program's zone) though nobody has closed it yet."""
    return is_over(program) or (program is not None and today > program.end)


def ended_on(program) -> date:
    """The day a program that is over ended, in its zone: its end date, or
    the day it was closed if that came first."""
    if program.closed_at is None:
        return program.end
    return min(program.end, program.closed_at.astimezone(ZoneInfo(program.timezone)).date())
