"""Files in Teams (issue 13): a message's files arrive as short-lived signed
download links served by `serve`; the fake Bot Connector shows the link, the
server hands out the bytes, and a forged, tampered or expired link is a 404."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from tests.fakes.bot_connector import FakeBotConnector
from tests.teams.helpers import teams_server, user
from tests.teams.people import TeamsPerson

ANNA = user("Anna", 21)
LINK = re.compile(r"\((http://[^)]+/files/([^/]+)/([^/]+)/([^)]+))\)")


@pytest.fixture
async def connector():
    async with FakeBotConnector() as fake:
        yield fake


async def _get(server, path: str) -> tuple[int, bytes, dict]:
    async with server.session.get(server.url + path) as response:
        return response.status, await response.read(), dict(response.headers)


async def test_mydata_in_teams_is_a_working_download_link_that_expires(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock) as server:
        anna = TeamsPerson(server, connector, ANNA)
        await anna.type("mydata")
        shown = anna.inbox()[-1].shown_text()
        _url, token, sig, name = LINK.search(shown).groups()
        assert name == "mydata.json" and "24" in shown
        path = f"/files/{token}/{sig}/{name}"
        status, body, headers = await _get(server, path)
        assert status == 200 and json.loads(body)["person"]["name"] == "Anna"
        assert "attachment" in headers["Content-Disposition"]

        assert (await _get(server, f"/files/{token}/{sig[:-2]}xx/{name}"))[0] == 404  # tampered signature
        assert (await _get(server, f"/files/{token[:-2]}xx/{sig}/{name}"))[0] == 404  # guessed token
        clock.advance(timedelta(hours=25))
        assert (await _get(server, path))[0] == 404  # expired


async def test_the_report_chart_is_an_image_in_a_teams_card_served_by_its_link(sqlite_db, clock, connector):
    hanna = user("Hanna", 22)
    async with teams_server(sqlite_db, clock, coordinators=(hanna.key,)) as server:
        coordinator = TeamsPerson(server, connector, hanna)
        await coordinator.type("program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19")
        await coordinator.type("report")
        card = coordinator.inbox()[-1].card
        (image,) = [e for e in card["body"] if e["type"] == "Image"]
        path = "/files/" + image["url"].split("/files/", 1)[1]
        status, body, headers = await _get(server, path)
        assert status == 200 and body[:8] == b"\x89PNG\r\n\x1a\n" and headers["Content-Type"] == "image/png"


async def test_the_sweep_deletes_expired_shared_files(sqlite_db, clock):
    from sqlmodel import select

    from bot.config import Config
    from bot.links import share_file
    from bot.messages import Attachment
    from bot.ports import Delivery
    from bot.store.models import SharedFile
    from scheduler.service import SchedulerService

    async with sqlite_db.write() as s:
        await share_file(s, Attachment("x.csv", "text/csv", b"a;b"), None, clock.now(), "http://127.0.0.1", "k")
    service = SchedulerService(sqlite_db, Delivery(), clock, Config())
    await service.sweep()
    async with sqlite_db.read() as s:
        assert len((await s.exec(select(SharedFile))).all()) == 1  # still valid
    clock.advance(timedelta(hours=25))
    await service.sweep()
    async with sqlite_db.read() as s:
        assert (await s.exec(select(SharedFile))).all() == []
