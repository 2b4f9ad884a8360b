"""TeamsPort: proactive sends through stored references, new 1:1 chats,
updates, Teams' limits, retries and 403s, against the fake Bot Connector."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from adapters.teams.limits import CONVERSATION_WINDOWS, SlidingWindows
from adapters.teams.outbound import TeamsPort
from bot.addresses import address_of
from bot.messages import Address, MessageRef, Outbound, Platform
from bot.ports import DeliveryError
from bot.store.models import Identity, Person
from tests.teams.helpers import APP_ID, BOT, TENANT, teams_server, user

ANNA = user("Anna", 1)
CARL = user("Carl", 3)


class FakeTime:
    """A monotonic clock that sleeping moves forward; records every sleep."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def reference(service_url: str, who, conversation: str | None) -> str:
    conv = {"tenantId": TENANT, "conversationType": "personal"}
    if conversation:
        conv["id"] = conversation
    return json.dumps(
        {
            "serviceUrl": service_url,
            "channelId": "msteams",
            "conversation": conv,
            "bot": BOT,
            "user": {"id": who.teams_id, "aadObjectId": who.aad, "name": who.name},
        }
    )


async def add_person(db, who, *, ref: str | None, conversation: str | None) -> int:
    async with db.write() as session:
        person = Person(name=who.name, created_at=datetime(2027, 1, 1, tzinfo=UTC))
        session.add(person)
        await session.flush()
        session.add(
            Identity(
                person_id=person.id,
                platform="teams",
                tenant=TENANT,
                user_id=who.aad,
                conversation=conversation,
                ref=ref,
            )
        )
        return person.id


async def address(db, person_id) -> Address | None:
    async with db.read() as session:
        return await address_of(session, person_id)


@pytest.fixture
async def teams(any_db, clock):
    """A mounted Teams adapter with an app id (outbound calls carry a token)."""
    async with teams_server(any_db, clock, app_id=APP_ID) as server:
        yield server


def port_of(server, fake: FakeTime) -> TeamsPort:
    return TeamsPort(
        server.runtime.extras["teams_adapter"], APP_ID, server.runtime.db, sleep=fake.sleep, monotonic=fake.monotonic
    )


async def test_a_proactive_message_goes_to_the_stored_personal_chat(teams, any_db, connector):
    pid = await add_person(any_db, ANNA, ref=reference(connector.url, ANNA, ANNA.chat), conversation=ANNA.chat)
    to = await address(any_db, pid)
    sent = await teams.runtime.delivery.send(to, Outbound(text="Dags att boka nästa träff!"))
    (call,) = connector.delivered()
    assert (call.op, call.conversation, call.text) == ("send", ANNA.chat, "Dags att boka nästa träff!")
    assert call.headers["Authorization"] == "Bearer fake-outbound-token"
    assert sent.ref == MessageRef(Platform.TEAMS, ANNA.chat, call.result_id)


async def test_someone_the_bot_never_talked_to_gets_a_new_personal_chat(teams, any_db, connector):
    await add_person(any_db, ANNA, ref=reference(connector.url, ANNA, ANNA.chat), conversation=ANNA.chat)
    carl = await add_person(any_db, CARL, ref=None, conversation=None)
    await teams.runtime.delivery.send(await address(any_db, carl), Outbound(text="Välkommen som mentor!"))
    (create,) = connector.of("create")
    assert create.body["members"] == [{"id": CARL.aad}]
    assert create.body["channelData"] == {"tenant": {"id": TENANT}}
    (message,) = connector.delivered()
    assert message.conversation == f"a:direct-{CARL.aad}" and message.text == "Välkommen som mentor!"
    # The new chat is stored: the next message goes straight there.
    assert (await address(any_db, carl)).conversation == f"a:direct-{CARL.aad}"
    await teams.runtime.delivery.send(await address(any_db, carl), Outbound(text="Påminnelse"))
    assert len(connector.of("create")) == 1 and len(connector.delivered()) == 2


async def test_a_person_seen_only_in_a_channel_is_reached_by_their_teams_id(teams, any_db, connector):
    carl = await add_person(any_db, CARL, ref=reference(connector.url, CARL, None), conversation=None)
    await teams.runtime.delivery.send(await address(any_db, carl), Outbound(text="Hej"))
    (create,) = connector.of("create")
    assert create.body["members"] == [{"id": CARL.teams_id}]


async def test_a_tenant_the_bot_has_no_conversation_in_is_a_clear_permanent_failure(teams, any_db, connector):
    carl = await add_person(any_db, CARL, ref=None, conversation=None)
    with pytest.raises(DeliveryError) as failure:
        await teams.runtime.delivery.send(await address(any_db, carl), Outbound(text="Hej"))
    assert failure.value.permanent and "install the app" in failure.value.reason
    assert connector.calls == []


async def test_429_is_retried_after_the_time_teams_asks_for(teams, any_db, connector):
    fake = FakeTime()
    pid = await add_person(any_db, ANNA, ref=reference(connector.url, ANNA, ANNA.chat), conversation=ANNA.chat)
    connector.fail_next(429, retry_after=3)
    await port_of(teams, fake).send(await address(any_db, pid), Outbound(text="Hej"))
    assert [c.status for c in connector.calls] == [429, 200]
    assert fake.sleeps == [3.0]
    assert len(connector.delivered()) == 1


