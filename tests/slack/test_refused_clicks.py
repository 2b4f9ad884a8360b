"""A click the core does not take leaves its card as it was: a button on an
invitation to a program that has closed since is answered with why, and the
card is not marked as if the person had joined (whatever template the
refusal comes from, not only `errors/...`)."""

from __future__ import annotations

from sqlmodel import select

from bot.lifecycle import CLOSED
from bot.store.models import Program
from tests.slack.helpers import ADEPT, button, click, dms, slack_server


async def test_a_refused_click_does_not_mark_the_card_answered(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        fake = server.fake
        server.adapter.port.limiter.interval = 0.01
        for line in ('program create "Mentorprogram 2027" start=2027-01-19 end=2028-01-19', f"invite <@{ADEPT}|adam>"):
            await server.command(line)
            await server.settle()
        (invitation,) = dms(fake, ADEPT)
        shown = fake.messages[(invitation.result["channel"], invitation.result["ts"])]
        async with sqlite_db.write() as s:  # the coordinator closed the program meanwhile
            program = (await s.exec(select(Program))).one()
            program.status = CLOSED
            s.add(program)

        await click(server, invitation, button(invitation, fake, action_prefix="invite.join"), ADEPT)

        answer = dms(fake, ADEPT)[-1]
        assert "Mentorprogram 2027" in answer.params["text"]  # why: the program has closed
        assert fake.messages[(invitation.result["channel"], invitation.result["ts"])] == shown  # buttons still there
