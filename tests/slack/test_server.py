"""The real aiohttp server with the Slack mount, driven by requests signed as
Slack signs them, against the fake Slack Web API."""

from __future__ import annotations

import json
import time

import pytest
from sqlmodel import select

from bot.store.models import Person, ProcessedEvent
from tests.fakes.slack_api import BOT_USER_ID
from tests.slack.helpers import ADEPT, COORDINATOR, MENTOR, slack_server


async def _people(db) -> list[Person]:
    async with db.read() as session:
        return list((await session.exec(select(Person))).all())


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    "how",
    [
        "wrong signature",
        "stale timestamp",
        "future timestamp",
        "missing signature",
        "other secret",
        "body changed after signing",
        "timestamp not a number",
        "timestamp in superscript digits",
        "signature not hex",
    ],
)
async def test_forged_or_stale_requests_are_refused_and_nothing_runs(server, how):
    body = server.event_body(
        {"type": "message", "channel": "D0ADEPT", "user": ADEPT, "text": "hjälp", "ts": "1.1", "channel_type": "im"}
    )
    now = int(time.time())
    if how == "wrong signature":
        status, _ = await server.post(body, "application/json", signature="v0=" + "0" * 64)
    elif how == "stale timestamp":
        status, _ = await server.post(body, "application/json", timestamp=now - 5 * 60 - 10)
    elif how == "future timestamp":
        status, _ = await server.post(body, "application/json", timestamp=now + 5 * 60 + 10)
    elif how == "body changed after signing":
        from tests.slack.helpers import sign

        signed = sign(body, now)
        status, _ = await server.post(
            body.replace("D0ADEPT", "D0OTHER"), "application/json", timestamp=now, signature=signed
        )
    elif how == "other secret":
        from tests.slack.helpers import sign

        status, _ = await server.post(body, "application/json", signature=sign(body, now, "another-secret"))
    elif how == "timestamp not a number":
        status, _ = await server.post(
            body,
            "application/json",
            headers={"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=00"},
            signed=False,
        )
    elif how == "timestamp in superscript digits":
        status, _ = await server.post(
            body,
            "application/json",
            headers={"X-Slack-Request-Timestamp": "¹²³", "X-Slack-Signature": "v0=00"},
            signed=False,
        )
    elif how == "signature not hex":
        status, _ = await server.post(body, "application/json", signature="v0=ÅÄÖ-not-hex")
    else:
        status, _ = await server.post(body, "application/json", signed=False)
    await server.settle()
    assert status == 401
    assert [c.method for c in server.fake.calls] == ["auth.test"]  # only the one at start
    assert await _people(server.runtime.db) == []


async def test_url_verification_challenge_is_answered(server):
    body = json.dumps(
        {"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"}
    )
    status, text = await server.post(body, "application/json")
    assert status == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in text


# ------------------------------------------------------------ slash commands


async def test_slash_command_is_acked_at_once_and_answered_ephemerally(server):
    status, body = await server.command("status")
    assert status == 200 and body == ""
    await server.settle()
    (answer,) = server.fake.calls_to("response_url")
    assert answer.params["response_type"] == "ephemeral"
    assert "mentorprogram" in answer.params["text"].lower()


async def test_first_contact_prefills_the_person_from_users_info(server):
    await server.command("status")
    await server.settle()
    (person,) = await _people(server.runtime.db)
    assert (person.name, person.email, person.platform_locale, person.timezone) == (
        "Karin HR",
        "karin.lund@vaxjo.se",
        "sv-SE",
        "Europe/Stockholm",
    )
    await server.command("status")
    await server.settle()
    assert len(server.fake.calls_to("users.info")) == 1  # only on first contact


