"""A Yes/No question answered by typing `nej` is shown answered on Slack as a
press shows it: the card's message is updated (chat.update) to its words,
no buttons, and the answer typed; the answer itself follows as a new message."""

from __future__ import annotations

from sqlmodel import select

from bot.lifecycle import ACTIVE
from bot.store.models import Program
from tests.slack.helpers import COORDINATOR, say, slack_server


def in_dm(fake, user: str) -> list:
    return [c for c in fake.delivered() if c.channel == "D" + user[1:]]


async def test_a_typed_no_updates_the_question_card_and_leaves_no_buttons(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        fake = server.fake
        server.adapter.port.limiter.interval = 0.01
        await say(server, COORDINATOR, "program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19")
        await say(server, COORDINATOR, "program close")
        question = in_dm(fake, COORDINATOR)[-1]
        key = (question.result["channel"], question.result["ts"])
        assert any(b["type"] == "actions" for b in fake.messages[key]["blocks"])  # Ja / Nej

        await say(server, COORDINATOR, "nej")

        shown = fake.messages[key]
        assert not any(b["type"] == "actions" for b in shown["blocks"]), shown["blocks"]
        words = str(shown["blocks"])
        assert "Mentorprogram 2027" in words and "Du svarade *Nej* genom att skriva det" in words
        answer = in_dm(fake, COORDINATOR)[-1]
        assert answer.result["ts"] != question.result["ts"]  # the answer is a message of its own, after the "nej"
        async with sqlite_db.read() as s:
            assert (await s.exec(select(Program))).one().status == ACTIVE
