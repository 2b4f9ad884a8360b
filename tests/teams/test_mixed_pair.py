"""A pair across platforms: the adept in Teams, the mentor in Slack. The
coordinator announces the (approved) pair from Teams; each member gets the
introduction and then the scheduler's nudges on their own platform, and a
click in Teams logs the meeting for both."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from adapters.slack.outbound import SlackPort
from bot.store.models import Enrollment, EnrollmentStatus, Identity, Meeting, Pairing, PairStatus, Person, Program
from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.fakes.slack_api import FakeSlackAPI
from tests.teams.helpers import teams_server, user
from tests.teams.people import TeamsPerson, actions_of

ANNA = user("Anna", 21)
HANNA = user("Hanna", 22)  # coordinator
SLACK_TEAM, SLACK_BO = "T0MENTOR", "U0BOMENTOR"


@pytest.fixture
async def slack():
    async with FakeSlackAPI() as fake:
        fake.add_user(SLACK_BO, "Bo Mentorsson", locale="en-GB")
        yield fake


async def test_adept_in_teams_and_mentor_in_slack_each_get_nudged_on_their_platform(sqlite_db, clock, connector, slack):
    slack_port = SlackPort("xoxb-test", slack.base_url, channel_interval=0.0)
    async with teams_server(sqlite_db, clock, coordinators=(HANNA.key,), extra_ports=(slack_port,)) as server:
        anna, hanna = TeamsPerson(server, connector, ANNA), TeamsPerson(server, connector, HANNA)
        await anna.type("status")  # Anna has the app: her personal chat is known
        await hanna.type("status")
        async with sqlite_db.write() as s:
            program = Program(slug="mp27", name="Mentorprogram 2027", start=date(2027, 1, 4), end=date(2027, 12, 17))
            bo = Person(name="Bo Mentorsson", locale="en")
            s.add_all([program, bo])
            await s.flush()
            s.add(Identity(person_id=bo.id, platform="slack", tenant=SLACK_TEAM, user_id=SLACK_BO))
            anna_id = (await s.exec(select(Identity.person_id).where(Identity.user_id == ANNA.aad))).one()
            adept = Enrollment(program_id=program.id, person_id=anna_id, role="adept", status=EnrollmentStatus.ACTIVE)
            mentor = Enrollment(program_id=program.id, person_id=bo.id, role="mentor", status=EnrollmentStatus.ACTIVE)
            s.add_all([adept, mentor])
            await s.flush()
            pairing = Pairing(
                program_id=program.id, adept_id=adept.id, mentor_id=mentor.id, status=PairStatus.APPROVED
            )  # matched and approved
            s.add(pairing)

        before = len(anna.inbox())
        await hanna.type("match announce")
        # Each also gets the first meeting's checklist (tests/life/test_first_meeting.py).
        intro = next(c for c in anna.inbox()[before:] if "Bo Mentorsson" in c.shown_text())  # the checklist follows
        assert intro.op == "send"
        slack_intro = next(c for c in slack.delivered() if "Anna" in str(c.params.get("text")))  # then the checklist
        assert slack.user_of(slack_intro.channel) == SLACK_BO and "Anna" in str(slack_intro.params.get("text"))

        dispatcher = Dispatcher(sqlite_db, server.runtime.delivery, clock, server.runtime.config)
        await run_until(dispatcher, clock, clock.now() + timedelta(days=20))

        teams_nudges = [
            c
            for c in anna.inbox()[before:]
            if c.card and any(a["data"]["mentorbot"]["a"] == "nudge.met" for a in actions_of(c.card))
        ]
        assert len(teams_nudges) == 1 and teams_nudges[0].op == "send"
        slack_posts = [c for c in slack.delivered() if "nudge.met" in str(c.params.get("blocks"))]
        assert len(slack_posts) == 1 and slack.user_of(slack_posts[0].channel) == SLACK_BO
        assert "nudge.met" in str(slack_posts[0].params.get("blocks"))
        # Each in their own language: Anna's Teams is Swedish, Bo chose English.
        assert teams_nudges[0].card["body"][0]["text"] != str(slack_posts[0].params.get("text"))

        await anna.click_button("nudge.met", teams_nudges[0])
        async with sqlite_db.read() as s:
            (meeting,) = (await s.exec(select(Meeting))).all()
        assert meeting.pairing_id == pairing.id
