"""The one entry point of the conversation core: `Core.handle(inbound)`.

Adapters translate a platform request into an `Inbound`, call `handle`, and
send back what it returns: replies (`to=None`) where the inbound came from,
everything else through the outbound port of the addressee's platform.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot import dialogs
from bot.clock import Clock, SystemClock
from bot.commands import load_all
from bot.commands.registry import COORDINATOR, Command, find_action, find_command, parse_args, tokenize
from bot.config import Config
from bot.errors import UserError
from bot.i18n import Translator, default_translator, normalise_locale
from bot.inputs import clean_inbound
from bot.messages import Address, Inbound, Kind, Outbound, Where
from bot.people import identity_of, is_coordinator, locale_for, person_for_actor
from bot.ratelimit import RateLimit
from bot.store.db import Database
from bot.store.models import Enrollment, Program, ProcessedEvent
from bot.tenants import tenant_allowed
from bot.turn import Turn

log = logging.getLogger(__name__)

_LEADING = re.compile(r"^\s*(?:/?mentor\b[:,]?\s*)", re.IGNORECASE)


class _RolledBack(Exception):
    """A person's mistake: the turn is rolled back and `answer` explains it."""

    def __init__(self, answer: Outbound):
        super().__init__(answer.kind)
        self.answer = answer


def _personal(message: Outbound) -> bool:
    """A reply of a dialogue (its questions, summaries, cards)."""
    return message.to is None and message.replace is None and (message.kind or "").startswith("dialogs/")


