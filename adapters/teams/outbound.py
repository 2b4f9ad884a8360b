"""`TeamsPort`: the outbound port for Microsoft Teams.

Sends go through the adapter's `continue_conversation` with a conversation
reference stored in the database (the `ref` of an identity's or a program
channel's `Address`), trusting the service URL stored with it. Someone the bot
has not talked to yet gets a new 1:1 chat, created through the service URL of
any reference stored for their tenant (the app must be installed in a team
they belong to); the new chat is stored on their identity.

Every send waits for room in the per-conversation and per-tenant windows
(`limits.py`), retries 429 / 412 / 502 / 504 with backoff (honouring
Retry-After; a wait longer than `max_wait` is handed back to the caller as
`DeliveryError.retry_after`), and turns 403 (the person blocked or uninstalled the app) into a
permanent `DeliveryError` after marking the identity unreachable, so the
dispatcher stops trying and tells the coordinator. No login token for the
Bot Connector (`access_tokens.py`: fetched off the loop, with a timeout) is a
retryable `DeliveryError`: nothing was sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from botbuilder.core import BotAdapter, TurnContext
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from msrest.exceptions import HttpOperationError
from sqlmodel import col, select

from adapters.teams.access_tokens import TokenUnavailable, fetching
from adapters.teams.files import FileLinks
from adapters.teams.inbound import CHANNEL_ID
from adapters.teams.limits import CONVERSATION_WINDOWS, TENANT_WINDOWS, SlidingWindows
from adapters.teams.render import message_activity
from bot import telemetry
from bot.messages import Address, MessageRef, Outbound, Platform, Sent
from bot.ports import DeliveryError
from bot.store.db import Database
from bot.store.models import Identity, Program

log = logging.getLogger(__name__)

RETRYABLE = {412, 429, 502, 503, 504}
MAX_ATTEMPTS = 4
BASE_BACKOFF = 0.5
MAX_WAIT = 5.0  # longest Retry-After waited here; longer ones go back to the dispatcher


class TeamsPort:
    platform = Platform.TEAMS

    def __init__(
        self,
        adapter: BotAdapter,
        app_id: str,
        db: Database | None = None,
        *,
        locale: str = "sv",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        monotonic: Callable[[], float] | None = None,
        max_wait: float = MAX_WAIT,
    ):
        self.adapter = adapter
        self.app_id = app_id or ""
        self.db = db
        self.locale = locale
        self.max_wait = max_wait
        self._sleep = sleep
        clock = {"monotonic": monotonic} if monotonic else {}
        self.per_conversation = SlidingWindows(CONVERSATION_WINDOWS, sleep=sleep, **clock)
        self.per_tenant = SlidingWindows(TENANT_WINDOWS, sleep=sleep, **clock)
        self.files: FileLinks | None = None  # set by `mount`: files become download links

    # ------------------------------------------------------------ the port

    async def send(self, to: Address, message: Outbound, *, locale: str | None = None) -> Sent:
        if message.files and self.files is not None:  # adapters/teams/files.py
            message = await self.files.as_links(message)
        activity = Activity.deserialize(message_activity(message, locale or _locale_of(message, self.locale)))
        if to.ref is None and to.conversation is None and to.user:
            to = await self._stored_address(to)
        reference = self._reference(to)
        if reference is None or not reference.conversation or not reference.conversation.id:
            reference = await self._open_chat(to, reference)
        conversation = reference.conversation.id
        if to.thread and to.where != "dm":
            conversation = f"{conversation};messageid={to.thread}"

        async def post(context: TurnContext) -> str | None:
            client = context.turn_state[self.adapter.BOT_CONNECTOR_CLIENT_KEY]
            activity.conversation = ConversationAccount(id=conversation)
            response = await client.conversations.send_to_conversation(conversation, activity)
            return response.id if response else None

        message_id = await self._call(to, reference, post, conversation)
        return Sent(MessageRef(Platform.TEAMS, reference.conversation.id, message_id) if message_id else None)

    async def update(self, ref: MessageRef, message: Outbound, *, locale: str | None = None) -> None:
        reference = await self._reference_for_conversation(ref.conversation)
        if reference is None:
            raise DeliveryError(f"teams: no stored reference for conversation {ref.conversation}", permanent=True)
        await self.update_with(
            reference, ref.message_id, message_activity(message, locale or _locale_of(message, self.locale))
        )

    async def update_with(self, reference: ConversationReference, message_id: str, activity_dict: dict) -> None:
        """Replace message `message_id` in the referenced conversation with `activity_dict`."""
        activity = Activity.deserialize(activity_dict)
        activity.id = message_id
        conversation = reference.conversation.id
        activity.conversation = ConversationAccount(id=conversation)

        async def put(context: TurnContext) -> str | None:
            client = context.turn_state[self.adapter.BOT_CONNECTOR_CLIENT_KEY]
            await client.conversations.update_activity(conversation, message_id, activity)
            return message_id

        to = Address(Platform.TEAMS, reference.conversation.tenant_id or "", conversation=conversation)
        await self._call(to, reference, put, conversation)

    # ---------------------------------------------------------- internals

    async def _call(self, to: Address, reference: ConversationReference, op, conversation: str) -> str | None:
        """Run `op` in a proactive turn for `reference`, within the limits, with retries."""
        tenant = reference.conversation.tenant_id or to.tenant
        for attempt in range(1, MAX_ATTEMPTS + 1):
            await self.per_tenant.acquire(tenant)
            await self.per_conversation.acquire(conversation.split(";")[0])
            outcome: dict[str, Any] = {}

            async def logic(context: TurnContext) -> None:
                try:
                    outcome["id"] = await op(context)
                except Exception as exc:  # carried out of the turn: the adapter's error handler must not eat it
                    outcome["error"] = exc

            try:
                with fetching():
                    await self.adapter.continue_conversation(reference, logic, self.app_id)
            except TokenUnavailable as exc:  # nothing was sent: the outbox tries again later
                raise DeliveryError(f"teams: {exc}") from exc
            error = outcome.get("error")
            if error is None:
                return outcome.get("id")
            if isinstance(error, TokenUnavailable):  # it expired meanwhile: no retry here, the outbox's later
                raise DeliveryError(f"teams: {error}") from error
            status, retry_after = _status_of(error)
            if retry_after is not None:
                telemetry.rate_limit_wait("teams", retry_after)
            if status == 403:
                who = (
                    "the person blocked or removed the app" if to.user else "the app is no longer in that team or chat"
                )
                reason = f"teams: 403 from {reference.service_url} ({who})"
                await self._mark_unreachable(to, reason)
                raise DeliveryError(reason, permanent=True, unreachable=bool(to.user)) from error
            if status in (400, 404):
                raise DeliveryError(f"teams: {status} for conversation {conversation}", permanent=True) from error
            if status is not None and status not in RETRYABLE:
                raise DeliveryError(f"teams: HTTP {status} sending to {conversation}") from error
            if attempt == MAX_ATTEMPTS:
                raise DeliveryError(
                    f"teams: gave up after {attempt} tries ({status or type(error).__name__})", retry_after=retry_after
                ) from error
            if retry_after is not None and retry_after > self.max_wait:
                # Too long to hold a dispatcher worker: hand the wait back to it.
                raise DeliveryError(
                    f"teams: {status}, retry after {retry_after:g}s", retry_after=retry_after
                ) from error
            delay = retry_after if retry_after is not None else BASE_BACKOFF * 2 ** (attempt - 1)
            log.info("teams: %s for %s, retry %d in %.1fs", status or error, conversation, attempt, delay)
            await self._sleep(delay)
        raise AssertionError("unreachable")

    def _reference(self, to: Address) -> ConversationReference | None:
        if not to.ref:
            return None
        try:
            return ConversationReference.deserialize(json.loads(to.ref))
        except (ValueError, TypeError):
            log.warning("teams: unreadable stored reference for %s", to)
            return None

    async def _open_chat(self, to: Address, known: ConversationReference | None) -> ConversationReference:
        """Create a 1:1 chat with `to.user` through a reference stored for the tenant."""
        if not to.user:
            raise DeliveryError(f"teams: no conversation and no user to reach in {to}", permanent=True)
        seed = known if known is not None and known.service_url else await self._tenant_reference(to.tenant)
        if seed is None:
            raise DeliveryError(
                f"teams: cannot reach {to.user}: the bot has no conversation in tenant {to.tenant} yet "
                "(install the app for them or in one of their teams)",
                permanent=True,
            )
        user_id = (known.user.id if known is not None and known.user and known.user.id else None) or to.user
        bot = seed.bot or ChannelAccount(id=f"28:{self.app_id}")
        params = ConversationParameters(
            is_group=False,
            bot=bot,
            members=[ChannelAccount(id=user_id)],
            tenant_id=to.tenant,
            channel_data={"tenant": {"id": to.tenant}},
        )
        created: dict[str, Any] = {}

        async def remember(context: TurnContext) -> None:
            created["id"] = context.activity.conversation.id

        try:
            with fetching():
                await self.adapter.create_conversation(
                    self.app_id, remember, params, seed.channel_id or CHANNEL_ID, seed.service_url
                )
        except TokenUnavailable as exc:
            raise DeliveryError(f"teams: {exc}") from exc
        except HttpOperationError as exc:
            status, retry_after = _status_of(exc)
            if status == 403:
                reason = f"teams: cannot open a chat with {to.user} (403: not in a team with the app, or blocked)"
                await self._mark_unreachable(to, reason)
                raise DeliveryError(reason, permanent=True, unreachable=True) from exc
            raise DeliveryError(f"teams: creating a chat failed ({status})", retry_after=retry_after) from exc
        reference = ConversationReference(
            channel_id=seed.channel_id or CHANNEL_ID,
            service_url=seed.service_url,
            bot=bot,
            user=ChannelAccount(id=user_id, aad_object_id=to.user),
            conversation=ConversationAccount(id=created["id"], tenant_id=to.tenant, conversation_type="personal"),
        )
        await self._store_chat(to, reference)
        return reference

    async def _stored_address(self, to: Address) -> Address:
        """A person addressed only by user id: use what is stored for them."""
        if self.db is None:
            return to
        async with self.db.read() as session:
            identity = await _identity(session, to)
        if identity is None or not identity.ref:
            return to
        return replace(to, conversation=identity.conversation, ref=identity.ref)

    async def _tenant_reference(self, tenant: str) -> ConversationReference | None:
        if self.db is None:
            return None
        async with self.db.read() as session:
            refs = list(
                (
                    await session.exec(
                        select(Identity.ref).where(
                            Identity.platform == "teams", Identity.tenant == tenant, col(Identity.ref).is_not(None)
                        )
                    )
                ).all()
            )
            refs.extend(
                (
                    await session.exec(
                        select(Program.channel_ref).where(
                            Program.channel_platform == "teams", Program.channel_tenant == tenant
                        )
                    )
                ).all()
            )
        for ref in refs:
            reference = self._reference(Address(Platform.TEAMS, tenant, ref=ref))
            if reference is not None and reference.service_url:
                return reference
        return None

    async def _reference_for_conversation(self, conversation: str) -> ConversationReference | None:
        if self.db is None:
            return None
        async with self.db.read() as session:
            ref = (
                await session.exec(
                    select(Identity.ref).where(Identity.platform == "teams", Identity.conversation == conversation)
                )
            ).first()
            if ref is None:
                ref = (
                    await session.exec(
                        select(Program.channel_ref).where(
                            Program.channel_platform == "teams", Program.channel_conversation == conversation
                        )
                    )
                ).first()
        return self._reference(Address(Platform.TEAMS, "", ref=ref)) if ref else None

    async def _store_chat(self, to: Address, reference: ConversationReference) -> None:
        if self.db is None:
            return
        async with self.db.write() as session:
            identity = await _identity(session, to)
            if identity is not None:
                identity.conversation = reference.conversation.id
                identity.ref = json.dumps(reference.serialize(), sort_keys=True)
                session.add(identity)

    async def _mark_unreachable(self, to: Address, reason: str) -> None:
        if self.db is None or not to.user:
            return
        async with self.db.write() as session:
            identity = await _identity(session, to)
            if identity is not None:
                identity.unreachable = True
                identity.unreachable_reason = reason
                session.add(identity)


async def _identity(session, to: Address) -> Identity | None:
    return (
        await session.exec(
            select(Identity).where(
                Identity.platform == "teams", Identity.tenant == to.tenant, Identity.user_id == to.user
            )
        )
    ).first()


def _locale_of(message: Outbound, default: str) -> str:
    # Outbound carries no locale yet (labels like "Choose" follow it once it does).
    return getattr(message, "locale", None) or default


def _status_of(error: BaseException) -> tuple[int | None, float | None]:
    """HTTP status and Retry-After (seconds) of a failed connector call."""
    response = getattr(error, "response", None)
    if response is None:
        return None, None
    status = getattr(response, "status_code", None) or getattr(response, "status", None)
    headers = getattr(response, "headers", {}) or {}
    retry_after = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        seconds = float(retry_after) if retry_after is not None else None
    except ValueError:
        seconds = None
    return status, seconds
