"""The one entry point of the conversation core: `Core.handle(inbound)`.

Adapters translate a platform request into an `Inbound`, call `handle`, and
send back what it returns: replies (`to=None`) where the inbound came from,
everything else through the outbound port of the addressee's platform.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from sqlalchemy.exc import IntegrityError

from bot import dialogs, routing
from bot.asked import remember
from bot.clock import Clock, SystemClock
from bot.commands import load_all
from bot.commands.arguments import parse_args
from bot.commands.registry import (
    COORDINATOR,
    Command,
    lookup_command,
)
from bot.commands.words import tokenize
from bot.config import Config
from bot.errors import UserError
from bot.i18n import Translator, normalise_locale, translator_for
from bot.inputs import MAX_MESSAGE, clean_inbound, longest
from bot.language import locale_for
from bot.messages import Inbound, Kind, Outbound
from bot.outbox import default_worker, stage
from bot.people import (
    identity_of,
    person_for_actor,
    reachable_again,
    reader_locale,
    turn_start,
)
from bot.presses import asked_row, first_press, first_time, press_key, press_prefix
from bot.ratelimit import RateLimit
from bot.routing import LEADING, RolledBack
from bot.store.db import Database
from bot.telemetry import note_refusal, observe_turn
from bot.tenants import OwnTenants, allowed_at_once, tenant_allowed
from bot.turn import Turn

log = logging.getLogger(__name__)


class _Tried(Exception):
    """How a tried press went (`Core.would_take`); raised to roll its transaction back."""

    def __init__(self, taken: bool):
        super().__init__(taken)
        self.taken = taken


class Core:
    def __init__(
        self,
        db: Database,
        config: Config | None = None,
        clock: Clock | None = None,
        translator: Translator | None = None,
        worker: str | None = None,
        rate_limit: RateLimit | None = None,
    ):
        self.db = db
        self.config = config or Config()
        self.clock = clock or SystemClock()
        self.translator = translator or translator_for(self.config)
        # Identity keys known to exist, so a turn skips the first-contact check.
        self._known: set[str] = set()
        # Who holds the lease on the rows this core's turns write (the
        # dispatcher recording the adapter's sends uses the same name).
        self.worker = worker or default_worker()
        self._refused: set[str] = set()  # people from elsewhere, already told once
        # The install's own workspace and tenant, always let in (`bot.tenants`);
        # the Slack adapter learns its workspace at start.
        self.own_tenants = OwnTenants(self.config)
        self.rate_limit = rate_limit or RateLimit()
        load_all()

    # ----------------------------------------------------------------- API

    async def view(self, inbound: Inbound) -> list[Outbound]:
        """What a turn would answer, for a surface the adapter draws itself
        (Slack's Home tab): nothing is written to the outbox and the event is
        not deduplicated, so a redelivered `app_home_opened` shows the same view."""
        await self._meet(inbound)
        async with self.db.write() as session:
            turn, _ = await self._begin(session, replace(inbound, event_id=None))
            try:
                return await routing.route(turn)
            except UserError as err:
                return [self.error_reply(turn.locale, err, inbound)]
            except RolledBack as rolled_back:
                return [rolled_back.answer, *rolled_back.after]

    async def open_question(self, inbound: Inbound) -> Outbound | None:
        """The question the person's open dialogue waits on, as it asks it
        (nothing is written): for an adapter that shows it again to someone
        coming back, as the console does at start and under `kort`."""
        async with self.db.read() as session:
            turn, _ = await self._begin(session, inbound, quiet=True)
            question = await dialogs.open_question(turn)
            return replace(question, locale=question.locale or turn.locale) if question is not None else None

    async def would_take(self, press: Inbound) -> bool:
        """Whether a press (a button of a card that came earlier) would be
        taken now rather than refused as stale (a closed program's event, a
        pair that has ended, a question already answered) or not allowed:
        its handler runs in a transaction that is always rolled back, so
        nothing is written, sent or recorded as pressed. For an adapter
        that lists or shows again cards that came earlier (the console's
        `cards`): the handlers that refuse a stale press decide, once."""
        if press.kind != Kind.ACTION:
            return False
        await self._meet(press)
        try:
            async with self.db.write() as session:
                turn, _ = await self._begin(session, replace(press, event_id=None), quiet=True)
                try:
                    replies = await routing.route(turn)
                except (UserError, RolledBack):
                    raise _Tried(False) from None
                raise _Tried(not any(m.refused for m in replies))
        except _Tried as tried:
            return tried.taken
        except Exception:  # a handler's bug: the card is kept, and pressing it says what went wrong
            log.exception("trying a press of %s", press.action_id)
            return True

    @observe_turn
    async def handle(self, inbound: Inbound) -> list[Outbound]:
        """Answer one inbound event. Never raises for anything a person did.

        Every message returned is already an outbox row (`Outbound.outbox`),
        written in the turn's transaction and claimed for the caller to send
        at once; replies have `to=None`. A platform's redelivery of an event
        already handled returns nothing: its rows exist, and what was not yet
        sent the dispatcher sends."""
        locale = locale_for(None, None, self.config)
        typed = longest(inbound)  # before it is bounded: a message too long is refused, not cut
        inbound = clean_inbound(inbound)  # no NUL, no control characters, nothing unbounded
        try:
            if not await self._allowed(inbound):
                return self._refusal(inbound)
            pace = self.rate_limit.take(inbound.actor.key)
            if pace != "ok":  # a flood: one polite word, then nothing, and no database work
                return [self.error_reply(locale, UserError("errors/slow_down"), inbound)] if pace == "warn" else []
            if typed > MAX_MESSAGE:  # none of it is read: its length and the limit, in their language
                too_long = UserError("errors/message_too_long", length=typed, max=MAX_MESSAGE)
                reader = await reader_locale(self.db, inbound.actor, self.config)
                return await self._answer_alone(inbound, self.error_reply(reader, too_long, inbound))
            await self._meet(inbound)
            prepared = await self._prepare(inbound)
            async with self.db.write() as session:
                if inbound.event_id and not await first_time(session, inbound, self.clock.now()):
                    return []
                turn, pressed = await self._begin(session, inbound)
                if not await first_press(session, inbound, self.clock.now(), pressed):
                    return []  # the same button on the same card again: a double click
                turn.prepared = prepared
                locale = turn.locale
                try:
                    replies = await routing.route(turn)
                except UserError as err:
                    # Render while the objects it names are still loaded, then
                    # roll back; in the language the turn had come to speak.
                    raise RolledBack(self.error_reply(turn.locale, err, inbound)) from err
                staged = await stage(
                    session,
                    inbound,
                    replies,
                    turn.extra,
                    now=self.clock.now(),
                    worker=self.worker,
                    speaker_id=turn.person.id,
                )
                await remember(session, inbound, staged[: len(replies)], self.clock.now())  # a Yes/No question
                return staged
        except RolledBack as rolled_back:
            return await self._answer_alone(inbound, rolled_back.answer, *rolled_back.after)
        except UserError as err:
            # The transaction was rolled back; answer with what was wrong.
            return await self._answer_alone(inbound, self.error_reply(locale, err, inbound))
        except IntegrityError:
            if inbound.event_id or press_key(inbound):
                log.info("duplicate delivery of %s ignored", inbound.event_id)
                return []
            log.exception("integrity error handling %s", inbound.facts())
            return await self._answer_alone(inbound, self.error_reply(locale, UserError("errors/internal"), inbound))
        except Exception:
            log.exception("unexpected error handling %s", inbound.facts())
            return await self._answer_alone(inbound, self.error_reply(locale, UserError("errors/internal"), inbound))

    async def _answer_alone(self, inbound: Inbound, answer: Outbound, *after: Outbound) -> list[Outbound]:
        """A turn that was rolled back still answers, once: the answer (and
        what follows it) and the event's dedupe record are written together
        in a transaction of their own, so a redelivery of the same event is
        not answered again."""
        try:
            async with self.db.write() as session:
                if inbound.event_id and not await first_time(session, inbound, self.clock.now()):
                    return []
                return await stage(session, inbound, [answer, *after], [], now=self.clock.now(), worker=self.worker)
        except IntegrityError:  # a concurrent delivery of the same event answered it
            return []
        except Exception:  # the database itself is down: say so without a row
            log.exception("could not record the answer to %s", inbound.event_id or inbound.kind)
            return [answer]

    def command_for(self, inbound: Inbound) -> Command | None:
        """The command an inbound would run, if any (adapters use `.slow`
        to decide whether to acknowledge before the work is done)."""
        if inbound.kind not in (Kind.TEXT, Kind.COMMAND):
            return None
        try:
            found = lookup_command(tokenize(LEADING.sub("", inbound.text)))
        except UserError:  # an unbalanced quote: an answer, or the turn itself says what is wrong
            return None
        return found[0] if found is not None else None

    async def progress(self, inbound: Inbound) -> Outbound:
        """'Working on it' in the person's language (their `language` choice
        over the client's), for slow commands."""
        locale = await reader_locale(self.db, inbound.actor, self.config)
        return Outbound(
            text=self.translator.render(locale, "core/working"), ephemeral=True, kind="core/working", locale=locale
        )

    # ------------------------------------------------------------- internals

    async def _meet(self, inbound: Inbound) -> None:
        """Create the person on first contact, or note that an account a
        coordinator named has now written (`Identity.spoke_at`), in a
        transaction of its own, so a first message that fails (a typo) still
        leaves them known."""
        actor = inbound.actor
        if actor.key in self._known:
            return
        async with self.db.read() as session:
            known = await identity_of(session, actor.platform, actor.tenant, actor.user_id)
            if known is not None and known.spoke_at is not None:
                self._remember(actor.key)
                return
        try:
            async with self.db.write() as session:
                await person_for_actor(session, actor, self.clock.now())
        except IntegrityError:  # a concurrent first message created them
            pass
        self._remember(actor.key)

    async def _allowed(self, inbound: Inbound) -> bool:
        """From the install's own workspace or tenant, or one an organisation
        names (`bot.tenants`)? Read only when the organisations must tell."""
        at_once = allowed_at_once(self.own_tenants, inbound.actor)
        if at_once is not None:
            return at_once
        async with self.db.read() as session:
            return await tenant_allowed(session, self.own_tenants, inbound.actor)

    def _refusal(self, inbound: Inbound) -> list[Outbound]:
        """One polite refusal per person and process; nothing is stored."""
        key = inbound.actor.key
        if key in self._refused:
            return []
        if len(self._refused) > 100_000:
            self._refused.clear()
        self._refused.add(key)
        locale = normalise_locale(inbound.actor.locale) or self.config.bot.locale
        return [
            Outbound(
                text=self.translator.render(locale, "errors/tenant_not_allowed"),
                ephemeral=True,
                kind="errors/tenant_not_allowed",
                locale=locale,
                refused=True,
            )
        ]

    def _remember(self, key: str) -> None:
        if len(self._known) > 100_000:  # a cache, not a registry: start over
            self._known.clear()
        self._known.add(key)

    async def _prepare(self, inbound: Inbound):
        """A command's slow part (`Command.prepare`) in a read transaction,
        before the turn takes the write lock; None when there is none, the
        person may not run the command, or its input is wrong (the turn
        itself then answers that)."""
        cmd = self.command_for(inbound)
        if cmd is None or cmd.prepare is None:
            return None
        try:
            async with self.db.read() as session:
                turn, _ = await self._begin(session, inbound, quiet=True)
                if cmd.role == COORDINATOR and not await turn.coordinates():
                    return None
                found = lookup_command(tokenize(LEADING.sub("", inbound.text)))  # `cmd` above
                return await cmd.prepare(turn, parse_args(cmd, found[1] if found else [], turn.today))
        except UserError:
            return None

    async def _begin(self, session, inbound: Inbound, *, quiet: bool = False) -> tuple[Turn, tuple[str, ...]]:
        # The turn, and the person's press records (`first_press`), read with their program in one statement.
        person, identity, pressed, program = await turn_start(
            session, inbound.actor, self.clock.now(), press_prefix(inbound)
        )
        if not quiet:
            await reachable_again(session, identity, self.clock.now())  # they wrote: held messages go now
        return Turn(
            core=self,
            inbound=inbound,
            session=session,
            person=person,
            identity=identity,
            locale=locale_for(person, program, self.config),
            tz=program.timezone if program else self.config.bot.timezone,
            reader_tz=person.timezone,
            current_program=program,
            pressed=bool(pressed),
            asked=asked_row(pressed),
        ), pressed

    async def run_line(self, turn: Turn, text: str) -> list[Outbound]:
        """Run a command line in this turn (a confirmed command runs again with `confirm=yes`)."""
        return await routing.run_line(turn, text)

    def error_reply(self, locale: str, err: UserError, inbound: Inbound) -> Outbound:
        note_refusal(err.template)
        try:
            # `today`: an example date the reader can use as it is (`träffats` refuses a future one);
            # `written_at`: a date in another year says its year (`bot.i18n`).
            now = self.clock.now()
            today = now.date().isoformat()
            text = self.translator.render(locale, err.template, **{"today": today, "written_at": now, **err.context})
        except Exception:  # a template bug must not become a stack trace for the user
            log.exception("rendering error template %s", err.template)
            text = self.translator.render(locale, "errors/internal")
        return Outbound(text=text, ephemeral=True, kind=err.template, locale=locale, refused=True)
