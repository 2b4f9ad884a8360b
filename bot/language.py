"""Which language a person reads a message in: one rule, for the replies of
a turn (`bot.core`, `bot.turn`), a dialogue's questions (`bot.dialogs`) and
what the dispatcher sends later (`bot.reminders.render`).

The first of these that gives a language (Swedish or English) decides:

1. **Their own choice**: `language sv|en` (`språk sv|en`).
2. **A dialogue's own language**, for its questions, the answers to them
   and its reminder: the language it started in, kept with its state, so a
   dialogue never changes language halfway (a consent in one language goes
   on in it after `ja`, whatever the person joins or the program's setting
   does meanwhile).
3. **Their platform's**: the language of their Slack or Teams client.
4. **The language they began in**: their first intake's
   (`person.started_locale`), so a program's language changed later
   (`program set locale=`) does not switch people who have started: the
   program's language is the default only for those who have not.
5. **The program the message is about**: a reminder's, a clicked card's,
   the one `join` names, a dialogue's when it starts. A turn about no one
   program (`status`, `help`, `mina uppgifter`) is about the running
   program the person joined first and has not left
   (`bot.people.turn_start`), so joining a program in another language
   changes nothing for the first.
6. **The installation's** `bot.locale`: for someone in no running program,
   whatever other programs run.

The words a command is typed in are no sign: every command has its Swedish
and its English words and both work whatever the reader's language
(`bot.commands.swedish`), so `hjälp` in an English installation is answered
in English and `status` is both languages' word.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Config
from bot.i18n import normalise_locale
from bot.store.models import DialogState, Person, Program

# Where a dialogue keeps the language it started in (`DialogState.data`).
DIALOGUE_KEY = "locale"


def locale_for(person: Person | None, program: Program | None, config: Config, *, dialogue: str | None = None) -> str:
    """The language `person` reads a message about `program` in (None: about
    no program), `dialogue` being the language of the dialogue it belongs
    to, if any. The rule is this module's."""
    for candidate in (
        person.locale if person else None,
        dialogue,
        person.platform_locale if person else None,
        person.started_locale if person else None,
        program.locale if program else None,
    ):
        if loc := normalise_locale(candidate):
            return loc
    return config.bot.locale


_OPEN_DIALOGUE = (
    select(DialogState.data)
    .where(
        col(DialogState.person_id) == sa.bindparam("person_id"),
        col(DialogState.program_id) == sa.bindparam("program_id"),
        col(DialogState.status) == "active",  # bot.dialogs.flow.ACTIVE
    )
    .order_by(col(DialogState.updated_at).desc())
    .limit(1)
)


async def open_dialogue_locale(session: AsyncSession, person_id: int, program_id: int) -> str | None:
    """The language of the person's open dialogue about a program (an
    unfinished intake), for what the dispatcher sends about it."""
    data = (await session.exec(_OPEN_DIALOGUE, params={"person_id": person_id, "program_id": program_id})).first()
    return (data or {}).get(DIALOGUE_KEY)


async def following_program(session: AsyncSession, program: Program) -> int:
    """How many of the program's people (not those who are not taking part:
    left, declined, cancelled their sign-up) read it in the program's
    language for want of their own: no language chosen, no platform's, none
    begun in. A change of the program's language reaches them, and only them."""
    from bot.store.models import GONE, Enrollment

    rows = await session.exec(
        select(Person.id)
        .join(Enrollment, col(Enrollment.person_id) == col(Person.id))
        .where(
            Enrollment.program_id == program.id,
            col(Enrollment.status).not_in(GONE),
            col(Person.locale).is_(None),
            col(Person.platform_locale).is_(None),
            col(Person.started_locale).is_(None),
        )
        .distinct()
    )
    return len(rows.all())
