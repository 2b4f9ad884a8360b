"""The Slack app: bolt's `AsyncApp` wired to the core.

Every listener acknowledges at once, before any database work, and does the
work after the ack, in a background task: Slack gets its answer in
milliseconds whatever the core does, and a slow command (matching, a long
report) first tells the person it is coming. The flow of one turn is always the same: Slack payload ->
`adapters.slack.inbound` -> `core.handle` -> replies where the person spoke,
other messages through `runtime.delivery`, the clicked message marked answered.

Request signatures are checked at the HTTP edge (`adapters.slack.payload`)
and again by bolt's request verification, which is always on; the Web API
client points at `slack.api_url`. At start, before the first request, the
adapter learns which workspace the bot token belongs to
(`adapters.slack.workspace`): that workspace is let in (`bot.tenants`).
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import replace
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack import home, workspace
from adapters.slack.files import upload_files
from adapters.slack.inbound import SOCKET_DELIVERY, Click, from_action, from_command, from_event, request_id
from adapters.slack.mrkdwn import mrkdwn
from adapters.slack.outbound import SlackPort
from adapters.slack.render import answered_blocks, labels_for
from adapters.slack.response_url import RESPONSE_URL_USES, response_url_handle, trusted_response_url
from bot.clicked import answers_clicked
from bot.markup import Trusted
from bot.messages import Actor, Address, Inbound, Outbound, Sent, Where
from bot.people import identity_of, reader_locale
from bot.ports import DeliveryError
from bot.presses import handled_before
from bot.store.models import Person
from bot.tenants import tenant_allowed

log = logging.getLogger(__name__)

# Messages one turn may post to the same conversation without being spaced
# out (a reply and the next question); Slack tolerates such short bursts.
INTERACTIVE_BURST = 3
# Turns run at the same time. Acks share the event loop with the turns, so a
# flood of concurrent turns would queue every new ack behind their steps; a
# few at a time keeps acks in milliseconds while the rest wait their turn
# (and SQLite serialises writers anyway: more concurrency only adds lock waits).
TURNS_AT_ONCE_SQLITE = 2
TURNS_AT_ONCE = 8
# A turn starts this long after its request was answered. Its first
# milliseconds are CPU-bound, and started at once they held back the ack's
# arrival at the other end: in bench/slack_ack.py (2 cores), a plain 3 ms
# busy loop in place of the turn put the p99 at 1.9-2.4x a bare bolt app,
# the same 1 ms later at 0.86-1.04x. The process has to sleep (the CPU is
# free meanwhile): only yielding to the loop (`sleep(0)`) did not help.
ACK_HEAD_START = 0.001


class SlackAdapter:
    """Owns the bolt app, the outbound port and the background turns."""

    def __init__(self, runtime, *, port: SlackPort | None = None):
        cfg = runtime.config.slack
        self.runtime = runtime
        self.core = runtime.core
        self.port = port or SlackPort(
            cfg.bot_token,
            cfg.api_url,
            locale=runtime.config.bot.locale,
            channel_burst=INTERACTIVE_BURST,
            clock=runtime.clock,
        )
        runtime.delivery.register(self.port)
        self.app = AsyncApp(
            client=self.port.client,
            signing_secret=cfg.signing_secret,
            request_verification_enabled=True,
            process_before_response=True,  # listeners only ack and spawn; see `_spawn`
            name="mentorbot",
        )
        self._tasks: set[asyncio.Task] = set()
        self._prefilled: set[str] = set()  # identity keys whose profile was read this run
        self._turn_slots = asyncio.Semaphore(TURNS_AT_ONCE_SQLITE if runtime.db.sqlite else TURNS_AT_ONCE)
        self._http: aiohttp.ClientSession | None = None  # for response_url answers
        self._register()

    # ---------------------------------------------------------------- start

    async def start(self, _app: object = None) -> None:
        """Learn the workspace the bot token belongs to and let it in
        (`adapters.slack.workspace`); an aiohttp `on_startup` hook, so before
        the server takes its first request. Raises `ConfigError`."""
        team, enterprise, answer = await workspace.ask(self.port.client, self.runtime.config.slack)
        self.core.own_tenants.learn("slack", team, enterprise)
        workspace.hand_to_bolt(self.app, answer)
        log.info("Slack: installed in workspace %s%s", team, f" of Enterprise Grid {enterprise}" if enterprise else "")

    # ------------------------------------------------------------ listeners

    def _register(self) -> None:
        app, command = self.app, self.runtime.config.slack.command

        @app.command(command)
        async def on_command(ack, body, request, context):
            # Nothing before the ack reads the database: the "working on it"
            # of a slow command (in the person's language, which is stored)
            # goes through the response_url from the turn. A replay of the
            # request (its signature: `request_id`), or an envelope Slack
            # sent again over Socket Mode, is dropped by the turn.
            await ack()
            inbound = replace(from_command(body), event_id=_delivery_id(request, context))
            response_url = self._slack_url(body.get("response_url"))
            if response_url:  # its replies answer through it while it lasts
                inbound = replace(inbound, in_place=response_url_handle(response_url, self.runtime.clock.now()))
            self._spawn(self._turn(inbound, response_url=response_url, progress=True))

        @app.event("message")
        async def on_message(body, context):
            inbound = from_event(body, context.bot_user_id)
            if inbound is not None:
                self._spawn(self._turn(inbound, progress=True))

        @app.event("app_mention")
        async def on_mention(body, context):
            inbound = from_event(body, context.bot_user_id)
            if inbound is not None:
                self._spawn(self._turn(inbound, progress=True))

        @app.event("app_home_opened")
        async def on_home(body, context):
            inbound = from_event(body, context.bot_user_id)
            if inbound is not None:
                self._spawn(self._home(inbound))

        @app.action(re.compile(".*"))
        async def on_action(ack, body, request, context):
            await ack()
            click = from_action(body)
            if click is not None:
                inbound = replace(click.inbound, event_id=_delivery_id(request, context))
                click = replace(click, inbound=inbound, response_url=self._slack_url(click.response_url))
                self._spawn(self._click(click))

    def _slack_url(self, url: object) -> str | None:
        """A request's `response_url` if it is Slack's, else None: the answer
        then goes the way it goes without one (`trusted_response_url`)."""
        return trusted_response_url(url, self.runtime.config.slack.api_url)

    def _spawn(self, work) -> None:
        task = asyncio.create_task(self._in_slot(work))
        self._tasks.add(task)
        task.add_done_callback(self._done)

    async def _in_slot(self, work) -> None:
        await asyncio.sleep(ACK_HEAD_START)  # the ack leaves first (see ACK_HEAD_START)
        async with self._turn_slots:
            await work

    def _done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Slack turn failed", exc_info=task.exception())

    async def drain(self, timeout: float = 10.0) -> None:
        """Wait for the turns in flight (tests, shutdown)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)

    async def close(self) -> None:
        await self.drain()
        await self.port.close()
        if self._http is not None:
            await self._http.close()
            self._http = None

    def _webhook(self, url: str) -> AsyncWebhookClient:
        if self._slack_url(url) is None:  # checked where the request was read; never sent to another host
            raise DeliveryError("response_url: not Slack's", permanent=True)
        if self._http is None or self._http.closed:
            self._http = aiohttp.ClientSession()
        return AsyncWebhookClient(url, session=self._http)

    # ---------------------------------------------------------------- turns

    async def _turn(self, inbound: Inbound, *, response_url: str | None = None, progress: bool = False) -> None:
        if await self._repeated(inbound):
            return
        inbound = await self._with_profile(inbound)
        if progress:
            found = self.core.command_for(inbound)
            if found is not None and found.slow:
                try:  # the note is a courtesy: the command runs whether or not it arrives
                    note = await self.core.progress(inbound)  # in the reader's language, which it carries
                    await self._reply(inbound, note, response_url, note.locale or self.runtime.config.bot.locale)
                except Exception:
                    log.warning("the 'working on it' note could not be sent; running the command anyway", exc_info=True)
                if response_url and inbound.in_place is not None:  # the note used one of its answers
                    inbound = replace(inbound, in_place=replace(inbound.in_place, uses=inbound.in_place.uses - 1))
        messages = await self.core.handle(inbound)
        locale = await self._locale(inbound.actor, messages)
        await self.runtime.send_turn(messages, lambda m: self._deliver(inbound, m, response_url, locale))
        saved = next((m for m in messages if m.kind == "commands/channel_set"), None)
        if saved is not None:  # in the language of the answer it follows (the reader's)
            await self._check_channel(inbound, response_url, saved.locale or locale)

    async def _click(self, click: Click) -> None:
        if await self._repeated(click.inbound):
            return
        inbound = await self._with_profile(click.inbound)
        if click.ephemeral and not click.in_view and click.response_url:
            # One use is kept for the clicked message itself (replaced, or marked answered).
            inbound = replace(
                inbound,
                in_place=response_url_handle(click.response_url, self.runtime.clock.now(), RESPONSE_URL_USES - 1),
            )
        messages = await self.core.handle(inbound)
        locale = await self._locale(inbound.actor)
        replaced = any(m.replace is not None and m.to is None and inbound.message == m.replace for m in messages)

        async def send(message: Outbound):
            if (
                message.replace is not None
                and message.to is None
                and inbound.message == message.replace
                and click.ephemeral
            ):
                if click.response_url:
                    return await self._respond(click.response_url, message, locale, replace_original=True)
                # Only its response_url replaces an ephemeral message: without one, a new answer.
                message = replace(message, replace=None)
            url = click.response_url if click.ephemeral and not click.in_view else None
            return await self._deliver(inbound, message, url, locale)

        await self.runtime.send_turn(messages, send)
        # Only a click the core took is shown answered (not a refusal, whatever its template).
        if answers_clicked(messages) and not replaced and not click.in_view and not click.shared:
            await self._mark_answered(click, locale)
        if click.in_view:
            await self._home(replace(inbound, kind=home.OPENED, action_id=None, value=None, values={}))

    async def _home(self, inbound: Inbound) -> None:
        if not await self._allowed(inbound.actor):
            return  # nothing is looked up, stored or shown for a workspace that is not let in
        inbound = await self._with_profile(inbound)
        locale = await self._locale(inbound.actor)
        view = await home.build(self.core, inbound, locale)
        try:
            await self.port.call("views.publish", user_id=inbound.actor.user_id, view=view)
        except DeliveryError as err:
            log.warning("could not publish the Home tab for %s: %s", inbound.actor.key, err.reason)

    # -------------------------------------------------------------- sending

    async def _deliver(self, inbound: Inbound, message: Outbound, response_url: str | None, locale: str) -> Sent | None:
        """One of a turn's messages, now; raises `DeliveryError` (the outbox keeps it)."""
        if message.to is not None and message.replace is not None:  # someone else's message, updated
            await self.runtime.delivery.update(message.replace, message)
            return Sent(ref=message.replace)
        if message.to is not None:
            return await self.runtime.delivery.send(message.to, message)
        if message.replace is not None:
            await self.port.update(message.replace, message, locale=locale)
            return Sent(ref=message.replace)
        return await self._reply(inbound, message, response_url, locale)

    async def _reply(self, inbound: Inbound, message: Outbound, response_url: str | None, locale: str) -> Sent | None:
        """A reply where the person spoke: a slash command answers through its
        `response_url` (ephemeral); a DM in the DM; a mention in its thread,
        or only to the person when the reply is ephemeral."""
        if message.outbox is not None and inbound.in_place is not None:
            # Its row says how: through the response_url while it lasts, else the DM.
            return await self.port.send(message.outbox.address, message, locale=locale)
        if response_url:
            await self._respond(response_url, message, locale)
            if message.files:  # files go to the person's DM (adapters/slack/files.py)
                await upload_files(
                    self.port,
                    Address(inbound.where.platform, inbound.where.tenant, user=inbound.actor.user_id),
                    message.files,
                )
            return None  # a response_url answer has no message reference
        where = inbound.where
        if where.where == Where.DM or not where.conversation:
            to = Address(where.platform, where.tenant, conversation=where.conversation, user=inbound.actor.user_id)
            message = replace(message, ephemeral=False)
        else:
            to = replace(where, user=inbound.actor.user_id)
        return await self.port.send(to, message, locale=locale)

    async def _respond(self, url: str, message: Outbound, locale: str, *, replace_original: bool = False) -> None:
        """An answer through a `response_url` outside a turn's rows (a
        progress note) or replacing the clicked ephemeral message. When Slack
        does not take it (expired, 429, 5xx) the error goes to the outbox,
        which sends the same words to the person's DM."""
        await self.port.respond(url, message, locale, replace_original=replace_original)

    async def _mark_answered(self, click: Click, locale: str) -> None:
        """The clicked message loses its buttons and says what was chosen:
        only a message the person alone sees (their DM, an ephemeral card);
        a card in a channel or group DM stays as it is for everyone else."""
        labels = labels_for(locale)
        blocks = answered_blocks(click.blocks, click.label or click.inbound.value or "✓", labels)
        text = click.text or mrkdwn(labels("answered", answer=click.label))
        try:
            if click.ephemeral or click.inbound.message is None:
                if click.response_url:
                    await self._webhook(click.response_url).send_dict(
                        {"replace_original": True, "text": text, "blocks": blocks}
                    )
                return
            ref = click.inbound.message
            await self.port.call("chat.update", channel=ref.conversation, ts=ref.message_id, text=text, blocks=blocks)
        except DeliveryError as err:
            log.warning("could not mark the clicked message answered: %s", err.reason)

    async def _check_channel(self, inbound: Inbound, response_url: str | None, locale: str) -> None:
        """After the program-channel command: say so if the bot cannot post there."""
        channel = inbound.where.conversation
        info: dict[str, Any] = {}
        try:
            info = (await self.port.call("conversations.info", channel=channel)).get("channel") or {}
        except DeliveryError:
            pass
        if not info.get("is_member"):
            # The id of the channel the signed command was run in, as Slack
            # reported it: the bot's own reference, shown as a channel link.
            text = self.core.translator.render(
                locale, "slack/channel_not_member", channel=Trusted(channel or ""), name=info.get("name")
            )
            await self._reply(
                inbound, Outbound(text=text, ephemeral=True, kind="slack/channel_not_member"), response_url, locale
            )

    # --------------------------------------------------------------- people

    async def _with_profile(self, inbound: Inbound) -> Inbound:
        """On first contact (or for someone known only by id, e.g. invited by
        mention), read `users.info` so the person starts with their name,
        e-mail, language and time zone; never for someone from a workspace
        that is not let in (the core refuses them)."""
        actor = inbound.actor
        if actor.key in self._prefilled:
            return inbound
        if not await self._allowed(actor):
            return inbound  # the core refuses them; Slack is not asked about someone from elsewhere
        async with self.runtime.db.read() as session:
            identity = await identity_of(session, str(actor.platform), actor.tenant, actor.user_id)
            person = await session.get(Person, identity.person_id) if identity else None
        if person is not None and person.name != actor.user_id and person.email:
            self._prefilled.add(actor.key)
            return inbound
        try:
            data = await self.port.call("users.info", user=actor.user_id, include_locale=True)
        except DeliveryError as err:
            log.info("users.info for %s failed: %s", actor.key, err.reason)
            self._prefilled.add(actor.key)  # once per run is enough
            return inbound
        self._prefilled.add(actor.key)
        return replace(inbound, actor=actor_from_profile(actor, data.get("user") or {}))

    async def _repeated(self, inbound: Inbound) -> bool:
        """A request handled already (an Events API retry, a replayed slash
        command or click): nothing is looked up, said or shown again. The
        turn's own record (`bot.presses.first_time`, in its transaction, in
        the database every replica shares) decides when two arrive at once."""
        if inbound.event_id is None:
            return False
        async with self.runtime.db.read() as session:
            repeated = await handled_before(session, inbound)
        if repeated:
            log.info("a repeated Slack request was ignored (%s)", inbound.event_id)
        return repeated

    async def _allowed(self, actor: Actor) -> bool:
        """From the bot's own workspace or one an organisation names
        (`bot.tenants`)? Asked before anything about the person is looked up or shown."""
        async with self.runtime.db.read() as session:
            return await tenant_allowed(session, self.core.own_tenants, actor)

    async def _locale(self, actor: Actor, messages: list[Outbound] | None = None) -> str:
        """The reader's language, for Slack-only labels on cards (choose,
        send, answered). Plain replies need none: the core rendered them."""
        if messages is not None and not any(m.card is not None and m.to is None for m in messages):
            return self.runtime.config.bot.locale
        return await reader_locale(self.runtime.db, actor, self.runtime.config)


def _delivery_id(request, context) -> str | None:
    """What a slash command or click is deduplicated by: over HTTP its
    signature (`request_id`), over Socket Mode its interaction, as
    `adapters.slack.socket_mode` put it in the context (`socket_delivery_id`)."""
    if request.mode == "socket_mode":
        return context.get(SOCKET_DELIVERY)
    return request_id(request.headers)


def actor_from_profile(actor: Actor, user: dict[str, Any]) -> Actor:
    profile = user.get("profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or user.get("real_name") or user.get("name")
    return replace(
        actor,
        display_name=name or actor.display_name,
        email=profile.get("email") or actor.email,
        locale=user.get("locale") or actor.locale,
        timezone=user.get("tz") or actor.timezone,
    )
