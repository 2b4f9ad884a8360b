"""Only Teams talks to the bot on /api/messages. An Azure Bot resource also
has a Web Chat channel (on by default) and may have Direct Line: their
activities carry a valid Bot Framework token too, but the client writes
their `from` and `channelData`, so anyone holding the Web Chat or Direct
Line secret (or the portal's "Test in Web Chat") could call themselves a
coordinator's Entra object id in the bot's own tenant. With authentication
on, an activity whose `channelId` is not `msteams` changes nothing, stores
nothing and gets no answer, through the SDK's own token validation."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.store.models import AuditLog, Identity, Person, ProcessedEvent, Program
from tests.teams.helpers import BOT, TENANT, personal_message, teams_server, user

ANNA = user("Anna", 61)  # a coordinator, by her Teams key
# The channels a key of Microsoft's Bot Framework vouches for (its JWKS
# `endorsements`; the SDK: "tokens from WebChat have about 10 endorsements").
MICROSOFT_ENDORSEMENTS = ["msteams", "skype", "webchat", "directline", "directlinespeech", "emulator", "slack", "email"]
CREATE = "program create Hemligt start=2027-01-19 end=2028-01-19"


def from_web_chat(service_url: str, channel: str) -> dict:
    """What a Web Chat or Direct Line client can post through the Bot
    Connector: its own `from` (a coordinator's object id), and `channelData`
    naming the bot's tenant."""
    return {
        "type": "message",
        "id": "5F1pDeK4kLc-eu|0000001",
        "timestamp": "2027-01-04T08:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": channel,
        "from": {"id": ANNA.aad, "name": "Anna", "aadObjectId": ANNA.aad},
        "conversation": {"id": "5F1pDeK4kLc-eu"},
        "recipient": BOT,
        "locale": "sv-SE",
        "text": CREATE,
        "channelData": {"tenant": {"id": TENANT}},
    }


async def _nothing_happened(db) -> None:
    async with db.read() as session:
        for table in (Program, Person, Identity, ProcessedEvent, AuditLog):
            assert (await session.exec(select(table))).all() == [], table.__name__


@pytest.mark.parametrize("channel", ["webchat", "directline", "emulator", ""])
async def test_an_activity_from_another_channel_than_teams_changes_nothing(sqlite_db, clock, keys, connector, channel):
    keys.endorsements = MICROSOFT_ENDORSEMENTS
    async with teams_server(sqlite_db, clock, keys=keys, coordinators=(ANNA.key,)) as server:
        status = await server.post(from_web_chat(connector.url, channel))
    assert status in (200, 201)  # authenticated: the Bot Connector gets no error to retry
    await _nothing_happened(sqlite_db)
    assert connector.calls == []


async def test_the_same_command_from_teams_runs(sqlite_db, clock, keys, connector):
    keys.endorsements = MICROSOFT_ENDORSEMENTS
    async with teams_server(sqlite_db, clock, keys=keys, coordinators=(ANNA.key,)) as server:
        await server.post(personal_message(connector.url, ANNA, CREATE))
    async with sqlite_db.read() as session:
        assert [p.name for p in (await session.exec(select(Program))).all()] == ["Hemligt"]
    assert connector.delivered(ANNA.chat)


async def test_local_mode_also_takes_the_emulator(sqlite_db, clock, connector):
    """Local mode has no authentication to rely on anyway; the Bot Framework
    Emulator, which README offers for it, says `emulator`."""
    async with teams_server(sqlite_db, clock, coordinators=(ANNA.key,)) as server:
        await server.post(from_web_chat(connector.url, "emulator"))
    async with sqlite_db.read() as session:
        assert [p.name for p in (await session.exec(select(Program))).all()] == ["Hemligt"]
