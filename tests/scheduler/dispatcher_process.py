"""A dispatcher in its own process, for the crash and two-process tests:

    python -m tests.scheduler.dispatcher_process DB_URL SLACK_API_URL [--lease S] [--worker NAME]

It sends through the real `SlackPort` to the given (fake) Web API until no
reminder is pending or claimed, then exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import timedelta

import aiohttp
import sqlalchemy as sa
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.outbound import SlackPort
from bot.clock import SystemClock
from bot.config import Config
from bot.ports import Delivery
from bot.store.db import Database
from bot.store.models import Reminder
from scheduler.dispatcher import Dispatcher


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("db_url")
    parser.add_argument("api_url")
    parser.add_argument("--lease", type=float, default=300.0)
    parser.add_argument("--worker", default=None)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args(argv)
    db = Database(args.db_url)
    # One HTTP session for all calls (slack_sdk opens one per call otherwise).
    http = aiohttp.ClientSession()
    client = AsyncWebClient(token="xoxb-test", base_url=args.api_url, session=http)
    port = SlackPort("xoxb-test", args.api_url, max_wait=0.0, client=client)
    options = dict(lease=timedelta(seconds=args.lease), concurrency=args.concurrency, batch=args.batch)
    if args.worker:
        options["worker"] = args.worker
    dispatcher = Dispatcher(db, Delivery({port.platform: port}), SystemClock(), Config(), **options)
    table = Reminder.__table__
    try:
        while True:
            try:  # as the scheduler service does: a failed tick is tried again
                result = await dispatcher.tick()
                if not result.busy:
                    async with db.read() as session:
                        left = (
                            await (await session.connection()).execute(
                                sa.select(sa.func.count())
                                .select_from(table)
                                .where(table.c.status.in_(("pending", "claimed")))
                            )
                        ).scalar()
                    if not left:
                        return 0
                    await asyncio.sleep(0.2)
            except Exception as exc:  # the database is away: wait and try again
                print(f"dispatcher: tick failed ({exc.__class__.__name__}); trying again", file=sys.stderr)
                await asyncio.sleep(0.2)
    finally:
        await http.close()
        await db.dispose()


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
