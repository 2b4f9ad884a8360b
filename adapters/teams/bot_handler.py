"""The Teams `ActivityHandler`: activity in, `core.handle`, messages out.

Replies go back into the conversation the activity came from (an ephemeral
reply to something said in a channel or group goes to the person's personal
chat instead, as Teams cannot show it to one person only); messages for
other people go through `runtime.delivery` (their platform's port); a reply
that replaces a card updates it. A card in a person's own chat that they
clicked, that the core took and did not replace, is updated to show the
answer without its buttons, so it cannot be clicked twice; its words come
from the outbox row that sent it (`bot.clicked`), never from the click. A
card in a channel or group chat is everyone's: one person's click leaves it
as it is. Slow commands are acknowledged first and finished after the HTTP
request has been answered.

Every activity, whatever its type, must come from Teams (`channelId`
`msteams`) and then passes the tenant allowlist: nothing about someone from
a tenant that is not let in (neither the bot's own, `teams.tenant_id`, nor
one an organisation names) is looked up or stored. The Bot Framework signs
the activities of an Azure Bot's other channels too (Web Chat, on by
default, and Direct Line), but there the client writes `from` and
`channelData`: a person's Entra object id and tenant would be whatever it
claims. Only local mode, unauthenticated anyway, takes any channel (the Bot
Framework Emulator says `emulator`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.schema import Activity, ActivityTypes

from adapters.teams.access_tokens import TokenUnavailable, ready
from adapters.teams.inbound import (
    CHANNEL_ID,
    actor_of,
    address_of,
    card_row,
    is_personal_install,
    is_personal_uninstall,
    to_inbound,
)
from adapters.teams.outbound import TeamsPort
from adapters.teams.references import forget_chat, is_known, remember
from adapters.teams.render import answered_activity, message_activity
from bot.clicked import answers_clicked, chosen_label, sent_card
from bot.i18n import normalise_locale
from bot.messages import Actor, Address, Inbound, Kind, MessageRef, Outbound, Platform, Sent, Where
from bot.people import reader_locale
from bot.ports import DeliveryError
from bot.reminders.render import Renderer
from bot.tenants import tenant_allowed

log = logging.getLogger(__name__)


class TeamsBot(ActivityHandler):
    def __init__(self, runtime, port: TeamsPort):
        self.runtime = runtime
        self.core = runtime.core
        self.port = port
        self.renderer = Renderer(runtime.config, runtime.core.translator)  # a clicked card's words, again
        self._background: set[asyncio.Task] = set()

    # -------------------------------------------------------------- routes

    async def on_turn(self, turn_context: TurnContext) -> None:
        """Any activity from another channel than Teams, or from a tenant that
        is not allowed, stops here."""
        if turn_context.activity is not None and not self._from_teams(turn_context.activity):
            return
        if turn_context.activity is not None and not await self._allowed(turn_context):
            return
        await super().on_turn(turn_context)

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        actor = await self._profile(turn_context)
        await remember(self.runtime.db, self.runtime.clock, activity, actor)
        inbound = to_inbound(activity)
        if inbound is None:
            return
        inbound = replace(inbound, actor=actor)
        command = self.core.command_for(inbound)
        if command is not None and command.slow:
            await self._reply(turn_context, await self.core.progress(inbound), inbound)
            self._later(self._finish_slow(inbound))
            return
        replies = await self.core.handle(inbound)
        await self.deliver(turn_context, inbound, replies)

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        await self._installed(turn_context)

    async def on_installation_update(self, turn_context: TurnContext) -> None:
        await self._installed(turn_context)

    async def _installed(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        if is_personal_uninstall(activity):
            await forget_chat(self.runtime.db, activity)
            return
        actor = await self._profile(turn_context)
        await remember(self.runtime.db, self.runtime.clock, activity, actor)
        if not is_personal_install(activity):
            return
        # Teams sends both a conversationUpdate and an installationUpdate for one
        # install: one event id for both welcomes the person once.
        inbound = Inbound(
            # Only one of the two activities carries the client's locale, and
            # either may come first: the welcome speaks the person's language.
            actor=replace(actor, locale=None),
            where=address_of(activity),
            kind=Kind.OPENED,
            event_id=f"welcome|{activity.conversation.id}",
        )
        await self.deliver(turn_context, inbound, await self.core.handle(inbound))  # the home view

    def _from_teams(self, activity: Activity) -> bool:
        """Whether Teams sent the activity: its sender and tenant are then the
        ones Teams vouches for. Another channel of the bot's Azure resource
        (Web Chat, Direct Line) is answered with nothing, and nothing of it is
        stored (its sender could be anyone, under any name or id)."""
        if self.runtime.config.teams.local_mode or activity.channel_id == CHANNEL_ID:
            return True
        log.warning(
            "teams: ignored an activity from the channel %.40r: only Teams (%s) talks to the bot; "
            "turn off the Azure Bot's other channels (Web Chat, Direct Line)",
            activity.channel_id or "",
            CHANNEL_ID,
        )
        return False

    async def _allowed(self, turn_context: TurnContext) -> bool:
        """A tenant not let in (`bot.tenants`): nothing about the person is looked
        up or stored, and someone who wrote or added the app gets the core's
        one refusal (an app removed, a reaction, a typing note get none)."""
        activity = turn_context.activity
        if activity.from_property is None:  # nobody to refuse; the handlers need a sender anyway
            return False
        actor = actor_of(activity)
        async with self.runtime.db.read() as session:
            if await tenant_allowed(session, self.core.own_tenants, actor):
                return True
        if activity.type != ActivityTypes.message and not is_personal_install(activity):
            return False
        inbound = Inbound(actor=actor, where=address_of(activity), kind=Kind.TEXT, text="")
        for message in await self.core.handle(inbound):
            await self._reply(turn_context, message, inbound)
        return False

    async def _profile(self, turn_context: TurnContext) -> Actor:
        """The sender; on first contact with their e-mail from Teams, so an
        e-mail coordinator key matches and a person on both platforms is one."""
        actor = actor_of(turn_context.activity)
        sender = turn_context.activity.from_property
        if actor.email or sender is None or (sender.id or "").startswith("28:"):
            return actor
        if await is_known(self.runtime.db, actor):
            return actor
        await ready(turn_context)  # the login token, fetched off the loop
        try:
            member = await TeamsInfo.get_member(turn_context, sender.id)
        except Exception as exc:  # no profile is fine: the person is still known by id
            log.info("teams: no profile for %s (%s)", sender.id, exc)
            return actor
        email = getattr(member, "email", None) or getattr(member, "user_principal_name", None)
        return replace(actor, email=email or None, display_name=actor.display_name or member.name)

    # ------------------------------------------------------------- sending

    async def deliver(self, turn_context: TurnContext, inbound: Inbound, replies: list[Outbound]) -> None:
        clicked = inbound.message
        replaced = clicked is not None and any(
            m.replace is not None and m.replace.message_id == clicked.message_id for m in replies
        )

        async def send(message: Outbound) -> Sent | None:
            if message.replace is not None:
                await self._update(turn_context, inbound, message.replace, message)
                return Sent(ref=message.replace)
            if message.to is None and message.ephemeral and inbound.where.where != Where.DM:
                # Teams has no "only you can see this" in channels: say it in private.
                return await self.port.send(self._private(inbound), message, locale=self._locale(inbound))
            if message.to is None:
                return await self._reply(turn_context, message, inbound)
            return await self.runtime.delivery.send(message.to, message)

        await self.runtime.send_turn(replies, send)
        if clicked is not None and not replaced and inbound.where.where == Where.DM and answers_clicked(replies):
            await self._freeze(turn_context, inbound)

    async def _reply(self, turn_context: TurnContext, message: Outbound, inbound: Inbound) -> Sent | None:
        if message.files and self.port.files is not None:  # download links (adapters/teams/files.py)
            message = await self.port.files.as_links(message)
        locale = message.locale or self._locale(inbound)  # the reader's language, not the client's
        await ready(turn_context)
        try:
            answer = await turn_context.send_activity(Activity.deserialize(message_activity(message, locale)))
        except DeliveryError:
            raise
        except Exception as exc:  # the connector refused or timed out: the outbox keeps the reply
            raise DeliveryError(f"reply: {exc.__class__.__name__}: {exc}") from exc
        conversation = inbound.where.conversation or ""
        return Sent(ref=MessageRef(Platform.TEAMS, conversation, answer.id) if answer and answer.id else None)

    async def _update(self, turn_context: TurnContext, inbound: Inbound, ref: MessageRef, message: Outbound) -> None:
        if ref.conversation != inbound.where.conversation:
            await self.runtime.delivery.update(ref, message)
            return
        activity = Activity.deserialize(message_activity(message, message.locale or self._locale(inbound)))
        activity.id = ref.message_id
        await ready(turn_context)
        try:
            await turn_context.update_activity(activity)
        except TokenUnavailable as exc:  # nothing was sent: the outbox tries again later
            raise DeliveryError(f"teams: {exc}") from exc

    async def _freeze(self, turn_context: TurnContext, inbound: Inbound) -> None:
        """Show the person's clicked card as answered, with no buttons left to
        click: the card's first line and the chosen label as the bot sent
        them, or only that it was answered when the bot has no such card."""
        if inbound.message is None:
            return
        row, text, label = card_row(turn_context.activity), "", ""
        if row is not None:
            async with self.runtime.db.read() as session:
                card = await sent_card(session, self.renderer, row, inbound)
            if card is not None and card.card is not None:
                text, label = card.text, chosen_label(card.card, inbound) or ""
        locale = await reader_locale(self.runtime.db, inbound.actor, self.runtime.config)
        activity = Activity.deserialize(answered_activity(text, label, locale))
        activity.id = inbound.message.message_id
        await ready(turn_context)
        try:
            await turn_context.update_activity(activity)
        except Exception:  # the answer itself was handled; a stale card is cosmetic
            log.warning("teams: could not update the clicked card %s", inbound.message.message_id, exc_info=True)

    @staticmethod
    def _private(inbound: Inbound) -> Address:
        """The actor's personal chat (opened if the bot has none with them yet)."""
        actor = inbound.actor
        return Address(Platform.TEAMS, actor.tenant, user=actor.user_id, where=Where.DM)

    def _locale(self, inbound: Inbound) -> str:
        return normalise_locale(inbound.actor.locale) or self.runtime.config.bot.locale

    # ---------------------------------------------------------- background

    def _later(self, coro) -> None:
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _finish_slow(self, inbound: Inbound) -> None:
        """Run a slow command after the ack; its replies go proactively."""
        try:
            replies = await self.core.handle(inbound)

            async def send(message: Outbound) -> Sent | None:
                if message.replace is not None:
                    await self.runtime.delivery.update(message.replace, message)
                    return Sent(ref=message.replace)
                return await self.runtime.delivery.send(message.to or inbound.where, message)

            await self.runtime.send_turn(replies, send)
        except Exception:
            log.exception("teams: slow command failed (%s)", inbound.facts())  # not what they typed

    async def drain(self) -> None:
        """Wait for slow commands still running (shutdown, tests)."""
        while self._background:
            await asyncio.gather(*list(self._background), return_exceptions=True)
