"""`SlackPort`: the outbound port for Slack, on slack_sdk's `AsyncWebClient`.

It needs only a bot token and the Web API base URL, so the scheduler can send
with it without a running bolt app:

    port = SlackPort(config.slack.bot_token, config.slack.api_url)
    sent = await port.send(address, outbound)      # Sent(ref=MessageRef(...))

Where a message goes:
* an address with a `conversation` (a channel, a stored DM or group DM id)
  is posted there, in its `thread` if one is given;
* a DM address with only a `user` is posted to the user id, which Slack
  delivers in the bot's DM with that person (one call, no `conversations.open`);
* a GROUP address whose `user` lists several user ids (`"U1,U2"`, see
  `group_address`) is a group DM: `conversations.open` with all of them, then
  a post there (the pair intro when both are in the workspace);
* `ephemeral=True` with a channel and a user is `chat.postEphemeral`.

Rate limits: posts to one channel are spaced by `channel_interval` (Slack
allows about one message per second per channel, with short bursts: the
interactive app allows `channel_burst=3` so a reply and the next question
are not held back; the default of 1 is strict, for bulk senders). A 429 on a
post pauses that conversation for its `Retry-After` (Slack's limit is per
channel: one person's busy DM never holds back another's); a 429 on any
other method pauses that method.

Every post of an outbox row carries the row's key in its message metadata,
so after a crash `find_sent` can tell from the conversation's recent history
whether the message already arrived. A call that would have to wait longer than
`max_wait` seconds raises `DeliveryError(retry_after=...)` instead of
sleeping, so a dispatcher (`max_wait=0`) can reschedule the row and move on,
while interactive replies (a couple of seconds) just wait. slack_sdk's own
retry handlers are used for what they fit: dropped connections and a 5xx.
Its rate-limit handler is not, because it sleeps inside the call with no
upper bound and cannot hand the wait back to the dispatcher.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.answers import ChannelLimiter, accepted_at, delivery_error, lane_of, retry_after_of
from adapters.slack.files import upload_files
from adapters.slack.render import message_payload
from adapters.slack.response_url import response_url_of, trusted_response_url
from bot import telemetry
from bot.clock import Clock, SystemClock
from bot.messages import Address, MessageRef, Outbound, Platform, Sent, Where
from bot.ports import DeliveryError

log = logging.getLogger(__name__)

METADATA_EVENT = "mentorbot_outbox"
HISTORY_LIMIT = 100  # recent messages searched for an unconfirmed row's key
# Read methods Slack documents with form-encoded arguments only.
FORM_METHODS = frozenset(
    {
        "users.info",
        "conversations.info",
        "conversations.history",
        "auth.test",
        "files.getUploadURLExternal",
        "files.completeUploadExternal",
    }
)


class SlackPort:
    platform = Platform.SLACK

    def __init__(
        self,
        bot_token: str,
        api_url: str = "https://slack.com/api/",
        *,
        locale: str = "sv",
        max_wait: float = 2.0,
        channel_interval: float = 1.0,
        channel_burst: int = 1,
        timeout: int = 15,
        client: AsyncWebClient | None = None,
        clock: Clock | None = None,
    ):
        self.client = client or AsyncWebClient(
            token=bot_token,
            base_url=api_url,
            timeout=timeout,
            retry_handlers=[
                AsyncConnectionErrorRetryHandler(max_retry_count=1),
                AsyncServerErrorRetryHandler(max_retry_count=1),
            ],
        )
        # One HTTP session for every Web API call (slack_sdk opens a new one per
        # call otherwise); opened on the first call, on the running loop.
        self._own_session = client is None
        self.locale = locale
        self.clock = clock or SystemClock()  # when a `response_url` has expired
        self.max_wait = max_wait
        self.limiter = ChannelLimiter(channel_interval, channel_burst)
        self._paused_until: dict[str, float] = {}  # conversation or Web API method -> loop time

    # ------------------------------------------------------------ the port

    async def send(self, to: Address, message: Outbound, *, locale: str | None = None) -> Sent:
        locale = locale or _locale_of(message, self.locale)
        if to.ref and to.where == Where.DM and (handle := response_url_of(to.ref)) is not None:
            to = replace(to, ref=None)  # the person's DM, when the response_url cannot take it
            if await self._answer_in_place(handle, message, locale):
                await upload_files(self, to, message.files)  # files go to the DM (adapters/slack/files.py)
                return Sent(ref=None)  # a response_url answer has no message reference
        payload = message_payload(message, locale)
        if message.ephemeral and to.conversation and to.user and to.where != Where.DM:
            await self.call("chat.postEphemeral", channel=to.conversation, user=to.user, **payload)
            await upload_files(self, to, message.files)
            return Sent(ref=None)
        channel = to.conversation or await self._conversation_for(to)
        if to.thread:
            payload["thread_ts"] = to.thread
        if message.outbox is not None:
            payload["metadata"] = {"event_type": METADATA_EVENT, "event_payload": {"key": message.outbox.key}}
        answer = await self._post(channel, payload, message, locale)
        await upload_files(
            self, to if to.where != Where.DM else replace(to, conversation=answer["channel"]), message.files
        )
        return Sent(ref=MessageRef(Platform.SLACK, answer["channel"], answer["ts"]), accepted_at=accepted_at(answer))

    async def _answer_in_place(self, handle: tuple[str, datetime], message: Outbound, locale: str) -> bool:
        """Answer through the `response_url` while it is good; False (the
        caller posts to the DM instead) when it has expired by the clock, or
        Slack does not take the answer (expired, used up, 429, 5xx)."""
        url, expires_at = handle
        if self.clock.now() >= expires_at:
            log.info("the response_url for %s expired at %s; answering in the DM", message.kind, expires_at)
            return False
        try:
            await self.respond(url, message, locale)
        except DeliveryError as err:
            log.info("response_url did not take %s (%s); answering in the DM", message.kind, err.reason)
            return False
        return True

    async def respond(self, url: str, message: Outbound, locale: str, *, replace_original: bool = False) -> None:
        """An ephemeral answer through a slash command's or a click's
        `response_url`; raises `DeliveryError` when Slack does not take it,
        or when the URL is not Slack's (an outbox row may keep one written
        before the adapter checked them: it is never sent to)."""
        if trusted_response_url(url, str(self.client.base_url)) is None:
            raise DeliveryError("response_url: not Slack's", permanent=True)
        body: dict[str, Any] = dict(message_payload(message, locale), response_type="ephemeral")
        body["replace_original"] = replace_original
        session = self.client.session if self.client.session is not None and not self.client.session.closed else None
        try:
            response = await AsyncWebhookClient(url, session=session).send_dict(body)
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise DeliveryError(f"response_url: {exc.__class__.__name__}") from exc
        answer = (response.body or "").strip()
        if response.status_code >= 300 or "expired_url" in answer or "used_url" in answer:
            log.warning("response_url answered %s: %s", response.status_code, answer)
            retry = retry_after_of(response.headers) if response.status_code == 429 else None
            expired = response.status_code == 404 or "expired" in answer or "used_url" in answer
            raise DeliveryError(
                f"response_url answered HTTP {response.status_code}" + (" (expired)" if expired else ""),
                retry_after=retry,
                permanent=expired,
            )

    async def find_sent(self, to: Address, key: str) -> str | None:
        """The `ts` of a message carrying outbox `key` among the conversation's
        recent messages, or None (ephemeral posts leave no history: None)."""
        if to.where != Where.DM and to.user and to.conversation and "," not in to.user:
            return None  # a chat.postEphemeral: nothing to find, and nothing to repeat but a private note
        channel = to.conversation or await self.open_conversation([u for u in (to.user or "").split(",") if u])
        answer = await self.call(
            "conversations.history", channel=channel, limit=HISTORY_LIMIT, include_all_metadata=True
        )
        for item in answer.get("messages") or []:
            meta = item.get("metadata") or {}
            if meta.get("event_type") == METADATA_EVENT and (meta.get("event_payload") or {}).get("key") == key:
                return item.get("ts")
        return None

    async def update(self, ref: MessageRef, message: Outbound, *, locale: str | None = None) -> None:
        payload = message_payload(message, locale or _locale_of(message, self.locale))
        payload.setdefault("blocks", [])  # otherwise Slack keeps the old buttons
        await self.call("chat.update", channel=ref.conversation, ts=ref.message_id, **payload)

    # ------------------------------------------------------------- helpers

    @staticmethod
    def group_address(tenant: str, user_ids: list[str] | tuple[str, ...]) -> Address:
        """The address of a group DM with these people (a pair and the bot)."""
        return Address(Platform.SLACK, tenant, user=",".join(user_ids), where=Where.GROUP)

    async def close(self) -> None:
        """Close the shared HTTP session (server shutdown)."""
        if self._own_session and self.client.session is not None and not self.client.session.closed:
            await self.client.session.close()
        self.client.session = None if self._own_session else self.client.session

    async def open_conversation(self, user_ids: list[str] | tuple[str, ...]) -> str:
        answer = await self.call("conversations.open", users=",".join(user_ids))
        return answer["channel"]["id"]

    async def call(self, method: str, *, channel: str | None = None, **kwargs: Any) -> dict[str, Any]:
        """One Web API call with the pause after a 429 honoured; returns the
        answer's data or raises `DeliveryError`."""
        if channel is not None:
            kwargs["channel"] = channel
        if self._own_session and (self.client.session is None or self.client.session.closed):
            self.client.session = aiohttp.ClientSession()
        lane = lane_of(method, channel)
        await self._respect_pause(lane)
        for attempt in range(3):
            try:
                if method in FORM_METHODS:
                    response = await self.client.api_call(method, params=kwargs)
                else:
                    response = await self.client.api_call(method, json=kwargs)
                return response.data  # type: ignore[return-value]
            except SlackApiError as exc:
                retry_after = self._note_rate_limit(lane, exc)
                if retry_after is None:
                    raise delivery_error(method, exc) from exc
                if retry_after > self.max_wait or attempt == 2:
                    raise DeliveryError(f"{method}: rate limited by Slack", retry_after=retry_after) from exc
                await asyncio.sleep(retry_after)
            except (TimeoutError, SlackClientError, OSError) as exc:
                raise DeliveryError(f"{method}: could not reach Slack ({exc.__class__.__name__}: {exc})") from exc
        raise AssertionError("unreachable")

    async def _post(self, channel: str, payload: dict[str, Any], message: Outbound, locale: str) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        await self._respect_pause(lane_of("chat.postMessage", channel))  # a 429's pause first, then the pace
        wait = self.limiter.reserve(channel, loop.time(), self.max_wait)
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            answer = await self.call("chat.postMessage", channel=channel, **payload)
            self.limiter.sent(channel, loop.time())
            return answer
        except DeliveryError as err:
            if "invalid_blocks" in err.reason and "blocks" in payload:
                # Slack refused our Block Kit: still deliver the words.
                log.warning("Slack refused blocks for %s (%s); sending text", message.kind, err.reason)
                text_only = {k: v for k, v in payload.items() if k != "blocks"}
                text_only["text"] = message_payload(Outbound(text=message.text, card=None), locale)["text"] or " "
                return await self.call("chat.postMessage", channel=channel, **text_only)
            raise

    async def _conversation_for(self, to: Address) -> str:
        if not to.user:
            raise DeliveryError("address has neither a conversation nor a user", permanent=True)
        users = [u for u in to.user.split(",") if u]
        if to.where == Where.GROUP and len(users) > 1:
            return await self.open_conversation(users)
        return users[0]

    async def _respect_pause(self, lane: str) -> None:
        until = self._paused_until.get(lane)
        if until is None:
            return
        wait = until - asyncio.get_running_loop().time()
        if wait <= 0:
            self._paused_until.pop(lane, None)
        elif wait > self.max_wait:
            raise DeliveryError(f"{lane}: rate limited by Slack", retry_after=wait)
        else:
            await asyncio.sleep(wait)

    def _note_rate_limit(self, lane: str, exc: SlackApiError) -> float | None:
        response = exc.response
        if getattr(response, "status_code", None) != 429:
            return None
        retry_after = retry_after_of(response.headers)
        telemetry.rate_limit_wait("slack", retry_after)
        until = asyncio.get_running_loop().time() + retry_after
        self._paused_until[lane] = max(self._paused_until.get(lane, 0.0), until)
        return retry_after


def _locale_of(message: Outbound, default: str) -> str:
    # Outbound carries no locale yet; a later `locale` field is used when present.
    return getattr(message, "locale", None) or default