@pytest.mark.parametrize("status", [412, 502, 504])
async def test_transient_failures_are_retried_with_backoff(teams, any_db, connector, status):
    fake = FakeTime()
    pid = await add_person(any_db, ANNA, ref=reference(connector.url, ANNA, ANNA.chat), conversation=ANNA.chat)
    connector.fail_next(status, times=2)
    await port_of(teams, fake).send(await address(any_db, pid), Outbound(text="Hej"))
    assert fake.sleeps == [0.5, 1.0]
    assert len(connector.delivered()) == 1


async def test_a_send_that_keeps_failing_is_handed_back_to_the_dispatcher(teams, any_db, connector):
    fake = FakeTime()
    pid = await add_person(any_db, ANNA, ref=reference(connector.url, ANNA, ANNA.chat), conversation=ANNA.chat)
    connector.fail_next(429, times=10, retry_after=5)
    with pytest.raises(DeliveryError) as failure:
        await port_of(teams, fake).send(await address(any_db, pid), Outbound(text="Hej"))
    assert not failure.value.permanent and failure.value.retry_after == 5
    assert len(connector.calls) == 4 and connector.delivered() == []


async def test_403_marks_the_person_unreachable_and_is_permanent(teams, any_db, connector):
    pid = await add_person(any_db, ANNA, ref=reference(connector.url, ANNA, ANNA.chat), conversation=ANNA.chat)
    connector.fail_next(403)
    with pytest.raises(DeliveryError) as failure:
        await teams.runtime.delivery.send(await address(any_db, pid), Outbound(text="Hej"))
    assert failure.value.permanent and "403" in failure.value.reason
    assert len(connector.calls) == 1  # not retried
    async with any_db.read() as session:
        identity = (await session.exec(select(Identity))).one()
    assert identity.unreachable and "blocked" in identity.unreachable_reason
    assert await address(any_db, pid) is None  # the core now knows it cannot reach them


async def test_a_shown_card_can_be_updated_later(teams, any_db, connector):
    await add_person(any_db, ANNA, ref=reference(connector.url, ANNA, ANNA.chat), conversation=ANNA.chat)
    await teams.runtime.delivery.update(MessageRef(Platform.TEAMS, ANNA.chat, "act-9"), Outbound(text="Tack!"))
    (update,) = connector.of("update")
    assert (update.conversation, update.activity_id, update.text) == (ANNA.chat, "act-9", "Tack!")


async def test_updating_a_message_in_an_unknown_conversation_is_a_clear_failure(teams, connector):
    with pytest.raises(DeliveryError) as failure:
        await teams.runtime.delivery.update(MessageRef(Platform.TEAMS, "a:gone", "act-1"), Outbound(text="x"))
    assert failure.value.permanent and "a:gone" in failure.value.reason
    assert connector.calls == []


async def test_a_burst_to_one_chat_stays_within_teams_limits(teams, any_db, connector):
    fake = FakeTime()
    pid = await add_person(any_db, ANNA, ref=reference(connector.url, ANNA, ANNA.chat), conversation=ANNA.chat)
    port = port_of(teams, fake)
    to = await address(any_db, pid)
    times = []
    for n in range(20):
        await port.send(to, Outbound(text=f"Meddelande {n}"))
        times.append(fake.now)
    assert len(connector.delivered()) == 20 and not any(c.status == 429 for c in connector.calls)
    for count, seconds in CONVERSATION_WINDOWS:
        for i, start in enumerate(times):
            assert sum(1 for t in times[i:] if t < start + seconds) <= count


def test_the_limiter_holds_the_eighth_message_in_a_second():
    fake = FakeTime()
    limiter = SlidingWindows(((7, 1.0),), monotonic=fake.monotonic, sleep=fake.sleep)
    for _ in range(7):
        assert limiter.delay("c") == 0.0
        limiter._sent["c"].append(fake.now)
    assert limiter.delay("c") == pytest.approx(1.0)
    assert limiter.delay("another chat") == 0.0


async def test_a_program_channel_post_starts_a_new_thread_in_the_stored_channel(teams, any_db, connector):
    from bot.messages import Where
    from tests.teams.helpers import TEAM_CHANNEL

    ref = json.dumps(
        {
            "serviceUrl": connector.url,
            "channelId": "msteams",
            "bot": BOT,
            "conversation": {"id": TEAM_CHANNEL, "tenantId": TENANT, "conversationType": "channel", "isGroup": True},
        }
    )
    channel = Address(Platform.TEAMS, TENANT, conversation=TEAM_CHANNEL, where=Where.CHANNEL, ref=ref)
    sent = await teams.runtime.delivery.send(channel, Outbound(text="Uppstartsmötet är i morgon kl. 09:00."))
    (post,) = connector.delivered()
    assert (post.op, post.conversation) == ("send", TEAM_CHANNEL)
    assert sent.ref.conversation == TEAM_CHANNEL


async def test_a_long_retry_after_is_handed_back_to_the_dispatcher_at_once(teams, any_db, connector):
    fake = FakeTime()
    pid = await add_person(any_db, ANNA, ref=reference(connector.url, ANNA, ANNA.chat), conversation=ANNA.chat)
    connector.fail_next(429, retry_after=45)
    with pytest.raises(DeliveryError) as failure:
        await port_of(teams, fake).send(await address(any_db, pid), Outbound(text="Hej"))
    assert failure.value.retry_after == 45 and not failure.value.permanent
    assert fake.sleeps == [] and len(connector.calls) == 1
