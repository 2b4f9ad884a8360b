"""Clicking an organisation on Slack (a signed `block_actions`) stores that
organisation, with ids in the reverse order of the positions shown."""

from __future__ import annotations

from sqlmodel import select

from bot.store.models import DialogState, Organisation
from tests.slack.helpers import ADEPT, button, click, dms, slack_server

SETUP = (
    'program create "Mentorprogram 2027" start=2027-01-19 end=2028-01-19',
    "org add Täby kommun",
    "org add Knivsta kommun",
    "org add Enköpings kommun",
)


async def test_the_clicked_organisation_is_the_one_stored(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        fake = server.fake
        server.adapter.port.limiter.interval = 0.01
        for line in SETUP:
            await server.command(line)
            await server.settle()
        await server.command(f"invite <@{ADEPT}|adam>")
        await server.settle()
        (invitation,) = dms(fake, ADEPT)
        await click(server, invitation, button(invitation, fake, action_prefix="invite.join"), ADEPT)
        consent = dms(fake, ADEPT)[-1]
        await click(server, consent, button(consent, fake, label="Ja"), ADEPT)
        question = dms(fake, ADEPT)[-1]
        labels = [
            e["text"]["text"] for b in question.params["blocks"] if b["type"] == "actions" for e in b["elements"]
        ][:3]
        assert labels == ["Enköpings kommun", "Knivsta kommun", "Täby kommun"]
        enkoping = button(question, fake, label="Enköpings kommun")
        async with sqlite_db.read() as s:
            ids = {o.name: o.id for o in (await s.exec(select(Organisation))).all()}
        assert enkoping["value"] == str(ids["Enköpings kommun"]) != "1"  # id 3, shown first
        await click(server, question, enkoping, ADEPT)
        async with sqlite_db.read() as s:
            (state,) = (await s.exec(select(DialogState))).all()
        assert state.data["answers"]["organisation_id"] == ids["Enköpings kommun"]
        # The answered card says what was chosen.
        updated = fake.messages[(question.result["channel"], question.result["ts"])]
        assert "Enköpings kommun" in updated["text"]
        # A double click (Slack had not yet shown the updated card): nothing more is said.
        sent, answered = len(fake.calls), len(dms(fake, ADEPT))
        await click(server, question, enkoping, ADEPT, as_sent=True)
        assert len(dms(fake, ADEPT)) == answered
        assert not [
            c for c in fake.calls[sent:] if c.method in ("chat.postMessage", "chat.postEphemeral", "response_url")
        ]
        # At most the card is shown answered again, in place.
        assert all(c.params["ts"] == question.result["ts"] for c in fake.calls[sent:] if c.method == "chat.update")
