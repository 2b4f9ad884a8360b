"""From a claimed reminder row to a message in the reader's language.

Rendering happens at send time, from the live state: an event that moved
since planning is shown at its new time, a pair that ended gets no nudge.
`prepare` returns a `Ready` (where and what to send), a `Skip` (the row is no
longer wanted: it is cancelled, not sent) or an `Unreachable`. What each kind
says is declared in `bot.reminders.kinds`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import outbox
from bot.addresses import newest_reachable
from bot.config import Config
from bot.i18n import Translator
from bot.language import locale_for, open_dialogue_locale
from bot.lifecycle import RUNNING
from bot.messages import Address, Outbound, OutboxRef, Where
from bot.outbox import address_from_dict
from bot.people import identity_of, own_locale
from bot.ports import DeliveryError
from bot.reminders.kinds import Skip, kind_of
from bot.reminders.planner import TO_COORDINATORS
from bot.store.models import Identity, Person, Program
from bot.store.rows import pk

__all__ = ["Ready", "Renderer", "Skip", "Unreachable"]


@dataclass(frozen=True)
class Ready:
    to: Address
    message: Outbound


@dataclass(frozen=True)
class Unreachable:
    """The recipient cannot be reached at all (no identity): fail the row."""

    error: DeliveryError


class Renderer:
    def __init__(self, config: Config, translator: Translator):
        self.config = config
        self.translator = translator

    async def prepare(self, session: AsyncSession, row, now: datetime) -> Ready | Skip | Unreachable:
        """`now` is the moment it is sent (the injected clock's), from which
        its words count time ("tomorrow")."""
        kind = kind_of(row.kind)
        if kind is None:
            return Skip(f"unknown reminder kind {row.kind!r}")
        person: Person | None = None
        found: Address | None = None
        if row.person_id and not kind.prebuilt:
            # Its reader, where to reach them and its program: one statement.
            person, found, program = await _reader(session, row.person_id, row.program_id)
        if person is None:
            program = await session.get(Program, row.program_id) if row.program_id else None
        if program is not None and program.status not in RUNNING and not kind.while_closed:
            return Skip("the program is closed")
        if kind.prebuilt:  # written whole by the turn that decided it
            to = address_from_dict(row.address)
            if to.where == Where.DM and to.user and await _marked_unreachable(session, to):
                # Not tried again: the recorder holds it until they write (scheduler/record.py).
                return Unreachable(DeliveryError("they are marked unreachable", permanent=True))
            return Ready(
                to,
                replace(
                    outbox.decode(row.context["message"], to), outbox=OutboxRef(row.id, row.key, to, row.person_id)
                ),
            )
        if person is not None:
            if found is None:
                return Unreachable(
                    DeliveryError(
                        "no reachable identity: they have not talked to the bot "
                        "or every identity is marked unreachable",
                        permanent=True,
                    )
                )
            to = found
            # About an open dialogue (an unfinished intake): in its language.
            dialogue = (
                await open_dialogue_locale(session, pk(person), pk(program))
                if kind.dialogue and program is not None
                else None
            )
            locale = (
                # A coordinator's note (a row for "the coordinators", expanded): in her own language.
                await own_locale(session, person, self.config)
                if row.context.get("to") == TO_COORDINATORS
                else locale_for(person, program, self.config, dialogue=dialogue)
            )
            tz = program.timezone if program else self.config.bot.timezone
        elif row.address:
            to = address_from_dict(row.address)
            locale = program.locale if program else self.config.bot.locale
            tz = program.timezone if program else self.config.bot.timezone
        else:
            return Skip("no recipient")
        built = await (
            kind.build(session, row, program, person, now=now)
            if kind.timed
            else kind.build(session, row, program, person)
        )
        if isinstance(built, Skip):
            return built
        ctx, card = built

        def render(name: str, /, **kw) -> str:
            kw.setdefault("tz", tz)  # the program's zone, named when the reader's differs
            kw.setdefault("reader_tz", person.timezone if person is not None else None)
            kw.setdefault("written_at", now)  # a date in another year says its year (`bot.i18n`)
            return self.translator.render(locale, name, **kw)

        text = render(row.template, **ctx)
        return Ready(
            to,
            Outbound(
                text=text,
                card=card(render, text) if card else None,
                to=to,
                kind=row.template,
                locale=locale,
                outbox=OutboxRef(row.id, row.key, to, row.person_id),
            ),
        )


# A reminder's reader, their identities (newest first) and the row's
# program (None without one), in one statement built once.
_READER = (
    select(Person, Identity, Program)
    .select_from(
        sa.outerjoin(
            sa.outerjoin(Person, Identity, col(Identity.person_id) == col(Person.id)),
            Program,
            col(Program.id) == sa.bindparam("program_id"),
        )
    )
    .where(col(Person.id) == sa.bindparam("person_id"))
    .order_by(col(Identity.id).desc())
)


async def _reader(
    session: AsyncSession, person_id: int, program_id: int | None
) -> tuple[Person | None, Address | None, Program | None]:
    """The person, where to reach them (`bot.addresses.address_of`) and the
    program; all None when there is no such person."""
    rows = (await session.exec(_READER, params={"person_id": person_id, "program_id": program_id})).all()
    if not rows:
        return None, None, None
    person, _, program = rows[0]
    return person, newest_reachable(identity for _, identity, _ in rows if identity is not None), program


async def _marked_unreachable(session: AsyncSession, to: Address) -> bool:
    identity = await identity_of(session, str(to.platform), to.tenant, to.user or "")
    return identity is not None and identity.unreachable
