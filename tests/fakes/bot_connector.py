"""A loopback fake of the Bot Connector REST API (the service behind a Teams
activity's `serviceUrl`).

It answers the calls a bot makes to Teams: create a conversation, send or
reply to an activity, update one. Every call is recorded; failures can be
scripted (429 with Retry-After, 403, 412, 5xx) for the next call(s), per
conversation if wanted. Point the SDK at it through the `serviceUrl` of the
activities you post to the bot, or of the conversation references you store.

    async with FakeBotConnector() as connector:
        activity["serviceUrl"] = connector.url
        connector.fail_next(429, retry_after=1)
        ...
        assert connector.sent_texts() == ["..."]
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from tests.fakes.loopback import serve_on_loopback


@dataclass
class Call:
    method: str
    op: str  # create, send, reply, update
    conversation: str | None
    activity_id: str | None
    body: dict[str, Any]
    headers: dict[str, str]
    status: int
    result_id: str | None = None  # the activity id the fake answered (what a later click replies to)

    @property
    def text(self) -> str | None:
        return self.body.get("text")

    @property
    def card(self) -> dict[str, Any] | None:
        for attachment in self.body.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return attachment["content"]
        return None

    def shown_text(self) -> str:
        """What a person would read first: the text, else the card's fallback."""
        if self.text:
            return self.text
        card = self.card
        return card.get("fallbackText", "") if card else ""


@dataclass
class _Failure:
    status: int
    retry_after: float | None
    conversation: str | None
    ops: tuple[str, ...]
    body: dict[str, Any] = field(default_factory=dict)


class FakeBotConnector:
    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.calls: list[Call] = []
        self._failures: list[_Failure] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        # Members the "tenant" knows: creating a 1:1 chat with anyone else is refused.
        self.known_members: set[str] | None = None
        # Profiles answered by GET .../members/{id} (keyed by the 29: id): name, email, userPrincipalName ...
        self.profiles: dict[str, dict[str, Any]] = {}

    # ----------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        """The service URL to put in activities and references (trailing slash, as Teams sends it)."""
        return f"http://{self.host}:{self.port}/teams/"

    async def start(self) -> FakeBotConnector:
        app = web.Application()
        base = "/teams/v3/conversations"
        app.router.add_post(base, self._create)
        app.router.add_post(base + "/{conversation}/activities", self._send)
        app.router.add_post(base + "/{conversation}/activities/{activity}", self._reply)
        app.router.add_put(base + "/{conversation}/activities/{activity}", self._update)
        app.router.add_get(base + "/{conversation}/members/{member}", self._member)
        self._runner, self.port = await serve_on_loopback(app, self.host)
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotConnector:
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    # ------------------------------------------------------------- scripting

    def fail_next(
        self,
        status: int,
        *,
        times: int = 1,
        retry_after: float | None = None,
        conversation: str | None = None,
        ops: tuple[str, ...] = ("create", "send", "reply", "update"),
    ) -> None:
        """Answer the next `times` matching calls (ops: create, send, reply,
        update, member) with `status`."""
        for _ in range(times):
            self._failures.append(_Failure(status, retry_after, conversation, ops))

    # ------------------------------------------------------------- queries

    def of(self, op: str | None = None, conversation: str | None = None, *, ok: bool = True) -> list[Call]:
        return [
            c
            for c in self.calls
            if (op is None or c.op == op)
            and (conversation is None or c.conversation == conversation)
            and (not ok or c.status < 300)
        ]

    def delivered(self, conversation: str | None = None) -> list[Call]:
        """Messages that reached a conversation (sends and replies that succeeded)."""
        return [c for c in self.of(conversation=conversation) if c.op in ("send", "reply")]

    def sent_texts(self, conversation: str | None = None) -> list[str]:
        return [c.shown_text() for c in self.delivered(conversation)]

    # ------------------------------------------------------------- handlers

    async def _record(self, request: web.Request, op: str) -> tuple[Call, web.Response | None]:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            body = {}
        conversation = request.match_info.get("conversation")
        activity = request.match_info.get("activity")
        call = Call(
            method=request.method,
            op=op,
            conversation=unquote(conversation) if conversation else None,
            activity_id=unquote(activity) if activity else None,
            body=body,
            headers=dict(request.headers),
            status=200,
        )
        self.calls.append(call)
        failure = self._take_failure(call)
        if failure is None:
            return call, None
        call.status = failure.status
        headers = {"Retry-After": f"{failure.retry_after:g}"} if failure.retry_after is not None else {}
        error = {"error": {"code": _CODES.get(failure.status, "ServiceError"), "message": "scripted failure"}}
        return call, web.json_response(error, status=failure.status, headers=headers)

    def _take_failure(self, call: Call) -> _Failure | None:
        for i, failure in enumerate(self._failures):
            if call.op in failure.ops and failure.conversation in (None, call.conversation):
                return self._failures.pop(i)
        return None

    async def _create(self, request: web.Request) -> web.Response:
        call, failure = await self._record(request, "create")
        if failure:
            return failure
        members = [m.get("id") for m in call.body.get("members") or []]
        if self.known_members is not None and not set(members) <= self.known_members:
            call.status = 403
            return web.json_response({"error": {"code": "Forbidden", "message": "not a member"}}, status=403)
        conversation = f"a:direct-{'-'.join(str(m) for m in members)}"
        result: dict[str, Any] = {"id": conversation}
        if call.body.get("activity"):
            result["activityId"] = f"act-{next(self._ids)}"
        return web.json_response(result, status=201)

    async def _send(self, request: web.Request) -> web.Response:
        return await self._post(request, "send")

    async def _reply(self, request: web.Request) -> web.Response:
        return await self._post(request, "reply")

    async def _post(self, request: web.Request, op: str) -> web.Response:
        call, failure = await self._record(request, op)
        if failure:
            return failure
        call.result_id = f"act-{next(self._ids)}"
        return web.json_response({"id": call.result_id}, status=201)

    async def _member(self, request: web.Request) -> web.Response:
        call, failure = await self._record(request, "member")
        if failure:
            return failure
        profile = self.profiles.get(unquote(request.match_info["member"]))
        if profile is None:
            call.status = 404
            return web.json_response(
                {"error": {"code": "MemberNotFoundInConversation", "message": "unknown"}}, status=404
            )
        return web.json_response(profile)

    async def _update(self, request: web.Request) -> web.Response:
        call, failure = await self._record(request, "update")
        return failure or web.json_response({"id": call.activity_id}, status=200)


_CODES = {403: "BotDisabledByAdmin", 404: "ConversationNotFound", 412: "PreconditionFailed", 429: "TooManyRequests"}
