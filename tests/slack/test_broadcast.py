"""A coordinator's broadcast on Slack, the whole way: typed in a DM (as
Slack encodes it: a channel ping, a user mention, a link it made clickable),
previewed, sent, and delivered by the dispatcher to each participant's DM.
What the Slack Web API receives holds the body as literal text, no channel
ping, mention or link, in the lines it was typed in."""

from __future__ import annotations

import json
from datetime import timedelta

from scheduler.dispatcher import Dispatcher
from tests.core.test_no_markup_from_users import slack_is_inert
from tests.scheduler.helpers import pair_of_users
from tests.slack.helpers import ADEPT, COORDINATOR, MENTOR

# What Slack sends for "Fika på fredag! @channel @Ola" and, on the next lines,
# a Markdown link whose address Slack itself wrapped in <…>.
TYPED = "utskick alla Fika på fredag! <!channel> <@U123>\nAnmäl er: [anmälan](<http://evil.example>) *nu*\n\nHälsningar"


def _dm(fake, user: str) -> list:
    """What the fake delivered to `user`'s DM (the one they wrote in, or one the bot opened)."""
    return [
        c
        for c in fake.delivered()
        if c.result["channel"] == "D" + user[1:] or fake.user_of(c.result["channel"]) == user
    ]


def _shown(payload: dict) -> str:
    """The mrkdwn Slack shows: the message text and its sections."""
    blocks = [b["text"]["text"] for b in payload.get("blocks", []) if b.get("type") == "section"]
    return "\n".join([payload["text"], *blocks])


async def test_a_broadcast_reaches_slack_as_literal_text_in_its_lines(server, sqlite_db, clock):
    for who in (ADEPT, MENTOR, COORDINATOR):
        await server.dm("status", user=who)
    await server.settle()
    async with sqlite_db.write() as s:
        await pair_of_users(s, clock, ADEPT, MENTOR)  # both active in Mentorprogram 2027
    await server.dm(TYPED, user=COORDINATOR)
    await server.settle()
    preview = _dm(server.fake, COORDINATOR)[-1]
    slack_is_inert(preview.params)
    shown = _shown(preview.params)
    assert "&lt;!channel&gt; &lt;@U123&gt;\nAnmäl er: [anmälan](http:\u200b//evil.example)" in shown, shown
    assert "\n\nHälsningar" in shown, shown

    await server.click(preview, "broadcast.send", user=COORDINATOR)
    await server.settle()
    clock.advance(timedelta(minutes=1))
    dispatcher = Dispatcher(sqlite_db, server.runtime.delivery, clock, server.runtime.config)
    while (await dispatcher.tick()).sent:
        clock.advance(timedelta(minutes=1))
    for who in (ADEPT, MENTOR):
        (message,) = [c for c in _dm(server.fake, who) if "Fika på fredag" in json.dumps(c.params, ensure_ascii=False)]
        slack_is_inert(message.params)
        text = _shown(message.params)
        assert "<!channel>" not in text and "<@U123>" not in text and "<http" not in text
        assert "Fika på fredag! &lt;!channel&gt; &lt;@U123&gt;\nAnmäl er: [anmälan](http:\u200b//evil.example)" in text
        assert "\u200b*\u200bnu\u200b*\u200b\n\nHälsningar" in text, text  # not bold, and its paragraph kept