class Core:
    def __init__(
        self,
        db: Database,
        config: Config | None = None,
        clock: Clock | None = None,
        translator: Translator | None = None,
        rate_limit: RateLimit | None = None,
    ):
        self.db = db
        self.config = config or Config()
        self.clock = clock or SystemClock()
        self.translator = translator or default_translator()
        # Identity keys known to exist, so a turn skips the first-contact check.
        self._known: set[str] = set()
        self._refused: set[str] = set()  # people from elsewhere, already told once
        self.rate_limit = rate_limit or RateLimit()
        load_all()

    # ----------------------------------------------------------------- API

    async def handle(self, inbound: Inbound) -> list[Outbound]:
        """Answer one inbound event. Never raises for anything a person did."""
        locale = locale_for(None, None, self.config)
        inbound = clean_inbound(inbound)  # no NUL, no control characters, nothing unbounded
        try:
            if not await self._allowed(inbound):
                return self._refusal(inbound)
            pace = self.rate_limit.take(inbound.actor.key)
            if pace != "ok":  # a flood: one polite word, then nothing, and no database work
                return [self._error(locale, UserError("errors/slow_down"), inbound)] if pace == "warn" else []
            await self._meet(inbound)
            async with self.db.write() as session:
                if inbound.event_id and not await self._first_time(session, inbound):
                    return []
                turn = await self._turn(session, inbound)
                locale = turn.locale
                try:
                    replies = await self._route(turn)
                except UserError as err:
                    # Render while the objects it names are still loaded, then roll back.
                    raise _RolledBack(self._error(locale, err, inbound)) from err
                return replies + turn.extra
        except _RolledBack as rolled_back:
            return [rolled_back.answer]
        except UserError as err:
            # The transaction was rolled back; answer with what was wrong.
            return [self._error(locale, err, inbound)]
        except IntegrityError:
            if inbound.event_id:
                log.info("duplicate delivery of %s ignored", inbound.event_id)
                return []
            log.exception("integrity error handling %s", inbound)
            return [self._error(locale, UserError("errors/internal"), inbound)]
        except Exception:
            log.exception("unexpected error handling %s", inbound)
            return [self._error(locale, UserError("errors/internal"), inbound)]

    def command_for(self, inbound: Inbound) -> Command | None:
        """The command an inbound would run, if any (adapters use `.slow`
        to decide whether to acknowledge before the work is done)."""
        if inbound.kind not in (Kind.TEXT, Kind.COMMAND):
            return None
        try:
            return find_command(tokenize(_LEADING.sub("", inbound.text)))[0]
        except UserError:
            return None

    def progress(self, inbound: Inbound) -> Outbound:
        """'Working on it' in the actor's platform language, for slow commands."""
        locale = normalise_locale(inbound.actor.locale) or self.config.bot.locale
        return Outbound(text=self.translator.render(locale, "core/working"), ephemeral=True, kind="core/working",
                        locale=locale)

    # ------------------------------------------------------------- internals

    async def _meet(self, inbound: Inbound) -> None:
        """Create the person on first contact in a transaction of its own, so
        a first message that fails (a typo) still leaves them known."""
        actor = inbound.actor
        if actor.key in self._known:
            return
        async with self.db.read() as session:
            if await identity_of(session, actor.platform, actor.tenant, actor.user_id):
                self._remember(actor.key)
                return
        try:
            async with self.db.write() as session:
                await person_for_actor(session, actor, self.clock.now())
        except IntegrityError:  # a concurrent first message created them
            pass
        self._remember(actor.key)

    async def _allowed(self, inbound: Inbound) -> bool:
        """From a workspace or tenant an organisation names (see `bot.tenants`)?"""
        async with self.db.read() as session:
            return await tenant_allowed(session, self.config, inbound.actor)

    def _refusal(self, inbound: Inbound) -> list[Outbound]:
        """One polite refusal per person and process; nothing is stored."""
        key = inbound.actor.key
        if key in self._refused:
            return []
        if len(self._refused) > 100_000:
            self._refused.clear()
        self._refused.add(key)
        locale = normalise_locale(inbound.actor.locale) or self.config.bot.locale
        return [Outbound(text=self.translator.render(locale, "errors/tenant_not_allowed"), ephemeral=True,
                         kind="errors/tenant_not_allowed", locale=locale)]

    def _remember(self, key: str) -> None:
        if len(self._known) > 100_000:  # a cache, not a registry: start over
            self._known.clear()
        self._known.add(key)

    async def _first_time(self, session, inbound: Inbound) -> bool:
        key = f"{inbound.actor.platform}:{inbound.event_id}"
        if await session.get(ProcessedEvent, key) is not None:
            return False
        session.add(ProcessedEvent(key=key, at=self.clock.now()))
        await session.flush()
        return True

    async def _turn(self, session, inbound: Inbound) -> Turn:
        person, identity = await person_for_actor(session, inbound.actor, self.clock.now())
        program = await self._current_program(session, person.id)
        coordinator = await is_coordinator(session, self.config, person, inbound.actor, self.clock.now())
        return Turn(
            core=self,
            inbound=inbound,
            session=session,
            person=person,
            identity=identity,
            is_coordinator=coordinator,
            locale=locale_for(person, program, self.config),
            tz=person.timezone or (program.timezone if program else self.config.bot.timezone),
        )

    async def _current_program(self, session, person_id: int) -> Program | None:
        query = (
            select(Program)
            .join(Enrollment, Enrollment.program_id == Program.id)
            .where(Enrollment.person_id == person_id, Program.status == "active")
            .order_by(Program.id.desc())
        )
        program = (await session.exec(query)).first()
        if program is None:
            program = (await session.exec(select(Program).where(Program.status == "active").order_by(Program.id))).first()
        return program

    async def _route(self, turn: Turn) -> list[Outbound]:
        inbound = turn.inbound
        if inbound.kind in (Kind.ACTION, Kind.FORM):
            handler = find_action(inbound.action_id or "")
            if handler is None:
                raise UserError("errors/stale_action")
            return await handler(turn)
        if inbound.kind == Kind.OPENED:
            return await self._run(turn, ["home"])
        text = inbound.text if inbound.kind == Kind.COMMAND else _LEADING.sub("", inbound.text)
        if inbound.kind == Kind.TEXT and inbound.where.where == Where.DM:  # answers are given in private only
            answered = await dialogs.continue_active(turn, text)
            if answered is not None:
                return answered
        tokens = tokenize(text)
        if not tokens:
            tokens = ["help"]
        return self._keep_private(turn, await self._run(turn, tokens))

    @staticmethod
    def _keep_private(turn: Turn, replies: list[Outbound]) -> list[Outbound]:
        """A dialogue started in a channel or group (`join` there) goes on in
        the person's DM: its questions and answers are theirs alone."""
        inbound = turn.inbound
        if inbound.where.where == Where.DM or not any(_personal(m) for m in replies):
            return replies
        actor = inbound.actor
        dm = Address(actor.platform, actor.tenant, user=actor.user_id, where=Where.DM)
        moved = [replace(m, to=dm, ephemeral=False) if _personal(m) else m for m in replies]
        return [turn.say("core/continue_in_dm", ephemeral=True)] + moved

    async def _run(self, turn: Turn, tokens: list[str]) -> list[Outbound]:
        cmd, rest = find_command(tokens)
        if cmd.role == COORDINATOR and not turn.is_coordinator:
            await turn.audit("refused", command=cmd.name)  # kept: the turn commits
            return [turn.say("errors/not_coordinator", command=cmd.name, ephemeral=True)]
        args = parse_args(cmd, rest)
        replies = await cmd.handler(turn, args)
        if cmd.role == COORDINATOR:
            await turn.audit(cmd.name, **{k: v for k, v in args.items() if v is not None})
        return replies

    def _error(self, locale: str, err: UserError, inbound: Inbound) -> Outbound:
        try:
            text = self.translator.render(locale, err.template, **err.context)
        except Exception:  # a template bug must not become a stack trace for the user
            log.exception("rendering error template %s", err.template)
            text = self.translator.render(locale, "errors/internal")
        return Outbound(text=text, ephemeral=True, kind=err.template, locale=locale)
