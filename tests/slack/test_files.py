"""Files in Slack (issue 13): the upload in three calls against the loopback
fake Web API (`files.getUploadURLExternal`, the bytes to the upload URL,
`files.completeUploadExternal`), always into the reader's DM."""

from __future__ import annotations

import json
import re

import pytest

from adapters.slack.outbound import SlackPort
from bot.messages import Address, Attachment, Outbound, Platform, Where
from bot.ports import DeliveryError
from tests.slack.helpers import ADEPT, COORDINATOR, say, slack_people, slack_server

CSV = Attachment("pairs.csv", "text/csv", b"adept;mentor\nAdam;Maria\n", "Pairs")


async def test_a_message_with_a_file_posts_the_text_then_uploads_into_the_dm(fake):
    port = SlackPort("xoxb-test", fake.base_url)
    try:
        await port.send(Address(Platform.SLACK, "T0FAKE", user="U1"), Outbound(text="Här är exporten", files=(CSV,)))
    finally:
        await port.close()
    methods = [c.method for c in fake.calls]
    assert methods == ["chat.postMessage", "files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    ((_file_id, stored),) = fake.files.items()
    assert stored["data"] == CSV.data and stored["filename"] == "pairs.csv" and stored["channel"] == "D1"
    assert stored["title"] == "Pairs"


async def test_a_file_for_a_channel_reply_goes_to_the_persons_dm_not_the_channel(fake):
    port = SlackPort("xoxb-test", fake.base_url)
    fake.add_channel("C1", "mentorprogram")
    try:
        await port.send(
            Address(Platform.SLACK, "T0FAKE", conversation="C1", user="U1", where=Where.CHANNEL),
            Outbound(text="Export", ephemeral=True, files=(CSV,)),
        )
    finally:
        await port.close()
    (stored,) = fake.files.values()
    assert stored["channel"] != "C1" and stored["channel"].startswith("D")


async def test_a_failed_upload_is_a_delivery_error(fake):
    fake.configure(method_errors={"files.completeUploadExternal": "not_in_channel"})
    port = SlackPort("xoxb-test", fake.base_url)
    try:
        with pytest.raises(DeliveryError):
            await port.send(Address(Platform.SLACK, "T0FAKE", user="U1"), Outbound(text="x", files=(CSV,)))
    finally:
        await port.close()


async def test_mydata_by_slash_command_arrives_as_a_json_file_in_the_dm(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        slack_people(server.fake)
        status, _ = await server.command("mydata", user=ADEPT, channel="C0GENERAL", channel_name="general")
        assert status == 200
        await server.settle()
        (stored,) = server.fake.files.values()
        assert stored["filename"] == "mydata.json" and stored["channel"] == "D" + ADEPT[1:]
        assert json.loads(stored["data"])["person"]["name"]


async def test_the_calendar_feed_link_arrives_as_a_working_slack_link(sqlite_db, clock):
    """The bot's own feed URL is a Slack link (`<url|url>`), not text broken
    up like an address a person typed, and it opens the feed."""
    async with slack_server(sqlite_db, clock) as server:
        slack_people(server.fake)
        await say(server, COORDINATOR, "program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19")
        await say(server, COORDINATOR, "calendar")
        text = [c for c in server.fake.delivered() if c.channel == "D" + COORDINATOR[1:]][-1].params["text"]
        assert "\u200b" not in text
        url, label = re.search(r"<(http://[^|>]+/calendar/[^|>]+\.ics)\|([^>]+)>", text).groups()
        assert label == url
        async with server.http.get(server.url + "/" + url.split("/", 3)[3]) as response:
            assert response.status == 200 and response.content_type == "text/calendar"
