"""A Yes/No question answered by typing `nej` in Teams, through the SDK's own
token validation as `serve` wires it: the question's card is updated in place
(its words, no buttons, the answer typed), as a press would update it, and
the answer itself is a reply of its own."""

from __future__ import annotations

from sqlmodel import select

from bot.lifecycle import ACTIVE
from bot.store.models import Program
from tests.teams.helpers import teams_server, user
from tests.teams.people import TeamsPerson, actions_of

HANNA = user("Hanna", 80)  # coordinator


async def test_a_typed_no_updates_the_question_card_and_leaves_no_buttons(sqlite_db, clock, connector, keys):
    async with teams_server(sqlite_db, clock, keys=keys, coordinators=(HANNA.key,)) as server:
        hanna = TeamsPerson(server, connector, HANNA)
        await hanna.type("program create Mentorprogram 2027 start=2027-01-15 end=2027-12-31")
        await hanna.type("program close")
        question = hanna.last_card()
        assert question is not None and len(actions_of(question.card)) == 2  # Ja / Nej

        sent = await hanna.type("nej")

        (update,) = [c for c in sent if c.op == "update"]
        assert update.activity_id == question.result_id
        assert actions_of(update.card) == []
        shown = str(update.card["body"])
        assert "Mentorprogram 2027" in shown and "Du svarade **Nej** genom att skriva det" in shown, shown
        assert [c for c in sent if c.op in ("reply", "send")]  # the answer, as a message of its own
    async with sqlite_db.read() as s:
        assert (await s.exec(select(Program))).one().status == ACTIVE