async def test_bad_command_gets_an_ephemeral_usage_message(server):
    await server.command("frobnicate now")
    await server.settle()
    await server.command("event add kickoff 2027-13-45")
    await server.settle()
    unknown, bad = server.fake.calls_to("response_url")
    assert unknown.params["response_type"] == "ephemeral" and "frobnicate" in unknown.params["text"]
    assert bad.params["response_type"] == "ephemeral" and "2027-13-45" in bad.params["text"]


async def test_coordinator_command_refused_for_others(server):
    await server.command("program create Mentorprogram start=2027-01-19 end=2028-01-19", user=ADEPT, channel="D0ADEPT")
    await server.settle()
    (answer,) = server.fake.calls_to("response_url")
    assert answer.params["response_type"] == "ephemeral"
    assert "samordnare" in answer.params["text"].lower() or "coordinator" in answer.params["text"].lower()


# -------------------------------------------------------------------- events


async def test_direct_message_is_answered_in_the_dm(server):
    status, _ = await server.dm("hjälp")
    assert status == 200
    await server.settle()
    (reply,) = server.fake.calls_to("chat.postMessage")
    assert reply.params["channel"] == "D0ADEPT"
    assert "status" in reply.params["text"]


async def test_redelivered_event_is_processed_once(server):
    body = server.event_body(
        {
            "type": "message",
            "channel": "D0ADEPT",
            "user": ADEPT,
            "text": "status",
            "ts": "1767000000.000100",
            "channel_type": "im",
        },
        event_id="Ev0REDELIVER",
    )
    first = await server.post(body, "application/json")
    second = await server.post(
        body, "application/json", headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    )
    await server.settle()
    third = await server.post(body, "application/json", headers={"X-Slack-Retry-Num": "2"})
    await server.settle()
    assert first[0] == second[0] == third[0] == 200
    assert len(server.fake.calls_to("chat.postMessage")) == 1
    async with server.runtime.db.read() as session:
        keys = (await session.exec(select(ProcessedEvent.key))).all()
    assert keys == ["slack:Ev0REDELIVER"]


@pytest.mark.parametrize(
    "extra",
    [
        {"bot_id": "B0OTHER"},
        {"user": BOT_USER_ID},
        {"subtype": "message_changed"},
        {"subtype": "message_deleted"},
    ],
)
async def test_bots_and_edits_are_ignored(server, extra):
    await server.dm("status", **extra)
    await server.settle()
    assert server.fake.calls_to("chat.postMessage") == []
    assert await _people(server.runtime.db) == []


async def test_mention_in_a_channel_is_answered_in_its_thread(server):
    await server.event(
        {
            "type": "app_mention",
            "channel": "C0PROGRAM",
            "user": COORDINATOR,
            "text": f"<@{BOT_USER_ID}> hjälp",
            "ts": "1767000000.000200",
            "event_ts": "1767000000.000200",
        }
    )
    await server.settle()
    replies = server.fake.calls_to("chat.postMessage") + server.fake.calls_to("chat.postEphemeral")
    assert len(replies) == 1
    assert replies[0].params["channel"] == "C0PROGRAM"
    assert replies[0].params.get("thread_ts") == "1767000000.000200" or replies[0].method == "chat.postEphemeral"


async def test_home_tab_is_published(server):
    await server.event(
        {"type": "app_home_opened", "user": ADEPT, "channel": "D0ADEPT", "tab": "home", "event_ts": "1767000000.000300"}
    )
    await server.event(
        {
            "type": "app_home_opened",
            "user": ADEPT,
            "channel": "D0ADEPT",
            "tab": "messages",
            "event_ts": "1767000000.000301",
        }
    )
    await server.settle()
    (publish,) = server.fake.calls_to("views.publish")
    assert publish.params["user_id"] == ADEPT
    view = server.fake.views[ADEPT]
    assert view["type"] == "home" and view["blocks"]


# ------------------------------------------------------------ program channel


