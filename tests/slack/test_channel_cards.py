"""A card everyone in the program channel sees (an event reminder with its
*I'm coming / I can't come* buttons) stays as it is when someone answers it:
the answer goes to that person alone, and the next person can still answer.
Only a person's own DM card is marked answered."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.messages import Actor, Platform
from bot.people import person_for_actor
from bot.store.models import Enrollment, EnrollmentStatus, EventRsvp
from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.fakes.slack_api import TEAM_ID
from tests.slack.helpers import ADEPT, MENTOR, button, click, dms, slack_server

CHANNEL = "C0PROGRAM"


async def _enroll(server, user: str, role: str) -> None:
    """`user` takes part in the program (the intake itself is tested elsewhere)."""
    now = server.runtime.clock.now()
    async with server.runtime.db.write() as s:
        person, _ = await person_for_actor(s, Actor(Platform.SLACK, TEAM_ID, user, display_name=user), now)
        s.add(Enrollment(program_id=1, person_id=person.id, role=role, status=EnrollmentStatus.ACTIVE, consent_at=now))


async def test_answers_on_the_channel_reminder_are_private_and_leave_it_for_everyone(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        fake = server.fake
        server.adapter.port.limiter.interval = 0.01
        fake.add_channel(CHANNEL, "mentorprogram-2027", is_member=True)
        for line in (
            'program create "Mentorprogram 2027" start=2027-01-19 end=2028-01-19',
            "event add kickoff 2027-01-19 09:00 place=Stadshuset",
        ):
            await server.command(line)
            await server.settle()
        await server.command("channel", channel=CHANNEL, channel_name="mentorprogram-2027")
        await server.settle()
        await _enroll(server, ADEPT, "adept")
        await _enroll(server, MENTOR, "mentor")
        dispatcher = Dispatcher(server.runtime.db, server.runtime.delivery, clock, server.runtime.config)
        await run_until(dispatcher, clock, datetime(2027, 1, 13, tzinfo=UTC))  # the 7-day reminder

        (card,) = [c for c in fake.delivered() if c.result["channel"] == CHANNEL]
        shown = fake.messages[(CHANNEL, card.result["ts"])]
        updates, posts = len(fake.calls_to("chat.update")), len(fake.calls_to("chat.postMessage"))
        await click(server, card, button(card, fake, action_prefix="rsvp.yes"), ADEPT)
        await click(server, card, button(card, fake, action_prefix="rsvp.no"), MENTOR)

        # The shared card is untouched: same text, same buttons, for everyone.
        assert fake.messages[(CHANNEL, card.result["ts"])] == shown
        assert len(fake.calls_to("chat.update")) == updates
        assert not [c for c in fake.calls_to("response_url") if c.params.get("replace_original")]
        # Each answer went to the one who clicked, privately.
        answers = [c for c in fake.calls_to("chat.postEphemeral") if c.params["channel"] == CHANNEL]
        assert [c.params["user"] for c in answers] == [ADEPT, MENTOR]
        assert not [c for c in fake.calls_to("chat.postMessage")[posts:] if c.params.get("channel") == CHANNEL]
        async with sqlite_db.read() as s:
            rsvps = (await s.exec(select(EventRsvp).order_by(EventRsvp.id))).all()
        assert [r.coming for r in rsvps] == [True, False]

        # The same reminder in a person's own DM is marked answered there.
        (own,) = [c for c in dms(fake, ADEPT) if "rsvp.yes" in str(c.params.get("blocks"))]
        await click(server, own, button(own, fake, action_prefix="rsvp.yes"), ADEPT)
        marked = fake.messages[(own.result["channel"], own.result["ts"])]
        assert not [b for b in marked["blocks"] if b["type"] == "actions"]
