"""One turn of conversation: who spoke, in which transaction, in which
language, and the helpers a handler needs to answer.

Every handler (command, action, dialogue step) gets a `Turn`. The whole turn
runs inside one write transaction: if the handler raises, nothing it wrote is
kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.addresses import address_of, addresses_of
from bot.coordinators import is_coordinator
from bot.errors import UserError
from bot.language import locale_for
from bot.lifecycle import DRAFT, RUNNING, WORKING
from bot.messages import Address, Attachment, Card, Inbound, MessageRef, Outbound, Text
from bot.outbox import Queued
from bot.people import own_locale
from bot.store.models import AuditLog, Enrollment, Identity, Person, Program

if TYPE_CHECKING:
    from bot.core import Core


@dataclass
class Turn:
    core: Core
    inbound: Inbound
    session: AsyncSession
    person: Person
    identity: Identity
    locale: str  # the language of its replies (`bot.language`; see `about`)
    tz: str  # the program's time zone: times are shown in it ...
    reader_tz: str | None = None  # ... and named when the person lives in another
    # Messages to other people and channels: written to the outbox with the
    # turn's replies when the turn commits (see `bot.outbox.stage`).
    extra: list[Queued] = field(default_factory=list)
    # What the command's `prepare` step computed before this transaction.
    prepared: object = None
    # The program this turn's command worked on (for the audit log).
    program_in_use: Program | None = None
    # The turn runs a coordinator's command: with several programs running
    # and none chosen or named, it asks which, whatever she takes part in.
    coordinator_command: bool = False
    # The words typed after the command's name, as typed (`words.Word`), for
    # an answer that writes the line out another way (`arguments.longer_org`).
    words: list[str] = field(default_factory=list)
    # The person's current program, as the turn found it (held, so that later
    # `session.get(Program, id)` calls of this turn are answered from memory).
    current_program: Program | None = None
    # Whether a button press of the person's is on record (see bot.presses.first_press).
    pressed: bool = False
    # The outbox row of the Yes/No question the person's previous turn asked (`bot.asked`).
    asked: int | None = None
    # What the question whose Yes runs this command named (`bot.commands.confirm.ask`'s
    # `as_of`); None for a command typed, or a question that named nothing others change.
    as_asked: str | None = None
    # Whether the person coordinates, once asked (see `coordinates`).
    _coordinator: bool | None = None
    # Where other people are reached, as this turn looked them up (`address_of`).
    _addresses: dict[int, Address | None] = field(default_factory=dict)

    async def address_of(self, person_id: int) -> Address | None:
        """Where to reach a person (`bot.addresses.address_of`), looked up once a turn."""
        if person_id not in self._addresses:
            self._addresses[person_id] = await address_of(self.session, person_id)
        return self._addresses[person_id]

    async def know_addresses(self, person_ids: Iterable[int]) -> None:
        """Look up where many people are reached in one statement, ahead of
        telling them (an announcement tells every member of every pair)."""
        wanted = [i for i in person_ids if i not in self._addresses]
        if wanted:
            self._addresses.update(await addresses_of(self.session, wanted))

    async def coordinates(self) -> bool:
        """Whether the person coordinates: looked up the first time a turn
        asks (most turns, an answer to a question, never do), then remembered."""
        if self._coordinator is None:
            self._coordinator = await is_coordinator(
                self.session, self.core.config, self.person, self.inbound.actor, self.now
            )
        return self._coordinator

    @property
    def now(self) -> datetime:
        return self.core.clock.now()

    @property
    def today(self) -> date:
        """The clock's day in the turn's time zone (the program's): the day a
        typed `idag` names (`bot.commands.dates`)."""
        return self.now.astimezone(ZoneInfo(self.tz)).date()

    @property
    def actor_key(self) -> str:
        return self.inbound.actor.key

    # ------------------------------------------------------------- language

    def about(self, program: Program, *, dialogue: str | None = None, working: bool = False) -> None:
        """From here on the turn speaks about `program` (a command works on
        it, a card of it was clicked, a dialogue about it starts or goes on,
        with `dialogue` its language): in the language `bot.language` gives
        for it, times in its zone. `working`: a coordinator works on it, and
        the replies stay in her own language (the turn's), whatever the
        program's is."""
        if not working:
            self.locale = locale_for(self.person, program, self.core.config, dialogue=dialogue)
        self.tz = program.timezone

    # ------------------------------------------------------------ sentences

    def render(self, template: str, /, **ctx) -> str:
        ctx.setdefault("tz", self.tz)
        ctx.setdefault("reader_tz", self.reader_tz)
        ctx.setdefault("written_at", self.now)  # a date in another year says its year (`bot.i18n`)
        ctx.setdefault("privacy", self.core.config.privacy)  # consent texts say how long answers are kept
        return self.core.translator.render(self.locale, template, **ctx)

    def say(self, template: str, /, *, card: Card | None = None, ephemeral: bool = False, **ctx) -> Outbound:
        """A reply to the person in this turn, rendered in their language."""
        return self.reply(self.render(template, **ctx), kind=template, card=card, ephemeral=ephemeral)

    def reply(
        self,
        text: str,
        /,
        *,
        kind: str,
        card: Card | None = None,
        ephemeral: bool = False,
        replace: MessageRef | None = None,
    ) -> Outbound:
        """A reply to the person in this turn whose text (and card) were
        rendered with `render`: the one way a handler builds its own message,
        so it always carries the reader's language, which the adapters use for
        the words they add themselves (a menu's "Choose", a form's "Send")."""
        return Outbound(text=text, card=card, ephemeral=ephemeral, replace=replace, kind=kind, locale=self.locale)

    def answered(self, template: str, /, **ctx) -> Outbound:
        """A reply that replaces the clicked card (where the platform can), so
        its buttons cannot be pressed twice."""
        return self.reply(self.render(template, **ctx), kind=template, replace=self.inbound.message)

    async def tell(
        self,
        person_id: int,
        template: str,
        /,
        *,
        program: Program | None = None,
        card: Callable[[Callable[..., str]], Card] | None = None,
        files: Callable[[Callable[..., str]], tuple[Attachment, ...]] | None = None,
        shown: tuple[Address, MessageRef] | None = None,
        as_coordinator: bool = False,
        **ctx,
    ) -> bool:
        """Queue a message to another person, rendered in *their* language.
        `card` and `files`, if given, build the card and the attached files
        from a render function in that language. `shown`, if given, is a
        message of theirs the platform already shows (where it was sent, and
        its reference): the words replace it there, and go to them as a new
        message should the platform not take the update (the row's fallback).
        `as_coordinator`: they are told as a coordinator, in the language their
        own replies are in (`bot.people.own_locale`), not the program's, as a
        coordinator's replies about a program stay in hers (`about`).
        Returns False when the person has no reachable identity."""
        person = await self.session.get(Person, person_id)
        address = await self.address_of(person_id)
        if person is None or address is None:
            return False
        locale = (
            await own_locale(self.session, person, self.core.config)
            if as_coordinator
            else locale_for(person, program, self.core.config)
        )
        tz = program.timezone if program else self.tz

        def render(name: str, /, **kw) -> str:
            kw.setdefault("tz", tz)
            kw.setdefault("reader_tz", person.timezone)
            kw.setdefault("written_at", self.now)
            return self.core.translator.render(locale, name, **kw)

        if program is not None:
            ctx.setdefault("program", program)
        text = render(template, **ctx)
        to, replacing, fallback = (shown[0], shown[1], (address,)) if shown else (address, None, ())
        self.post(
            Outbound(
                text=text,
                card=with_text_first(card(render), text) if card else None,
                to=to,
                replace=replacing,
                kind=template,
                locale=locale,
                files=files(render) if files else (),
            ),
            person_id=person_id,
            fallback=fallback,
        )
        return True

    def post(self, message: Outbound, *, person_id: int | None = None, fallback: tuple = ()) -> None:
        """Queue a message already rendered for its reader (`message.to` set):
        a channel post, a group introduction with each member's DM as
        `fallback` when the group cannot be opened."""
        self.extra.append(Queued(message, person_id, tuple(fallback)))

    # ------------------------------------------------------------- lookups

    async def program(self, ref: str | Program | None = None) -> Program:
        """The program named by slug or name (any status), else the one this
        coordinator chose with `program use`, else the only running one (or,
        for a participant's command, the only running one she takes part in). The turn is about it
        from here on (`about`); a coordinator's replies stay in her language."""
        found = ref if isinstance(ref, Program) else await self._find_program(ref)
        self.program_in_use = found
        self.about(found, working=await self.coordinates())
        return found

    async def _find_program(self, ref: str | None) -> Program:
        programs = list((await self.session.exec(select(Program).order_by(col(Program.id)))).all())
        if ref:
            wanted = ref.strip().lower()
            for p in programs:
                if p.slug == wanted or p.name.lower() == wanted:
                    return p
            raise UserError("errors/unknown_program", ref=ref, known=[p.slug for p in programs])
        if self.person.coordinating_program_id and await self.coordinates():
            chosen = next((p for p in programs if p.id == self.person.coordinating_program_id), None)
            if chosen is not None and chosen.status in WORKING:
                return chosen
        live = [p for p in programs if p.status in RUNNING]
        if not live:
            raise await self.no_program(programs)
        if len(live) > 1:
            mine = [] if self.coordinator_command else await self._my_programs(live)
            if len(mine) == 1:
                return mine[0]
            # `program use` is a coordinator's: a participant is shown only `program=`.
            raise UserError(
                "errors/program_ambiguous", known=[p.slug for p in live], coordinator=await self.coordinates()
            )
        return live[0]

    async def no_program(self, programs: list[Program] | None = None) -> UserError:
        """No program is running (or open to the person): a participant is
        told the coordinator will invite them; a coordinator, of the drafts
        there are (a next cohort) and how to open them, else how to create one."""
        coordinator = await self.coordinates()
        if programs is None:
            programs = list((await self.session.exec(select(Program).order_by(col(Program.id)))).all())
        drafts = [p for p in programs if p.status == DRAFT] if coordinator else []
        return UserError("errors/no_program", coordinator=coordinator, drafts=drafts)

    async def _my_programs(self, programs: list[Program]) -> list[Program]:
        ids = set(
            (await self.session.exec(select(Enrollment.program_id).where(Enrollment.person_id == self.person.id))).all()
        )
        return [p for p in programs if p.id in ids]

    # --------------------------------------------------------------- audit

    async def audit(self, action: str, /, program: Program | None = None, **detail) -> None:
        self.session.add(
            AuditLog(
                at=self.now,
                actor=self.actor_key,
                program_id=program.id if program else None,
                action=action,
                detail={k: _jsonable(v) for k, v in detail.items()},
            )
        )


def _jsonable(value):
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def with_text_first(card: Card, text: str) -> Card:
    """The card is the message's body (bot/messages.py): it opens with the
    message's own text, which a renderer otherwise shows only as the
    notification (an invitation's "Hej! Evelina bjuder in dig…" was lost)."""
    first = card.blocks[0] if card.blocks else None
    if isinstance(first, Text) and first.text == text:
        return card
    return replace(card, blocks=(Text(text), *card.blocks))