async def test_program_channel_where_the_bot_is_not_a_member_is_reported(server):
    server.fake.add_channel("C0PROGRAM", "mentorprogram", is_member=False)
    await server.command("program create Mentorprogram start=2027-01-19 end=2028-01-19")
    await server.settle()
    await server.command("channel", channel="C0PROGRAM", channel_name="mentorprogram")
    await server.settle()
    texts = [c.params["text"] for c in server.fake.calls_to("response_url")]
    assert any("C0PROGRAM" in t and "/invite" in t for t in texts), texts


async def test_the_not_a_member_note_links_the_channel_instead_of_showing_its_markup(server):
    """Our own reference to the channel is a Slack channel link (`<#C…>`),
    not the escaped text `&lt;#C…&gt;` that Slack would show as typed."""
    server.fake.add_channel("C0PROGRAM", "mentorprogram", is_member=False)
    await server.command("program create Mentorprogram start=2027-01-19 end=2028-01-19")
    await server.command("channel", channel="C0PROGRAM", channel_name="mentorprogram")
    await server.settle()
    (note,) = [c.params["text"] for c in server.fake.calls_to("response_url") if "/invite" in c.params["text"]]
    assert "<#C0PROGRAM>" in note and "&lt;#" not in note and "&gt;" not in note, note


async def test_a_typed_channel_link_or_ping_stays_text_next_to_the_bots_own_channel_link(server):
    """The program name (typed by a coordinator) arrives escaped in the same
    ephemeral answers that carry the bot's own channel link: only ours links."""
    server.fake.add_channel("C0PROGRAM", "mentorprogram", is_member=False)
    await server.command("program create Evil <#C123> <!channel> start=2027-01-19 end=2028-01-19")
    await server.command("channel", channel="C0PROGRAM", channel_name="mentorprogram")
    await server.settle()
    texts = [c.params["text"] for c in server.fake.calls_to("response_url")]
    saved = [t for t in texts if "Evil" in t and "/invite" not in t]
    assert saved and all("&lt;#C123&gt;" in t and "&lt;!channel&gt;" in t for t in saved), texts
    assert not any("<#C123>" in t or "<!channel>" in t for t in texts), texts
    assert any("<#C0PROGRAM>" in t and "/invite" in t for t in texts), texts


async def test_the_not_a_member_note_is_in_the_coordinators_language(server):
    """An English-speaking coordinator (Slack in en-GB) in a Swedish
    installation reads the note in English, as the answer it follows."""
    server.fake.add_user(COORDINATOR, "Karin HR", real_name="Karin Lund", email="karin.lund@vaxjo.se", locale="en-GB")
    server.fake.add_channel("C0PROGRAM", "mentorprogram", is_member=False)
    assert server.runtime.config.bot.locale == "sv"
    await server.command("program create Mentorprogram start=2027-01-19 end=2028-01-19")
    await server.command("channel", channel="C0PROGRAM", channel_name="mentorprogram")
    await server.settle()
    texts = [c.params["text"] for c in server.fake.calls_to("response_url")]
    assert any("program channel" in t for t in texts), texts  # the answer itself is English ...
    assert any("Invite me" in t for t in texts) and not any("Bjud in mig" in t for t in texts), texts


async def test_program_channel_where_the_bot_is_a_member_is_just_saved(server):
    server.fake.add_channel("C0PROGRAM", "mentorprogram", is_member=True)
    await server.command("program create Mentorprogram start=2027-01-19 end=2028-01-19")
    await server.settle()
    await server.command("channel", channel="C0PROGRAM", channel_name="mentorprogram")
    await server.settle()
    texts = [c.params["text"] for c in server.fake.calls_to("response_url")]
    assert not any("/invite" in t for t in texts)
    assert server.fake.calls_to("conversations.info")


# ------------------------------------------------------------ slow commands


