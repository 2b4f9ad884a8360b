"""Socket Mode in the fake: `apps.connections.open` hands out
`ws://.../socket`, where the app connects; a test sends envelopes and reads
the app's acks (a mixin of `FakeSlackAPI`)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web


class SocketModeMixin:
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json(
            {"type": "hello", "num_connections": len(self.sockets), "connection_info": {"app_id": "A0MENTOR"}}
        )
        self._socket_event.set()
        try:
            async for msg in ws:
                if msg.type.name == "TEXT":
                    data = json.loads(msg.data)
                    if "envelope_id" in data:
                        self.socket_acks[data["envelope_id"]] = data
                        self._socket_event.set()
        finally:
            self.sockets.remove(ws)
        return ws

    async def _until(self, ready, timeout: float) -> None:
        async def wait() -> None:
            while not ready():
                self._socket_event.clear()
                await self._socket_event.wait()

        await asyncio.wait_for(wait(), timeout)

    async def wait_for_socket(self, timeout: float = 10.0) -> None:
        await self._until(lambda: bool(self.sockets), timeout)

    async def socket_send(
        self, kind: str, payload: Any, *, retry_attempt: int = 0, envelope_id: str | None = None
    ) -> str:
        """Deliver an envelope (`slash_commands`, `events_api`, `interactive`) to the app;
        `envelope_id` and `retry_attempt=1`: one delivered before, sent again
        (as Slack does when its ack did not arrive in time)."""
        envelope_id = envelope_id or f"env-{next(self._seq)}"
        await self.sockets[-1].send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": retry_attempt,
                "retry_reason": "timeout" if retry_attempt else "",
            }
        )
        return envelope_id

    async def socket_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        await self._until(lambda: envelope_id in self.socket_acks, timeout)
        return self.socket_acks[envelope_id]

    def _m_apps_connections_open(self, call, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://{self.host}:{self.port}/socket"}
