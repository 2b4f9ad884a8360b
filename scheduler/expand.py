"""A reminder row for "the coordinators" (`TO_COORDINATORS`) becomes one row
per coordinator when the dispatcher claims it (`scheduler.dispatcher`)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from bot.config import Config
from bot.coordinators import coordinator_people
from bot.reminders.store import Planned, insert_if_absent, run
from bot.store.db import Database
from bot.store.models import Reminder, ReminderStatus
from bot.store.rows import table_of
from scheduler.record import Claimed

T = table_of(Reminder)
SENT, FAILED = ReminderStatus.SENT.value, ReminderStatus.FAILED.value


async def expand(db: Database, config: Config, now: datetime, rows: list[Claimed]) -> int:
    """A row for "the coordinators" becomes one row per coordinator (each
    with its own key, language and retries); the original is done. Each
    keeps `to`, so it is read in its coordinator's own language
    (`bot.reminders.render`), not the program's."""
    made = 0
    async with db.write() as session:
        people = await coordinator_people(session, config)
        for row in rows:
            context = dict(row.context)
            children = [
                Planned(
                    key=f"{row.key}:person{p.id}",
                    kind=row.kind,
                    template=row.template,
                    due_at=now,
                    subject=row.subject or "",
                    program_id=row.program_id,
                    person_id=p.id,
                    context=context,
                )
                for p in people
            ]
            made += await insert_if_absent(session, children, now)
            status, note = (
                (SENT, f"expanded to {len(children)} coordinators")
                if children
                else (FAILED, "no coordinator the bot can reach is configured")
            )
            await run(
                session,
                sa.update(T)
                .where(T.c.id == row.id)
                .values(status=status, lease_until=None, sent_at=now if children else None, last_error=note),
            )
    return made
