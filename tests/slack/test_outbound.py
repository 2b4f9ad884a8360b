"""SlackPort against the loopback fake: where messages land, updates, group
DMs, rate limits and errors as the dispatcher sees them."""

from __future__ import annotations

import pytest

from adapters.slack.outbound import SlackPort
from adapters.slack.response_url import response_url_handle
from bot.messages import Address, Button, Buttons, Card, MessageRef, Outbound, Platform, Sent, Where
from bot.ports import DeliveryError

NUDGE = Outbound(text="Har ni träffats?", card=Card(blocks=(Buttons(buttons=(Button("nudge.met", "Ja"),)),)))


@pytest.fixture(autouse=True)
async def close_ports(monkeypatch):
    """Every SlackPort a test makes is closed afterwards (its HTTP session)."""
    made: list[SlackPort] = []
    real_init = SlackPort.__init__

    def tracking_init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        made.append(self)

    monkeypatch.setattr(SlackPort, "__init__", tracking_init)
    yield
    for port in made:
        await port.close()


def dm(user: str) -> Address:
    return Address(Platform.SLACK, "T0FAKE", user=user)


async def test_dm_by_user_id_returns_a_ref_that_updates_the_message(fake):
    port = SlackPort("xoxb-test", fake.base_url)
    sent = await port.send(dm("U1"), NUDGE)
    assert sent.ref == MessageRef(Platform.SLACK, "D1", sent.ref.message_id)
    posted = fake.messages[("D1", sent.ref.message_id)]
    assert posted["blocks"][-1]["elements"][0]["action_id"] == "nudge.met"
    await port.update(sent.ref, Outbound(text="Tack, noterat!"))
    after = fake.messages[("D1", sent.ref.message_id)]
    assert after["text"] == "Tack, noterat!" and after["blocks"] == []  # the button is gone


async def test_pair_intro_goes_to_a_group_dm(fake):
    port = SlackPort("xoxb-test", fake.base_url)
    sent = await port.send(SlackPort.group_address("T0FAKE", ["U1", "U2"]), Outbound(text="Möt varandra!"))
    assert [c.method for c in fake.calls] == ["conversations.open", "chat.postMessage"]
    assert fake.calls[0].params["users"] == "U1,U2"
    assert sent.ref.conversation.startswith("G")


async def test_channel_post_in_a_thread_and_an_ephemeral_answer(fake):
    port = SlackPort("xoxb-test", fake.base_url)
    channel = Address(Platform.SLACK, "T0FAKE", conversation="C1", where=Where.CHANNEL, thread="1.000001")
    await port.send(channel, Outbound(text="Kickoff i morgon"))
    ephemeral = Address(Platform.SLACK, "T0FAKE", conversation="C1", user="U1", where=Where.CHANNEL)
    sent = await port.send(ephemeral, Outbound(text="Bara för dig", ephemeral=True))
    assert sent.ref is None
    assert [c.method for c in fake.calls] == ["chat.postMessage", "chat.postEphemeral"]
    assert fake.calls[0].params["thread_ts"] == "1.000001"


async def test_rate_limited_send_hands_the_wait_back_to_a_dispatcher(fake):
    fake.configure(throttle_every=1, retry_after=7)
    port = SlackPort("xoxb-test", fake.base_url, max_wait=0)
    with pytest.raises(DeliveryError) as err:
        await port.send(dm("U1"), NUDGE)
    assert err.value.retry_after == 7 and not err.value.permanent
    # That conversation is paused: the next send to it does not even reach Slack ...
    with pytest.raises(DeliveryError) as again:
        await port.send(dm("U1"), NUDGE)
    assert 6 < again.value.retry_after <= 7
    assert len(fake.calls) == 1
    # ... while another person's DM is not held back by it (Slack limits per channel).
    fake.configure(throttle_every=0)
    await port.send(dm("U2"), NUDGE)
    assert [c.params["channel"] for c in fake.calls] == ["U1", "U2"] and fake.calls[1].ok


