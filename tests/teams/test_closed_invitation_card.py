"""`program close` in Teams: the invitation card an invitee never answered
is updated in place (the activity the connector answered when it was sent,
in the invitee's personal chat) to say the invitation no longer holds,
without its buttons; no second message is sent."""

from __future__ import annotations

from tests.teams.helpers import teams_server, user
from tests.teams.people import TeamsPerson

HANNA = user("Hanna", 90)  # coordinator
BO = user("Bo", 93)


async def test_the_unanswered_invitation_card_is_updated_at_the_close(sqlite_db, clock, connector):
    async with teams_server(sqlite_db, clock, coordinators=(HANNA.key,)) as server:
        hanna, bo = TeamsPerson(server, connector, HANNA), TeamsPerson(server, connector, BO)
        for person in (hanna, bo):
            await person.type("status")  # each has the app: their personal chat is known
        await hanna.type("program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19")
        await hanna.type(f"invite {BO.key}")
        invitation = bo.last_card()
        assert invitation is not None and invitation.result_id, bo.inbox()
        received = len(bo.inbox())
        await hanna.type("program close")
        await hanna.click_button("program.close.confirm", hanna.last_card())
        (update,) = [c for c in connector.of("update") if c.conversation == BO.chat]
        assert update.activity_id == invitation.result_id, (update.activity_id, invitation.result_id)
        assert "inbjudan till det gäller inte längre" in update.shown_text() and update.card is None, update.body
        assert len(bo.inbox()) == received  # no note sent below it
