"""Files in Teams (issue 13): a message's files arrive as short-lived signed
download links served by `serve`; the fake Bot Connector shows the link, the
server hands out the bytes, and a forged, tampered or expired link is a 404."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.teams.helpers import announce_pair, teams_server, user
from tests.teams.people import TeamsPerson

ANNA = user("Anna", 21)
LINK = re.compile(r"\((http://[^)]+/files/([^/]+)/([^/]+)/([^)]+))\)")


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
        # Personal data: kept by no cache, and never sniffed into another type than the one declared.
        assert headers["Cache-Control"] == "no-store" and headers["X-Content-Type-Options"] == "nosniff"

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
        assert headers["X-Content-Type-Options"] == "nosniff"


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


# ----------------------------------------------- erasure ends the links (issue: privacy)

BO = user("Bo", 23)
FEED = re.compile(r"\]\((http://[^)]+/calendar/[^)]+\.ics)\)")  # the link's target


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


async def _download_path(person: TeamsPerson) -> str:
    await person.type("mydata")
    url, *_ = LINK.search(person.inbox()[-1].shown_text()).groups()
    return _path(url)


async def test_forget_deletes_the_files_made_for_the_person(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock) as server:
        bo = TeamsPerson(server, connector, BO)
        path = await _download_path(bo)
        status, body, _ = await _get(server, path)
        assert status == 200 and json.loads(body)["person"]["name"] == "Bo"
        await bo.type("forget")
        await bo.click_button("forget.confirm")
        assert (await _get(server, path))[0] == 404


@pytest.mark.parametrize("typed, confirm", [("leave", "leave.confirm"), ("consent withdraw", "consent.confirm")])
async def test_leaving_ends_the_calendar_feed_and_the_files_holding_the_answers(
    sqlite_db, clock, connector, typed, confirm
):
    anna = TeamsPerson(None, connector, ANNA)  # type: ignore[arg-type]
    async with teams_server(sqlite_db, clock) as server:
        anna.server = server
        bo = TeamsPerson(server, connector, BO)
        await anna.type("status")
        await bo.type("status")
        await announce_pair(sqlite_db, clock, ANNA, BO)
        await bo.type("calendar")
        feed = _path(FEED.search(bo.inbox()[-1].shown_text()).group(1))
        assert (await _get(server, feed))[0] == 200
        download = await _download_path(bo)
        await bo.type(typed)
        await bo.click_button(confirm)
        assert (await _get(server, feed))[0] == 404
        assert (await _get(server, download))[0] == 404


async def test_a_download_link_needs_its_own_file_name(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock) as server:
        path = await _download_path(TeamsPerson(server, connector, ANNA))
        assert (await _get(server, path))[0] == 200
        assert (await _get(server, path.rsplit("/", 1)[0] + "/anything.exe"))[0] == 404
        assert (await _get(server, path.rsplit("/", 1)[0] + "/mydata.json.exe"))[0] == 404


async def test_a_file_the_dispatcher_sends_later_is_still_the_persons(sqlite_db, clock, connector):
    """The reply with the download failed right after the turn (Teams said 500);
    the dispatcher sends it again, and that link is recorded as Bo's too."""
    async with teams_server(sqlite_db, clock) as server:
        bo = TeamsPerson(server, connector, BO)
        await bo.type("status")
        connector.fail_next(500, conversation=BO.chat, ops=("reply", "send"))
        await bo.type("mydata")
        dispatcher = Dispatcher(sqlite_db, server.runtime.delivery, clock, server.runtime.config)
        await run_until(dispatcher, clock, clock.now() + timedelta(minutes=10))
        url, *_ = LINK.search(bo.inbox()[-1].shown_text()).groups()
        assert [c.status for c in connector.calls if c.conversation == BO.chat][-2:] == [500, 200]
        assert (await _get(server, _path(url)))[0] == 200
        await bo.type("forget")
        await bo.click_button("forget.confirm")
        assert (await _get(server, _path(url)))[0] == 404


async def test_forget_also_ends_the_coordinators_exports(sqlite_db, clock, connector):
    """A coordinator's export is a file made for the coordinator that may hold
    every participant's answers: a participant's `forget` must not leave it
    downloadable for the rest of its day (the coordinator exports again)."""
    hanna = user("Hanna", 22)
    async with teams_server(sqlite_db, clock, coordinators=(hanna.key,)) as server:
        bo = TeamsPerson(server, connector, BO)
        await bo.type("status")
        coordinator = TeamsPerson(server, connector, hanna)
        await coordinator.type("program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19")
        await coordinator.type("export")
        url, *_ = LINK.search(coordinator.inbox()[-1].shown_text()).groups()
        assert (await _get(server, _path(url)))[0] == 200
        await bo.type("forget")
        await bo.click_button("forget.confirm")
        assert (await _get(server, _path(url)))[0] == 404
