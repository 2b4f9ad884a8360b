"""What `mentorbot serve` hands to a browser: a shared file behind its
short-lived signed link, and a person's calendar feed (`bot.links`).
Anything unknown, expired, revoked, wrongly signed or under another file
name is a plain 404."""

from __future__ import annotations

from aiohttp import web

from bot.links import calendar_feed, shared_file

NOT_FOUND = "This link does not work (any more). Ask the bot for a new one.\n"
# Every answer of these routes: no cache keeps a copy (files and feeds hold
# personal data), and a browser takes the declared type as it is instead of
# sniffing a file or a feed (with text people typed in it) into a page it runs.
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def mount(app: web.Application, runtime) -> None:
    secret = runtime.config.server.link_secret

    async def download(request: web.Request) -> web.Response:
        async with runtime.db.read() as session:
            info = request.match_info
            row = await shared_file(session, info["token"], info["sig"], info["name"], runtime.clock.now(), secret)
        if row is None:
            return web.Response(status=404, text=NOT_FOUND, headers=HEADERS)
        return web.Response(
            body=row.data,
            content_type=row.media_type,
            headers={**HEADERS, "Content-Disposition": f'attachment; filename="{row.filename}"'},
        )

    async def feed(request: web.Request) -> web.Response:
        from bot.reports.calendar import person_feed

        async with runtime.db.read() as session:
            row = await calendar_feed(session, request.match_info["token"], request.match_info["sig"], secret)
            if row is None:
                return web.Response(status=404, text=NOT_FOUND, headers=HEADERS)
            body = await person_feed(session, row, runtime.core.translator, runtime.config, runtime.clock.now())
        return web.Response(body=body, content_type="text/calendar", charset="utf-8", headers=HEADERS)

    app.router.add_get("/files/{token}/{sig}/{name}", download)
    app.router.add_get("/calendar/{token}/{sig}.ics", feed)