async def test_a_post_says_when_slack_accepted_it_by_slacks_clock(fake, clock):
    """`Sent.accepted_at` is the message's `ts` read as epoch seconds, by
    Slack's clock (the dispatcher paces a channel from it); an ephemeral post
    and an answer through a `response_url` have none."""
    fake.configure(clock_offset=-7200.0)  # Slack's clock two hours behind ours
    port = SlackPort("xoxb-test", fake.base_url, clock=clock)
    sent = await port.send(dm("U1"), NUDGE)
    (call,) = fake.delivered()
    assert sent.accepted_at == float(sent.ref.message_id) == float(call.result["ts"])
    assert sent.accepted_at >= call.at - 7200.0  # taken when it arrived, on Slack's clock
    in_channel = Address(Platform.SLACK, "T0FAKE", conversation="C1", user="U1", where=Where.CHANNEL)
    assert (await port.send(in_channel, Outbound(text="bara du", ephemeral=True))).accepted_at is None
    in_place = Address(
        Platform.SLACK, "T0FAKE", user="U1", ref=response_url_handle(fake.response_url(), clock.now()).ref
    )
    assert (await port.send(in_place, NUDGE)) == Sent(ref=None, accepted_at=None)


async def test_interactive_sender_waits_out_a_short_retry_after(fake):
    fake.configure(throttle_every=2, retry_after=1)
    port = SlackPort("xoxb-test", fake.base_url, max_wait=2)
    await port.send(dm("U1"), NUDGE)
    await port.send(dm("U2"), NUDGE)  # 429 first, then delivered after the wait
    assert len(fake.delivered()) == 2
    assert not any(c.early for c in fake.calls)


async def test_same_channel_sends_are_spaced_so_slack_never_throttles(fake):
    fake.configure(channel_rate=1.0)
    port = SlackPort("xoxb-test", fake.base_url, max_wait=5, channel_interval=1.0)
    for text in ("ett", "två"):
        await port.send(Address(Platform.SLACK, "T0FAKE", conversation="C1", where=Where.CHANNEL), Outbound(text=text))
    assert [c.status for c in fake.calls] == [200, 200]


async def test_busy_channel_is_reported_not_slept_on_by_a_dispatcher(fake):
    port = SlackPort("xoxb-test", fake.base_url, max_wait=0, channel_interval=1.0)
    channel = Address(Platform.SLACK, "T0FAKE", conversation="C1", where=Where.CHANNEL)
    await port.send(channel, Outbound(text="ett"))
    with pytest.raises(DeliveryError) as err:
        await port.send(channel, Outbound(text="två"))
    assert 0 < err.value.retry_after <= 1.0
    assert len(fake.calls) == 1


async def test_errors_say_whether_trying_again_can_help(fake):
    fake.add_channel("C9", "mentorprogram", is_member=False)
    port = SlackPort("xoxb-test", fake.base_url)
    with pytest.raises(DeliveryError) as err:
        await port.send(Address(Platform.SLACK, "T0FAKE", conversation="C9", where=Where.CHANNEL), Outbound(text="x"))
    assert err.value.permanent and "not_in_channel" in err.value.reason
    fake.configure(server_error_every=1)
    with pytest.raises(DeliveryError) as err:
        await port.send(dm("U1"), Outbound(text="x"))
    assert not err.value.permanent and "503" in err.value.reason


async def test_refused_blocks_still_deliver_the_words(fake):
    fake.configure(method_errors={"chat.postMessage": "invalid_blocks"})
    port = SlackPort("xoxb-test", fake.base_url)
    with pytest.raises(DeliveryError):
        await port.send(dm("U1"), NUDGE)
    calls = fake.calls_to("chat.postMessage")
    assert len(calls) == 2 and "blocks" not in calls[1].params and calls[1].params["text"] == "Har ni träffats?"


def test_limiter_allows_short_bursts_then_one_per_interval():
    from adapters.slack.answers import ChannelLimiter

    limiter = ChannelLimiter(interval=1.0, burst=3)
    waits = [limiter.reserve("D1", 0.0, max_wait=10) for _ in range(5)]
    assert waits == [0.0, 0.0, 0.0, 1.0, 2.0]
    assert limiter.reserve("D2", 0.0, max_wait=0) == 0.0  # other channels are independent