@pytest.fixture
def slow_command():
    """A command that declares itself slow (as matching will), for the duration of a test."""
    import asyncio

    from bot.commands.registry import COMMANDS, PARTICIPANT, Command
    from bot.messages import Outbound

    async def handler(turn, args):
        await asyncio.sleep(0.3)
        return [Outbound(text="all done", kind="test/slow")]

    key = ("slowtest",)
    COMMANDS[key] = Command(key, PARTICIPANT, (), handler, slow=True)
    yield
    del COMMANDS[key]


async def test_slow_command_is_acked_then_told_that_the_answer_is_coming(server, slow_command):
    status, body = await server.command("slowtest", user=ADEPT, channel="D0ADEPT")
    assert status == 200 and not body  # the ack reads nothing (tests/slack/test_ack_first.py)
    await server.settle()
    working = server.runtime.core.translator.render("sv", "core/working")
    assert [c.params["text"] for c in server.fake.calls_to("response_url")] == [working, "all done"]


async def test_slow_command_typed_in_a_dm_says_it_is_coming_first(server, slow_command):
    await server.dm("slowtest")
    await server.settle()
    texts = [c.params["text"] for c in server.fake.calls_to("chat.postMessage")]
    assert texts == [server.runtime.core.translator.render("sv", "core/working"), "all done"]


@pytest.mark.parametrize("how", ["slash command", "typed in a DM"])
async def test_the_working_note_is_rendered_for_its_readers_language(server, slow_command, monkeypatch, how):
    """An English reader (Slack in en-GB) in a Swedish installation: the note
    is English, and the Slack payload is built in English too (the language
    the words Slack adds to a message come in), not the installation's."""
    import adapters.slack.outbound as outbound

    built: list[tuple[str, str]] = []
    real = outbound.message_payload

    def recorded(message, locale):
        built.append((message.kind, locale))
        return real(message, locale)

    monkeypatch.setattr(outbound, "message_payload", recorded)
    assert server.runtime.config.bot.locale == "sv"
    if how == "slash command":
        await server.command("slowtest", user=MENTOR, channel="D0MENTOR")
    else:
        await server.dm("slowtest", user=MENTOR)
    await server.settle()
    sent = [
        c.params["text"] for c in server.fake.calls_to("response_url" if how == "slash command" else "chat.postMessage")
    ]
    assert sent == [server.runtime.core.translator.render("en", "core/working"), "all done"]
    assert [locale for kind, locale in built if kind == "core/working"] == ["en"]


# ------------------------------------------------------------ ephemeral cards


async def test_button_on_an_ephemeral_answer_replaces_it_through_the_response_url(server):
    await server.command("forget", user=ADEPT, channel="D0ADEPT")
    await server.settle()
    (card,) = server.fake.calls_to("response_url")
    assert card.params["response_type"] == "ephemeral" and card.params["blocks"]
    status, _ = await server.click_ephemeral(card, "forget.cancel", user=ADEPT, channel="D0ADEPT")
    assert status == 200
    await server.settle()
    replaced = server.fake.calls_to("response_url")[1]
    assert replaced.params["replace_original"] is True
    assert not [b for b in replaced.params.get("blocks", []) if b["type"] == "actions"]
    assert server.fake.calls_to("chat.update") == []  # chat.update cannot touch ephemeral messages


async def test_the_slash_command_name_is_configurable(sqlite_db, clock):
    async with slack_server(sqlite_db, clock, command="/mentorprogram") as s:
        status, _ = await s.command("status", command="/mentorprogram")
        await s.settle()
        assert status == 200 and len(s.fake.calls_to("response_url")) == 1


async def test_a_slow_command_runs_even_when_its_working_note_cannot_be_sent(server, slow_command, monkeypatch):
    async def broken(_inbound):
        raise ConnectionError("the note could not be made or sent")

    monkeypatch.setattr(server.runtime.core, "progress", broken)
    status, _ = await server.command("slowtest", user=ADEPT, channel="D0ADEPT")
    assert status == 200
    await server.settle()
    assert [c.params["text"] for c in server.fake.calls_to("response_url")] == ["all done"]
