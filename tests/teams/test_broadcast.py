"""A coordinator's broadcast in Teams, the whole way: typed in the personal
chat (the composer's HTML: paragraphs, entities), previewed on a card, sent,
and delivered by the dispatcher to each participant's chat. What the Bot
Connector receives holds the body as literal text (no link, mention, HTML or
formatting), in the lines it was typed in."""

from __future__ import annotations

from datetime import timedelta

from scheduler.dispatcher import Dispatcher
from tests.core.test_no_markup_from_users import teams_is_inert
from tests.scheduler.helpers import pair_of_users
from tests.teams.helpers import teams_server, user
from tests.teams.people import TeamsPerson

HANNA = user("Hanna", 90)  # coordinator
ANNA = user("Anna", 91)
BO = user("Bo", 92)

TYPED = (
    "<p>utskick alla Fika på fredag! &lt;!channel&gt; &lt;@U123&gt;</p>"
    "<p>Anmäl er: [anmälan](http://evil.example) **nu**<br>- inte en lista</p><p></p><p>Hälsningar</p>"
)
# The body as Teams markdown: every markup character escaped, the address broken, the lines kept.
LINES = (
    "Fika på fredag\\! \\<\\!channel\\> \\<@U123\\>",
    "Anmäl er: \\[anmälan\\]\\(http:\u200b//evil.example\\) \\*\\*nu\\*\\*",
    "\\- inte en lista",
    "Hälsningar",
)


def _text_blocks(card: dict) -> list[str]:
    return [b["text"] for b in card["body"] if b.get("type") == "TextBlock"]


async def test_a_broadcast_reaches_teams_as_literal_text_in_its_lines(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock, coordinators=(HANNA.key,)) as server:
        hanna, anna, bo = (TeamsPerson(server, connector, who) for who in (HANNA, ANNA, BO))
        for person in (hanna, anna, bo):
            await person.type("status")  # each has the app: their personal chat is known
        async with sqlite_db.write() as s:
            await pair_of_users(s, clock, ANNA.aad, BO.aad)  # both active in Mentorprogram 2027
        await hanna.type(TYPED)
        preview = hanna.last_card()
        assert preview is not None and "broadcast.send" in str(preview.card), preview.shown_text()
        teams_is_inert(preview.body)
        blocks = _text_blocks(preview.card)
        start = next(i for i, b in enumerate(blocks) if b.startswith(LINES[0]))
        assert tuple(blocks[start : start + 4]) == LINES, blocks  # a TextBlock a line, each escaped

        await hanna.click_button("broadcast.send", preview)
        clock.advance(timedelta(minutes=1))
        dispatcher = Dispatcher(sqlite_db, server.runtime.delivery, clock, server.runtime.config)
        while (await dispatcher.tick()).sent:
            clock.advance(timedelta(minutes=1))
        for person in (anna, bo):
            (message,) = [c for c in person.inbox() if "Fika på fredag" in (c.text or "")]
            teams_is_inert(message.body)
            assert message.text.endswith("\n\n".join(LINES)), message.text
