"""The shared fake Slack Web API behaves like Slack where our code relies on it."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import urllib.request

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_api import FakeSlackAPI


def client(fake: FakeSlackAPI) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-test", base_url=fake.base_url, retry_handlers=[])


async def test_post_to_a_user_lands_in_their_dm_and_can_be_updated(fake):
    web = client(fake)
    sent = await web.chat_postMessage(channel="U1", text="hej")
    assert sent["channel"] == "D1" and sent["ts"]
    await web.chat_update(channel=sent["channel"], ts=sent["ts"], text="ändrat")
    assert fake.messages[("D1", sent["ts"])]["text"] == "ändrat"
    assert fake.user_of("D1") == "U1"
    assert [c.method for c in fake.calls] == ["chat.postMessage", "chat.update"]


async def test_every_other_message_is_throttled_with_retry_after(fake):
    fake.configure(throttle_every=2, retry_after=3)
    web = client(fake)
    await web.chat_postMessage(channel="C1", text="one")
    with pytest.raises(SlackApiError) as err:
        await web.chat_postMessage(channel="C2", text="two")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "3"
    # Coming back at once for the same channel is flagged as too early.
    with pytest.raises(SlackApiError):
        await web.chat_postMessage(channel="C2", text="two again")
    assert [c.early for c in fake.calls] == [False, False, True]


async def test_per_channel_limit_answers_429_until_a_second_has_passed(fake):
    fake.configure(channel_rate=1.0)
    web = client(fake)
    await web.chat_postMessage(channel="C1", text="a")
    await web.chat_postMessage(channel="C2", text="b")  # another channel is fine
    with pytest.raises(SlackApiError) as err:
        await web.chat_postMessage(channel="C1", text="c")
    assert err.value.response.status_code == 429
    assert len(fake.delivered()) == 2


async def test_workspace_budget_per_minute(fake):
    fake.configure(workspace_per_minute=3)
    web = client(fake)
    for i in range(3):
        await web.chat_postMessage(channel=f"C{i}", text="x")
    with pytest.raises(SlackApiError) as err:
        await web.chat_postMessage(channel="C9", text="x")
    assert int(err.value.response.headers["Retry-After"]) >= 59


async def test_errors_and_server_errors(fake):
    fake.add_user("U1", "anna", email="anna@example.se", locale="sv-SE", tz="Europe/Stockholm")
    fake.add_channel("C1", "mentorprogram", is_member=False)
    web = client(fake)
    info = await web.users_info(user="U1")
    assert info["user"]["profile"]["email"] == "anna@example.se" and info["user"]["locale"] == "sv-SE"
    with pytest.raises(SlackApiError) as err:
        await web.chat_postMessage(channel="C1", text="x")
    assert err.value.response["error"] == "not_in_channel"
    fake.configure(server_error_every=1)
    with pytest.raises(SlackApiError) as err:
        await web.auth_test()
    assert err.value.response.status_code == 503


async def test_group_dm_for_a_pair(fake):
    web = client(fake)
    opened = await web.conversations_open(users="U2,U1")
    again = await web.conversations_open(users=["U1", "U2"])
    assert opened["channel"]["id"] == again["channel"]["id"]
    assert opened["channel"]["id"].startswith("G")


def test_runs_as_a_separate_process_and_reports_its_calls(tmp_path):
    port_file = tmp_path / "url"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.slack_api", "--port-file", str(port_file)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        assert port_file.read_text() == url and url.endswith("/api/")

        async def post():
            web = AsyncWebClient(token="xoxb-test", base_url=url)
            await web.chat_postMessage(channel="C1", text="from a process")

        asyncio.run(post())
        calls = json.loads(urllib.request.urlopen(url.replace("/api/", "/_calls")).read())
        assert [(c["method"], c["params"]["text"]) for c in calls] == [("chat.postMessage", "from a process")]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
