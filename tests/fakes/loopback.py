"""Start an aiohttp application on 127.0.0.1 with a free port (port 0)."""

from __future__ import annotations

from aiohttp import web


async def serve_on_loopback(app: web.Application, host: str = "127.0.0.1", port: int = 0) -> tuple[web.AppRunner, int]:
    """Set up and start `app`; returns its runner (call `cleanup()`) and the port it got."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
