"""`program close` on Slack: the invitation card an invitee never answered
is updated in place (`chat.update` in the DM channel Slack opened for it,
kept with its `ts` when it was sent) to say the invitation no longer holds,
without its buttons; no second message is posted. Through signed requests
and the fake Web API."""

from __future__ import annotations

from tests.slack.helpers import ADEPT, COORDINATOR, dms, slack_server


async def test_the_unanswered_invitation_card_is_updated_at_the_close(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        fake = server.fake
        server.adapter.port.limiter.interval = 0.01
        await server.command("program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19")
        await server.settle()
        await server.command(f"invite <@{ADEPT}|adam>")  # by mention: no DM channel known for Adam yet
        await server.settle()
        (invitation,) = dms(fake, ADEPT)
        assert invitation.params["channel"] == ADEPT and invitation.result["channel"] != ADEPT
        await server.command("program close", user=COORDINATOR, channel="D0COORD")
        await server.settle()
        question = fake.calls_to("response_url")[-1]
        status, _ = await server.click_ephemeral(question, "program.close.confirm", user=COORDINATOR, channel="D0COORD")
        assert status == 200
        await server.settle()
        (update,) = fake.calls_to("chat.update", ok=True)
        where = (invitation.result["channel"], invitation.result["ts"])
        assert (update.params["channel"], update.params["ts"]) == where, update.params
        shown = fake.messages[where]
        assert "inbjudan till det gäller inte längre" in shown["text"], shown["text"]
        assert not [b for b in shown["blocks"] if b["type"] == "actions"], shown["blocks"]
        assert dms(fake, ADEPT) == [invitation]  # no note posted below it
