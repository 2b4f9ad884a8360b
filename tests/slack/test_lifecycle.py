"""A whole program in Slack, through signed requests and the fake Web API:
a coordinator creates the program, an adept and a mentor onboard by DM with
buttons, the pair is announced, a nudge arrives, *We met* is clicked, and
status and the Home tab reflect it.

Matching has no command yet, so the pair is written directly (as the brief
for the scheduler allows) and announced by the planner's own path."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.reminders.planner import plan_pair
from bot.store.models import Enrollment, Meeting, Pairing, PairStatus, Person, Program
from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.slack.helpers import ADEPT, COORDINATOR, MENTOR, button, click, click_home, dms, say, slack_server

ADEPT_ANSWERS = [
    "Hemtjänst Norr",
    "Enhetschef",
    "14",
    "1,3",
    "Att leda genom en omorganisation",
    "ja",
    "3",
    "Växjö",
    "1",
]
# department, years as manager, experience topics, capacity, joint meetings, training, format, place, languages
MENTOR_ANSWERS = ["Social services", "12", "2,4", "2", "2", "1", "1", "Ljungby", "sv, en"]


async def test_a_program_year_in_slack(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        fake = server.fake
        # This test types much faster than a person; Slack's per-channel pace is tested elsewhere.
        server.adapter.port.limiter.interval = 0.01
        # --- the coordinator sets up the program with the slash command
        for line in (
            'program create "Mentorprogram 2027" start=2027-01-19 end=2028-01-19',
            "org add Ljungby kommun",
            "org add Växjö kommun",
            "event add kickoff 2027-01-19 09:00 place=Stadshuset",
        ):
            status, _ = await server.command(line)
            assert status == 200
            await server.settle()
        answers = [c.params["text"] for c in fake.calls_to("response_url")]
        assert len(answers) == 4 and "Mentorprogram 2027" in answers[0], answers
        # ... and makes a channel the program channel (the bot is a member there)
        fake.add_channel("C0PROGRAM", "mentorprogram-2027", is_member=True)
        await server.command("channel", channel="C0PROGRAM", channel_name="mentorprogram-2027")
        await server.settle()

        # --- the adept is invited by mention and joins with the button in the DM
        await server.command(f"invite <@{ADEPT}|adam>")
        await server.settle()
        (invitation,) = dms(fake, ADEPT)
        await click(server, invitation, button(invitation, fake, action_prefix="invite.join"), ADEPT)
        # The invitation can no longer be clicked and says what was chosen.
        updated = fake.messages[(invitation.result["channel"], invitation.result["ts"])]
        assert not [b for b in updated["blocks"] if b["type"] == "actions"]
        assert updated["text"] != invitation.params["text"]
        consent = dms(fake, ADEPT)[-1]
        await click(server, consent, button(consent, fake, label="Ja"), ADEPT)
        organisation = dms(fake, ADEPT)[-1]
        await click(server, organisation, button(organisation, fake, label="Växjö kommun"), ADEPT)
        for text in ADEPT_ANSWERS[:3]:
            await say(server, ADEPT, text)
        # The topics question is a multi choice: pick the first and third topic, then press the button.
        topics = dms(fake, ADEPT)[-1]
        blocks = fake.messages[(topics.result["channel"], topics.result["ts"])]["blocks"]
        boxes = next(
            e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["action_id"].endswith("~pick")
        )
        assert boxes["type"] in ("checkboxes", "multi_static_select")
        state = {
            "tb": {
                boxes["action_id"]: {
                    "type": boxes["type"],
                    "selected_options": [boxes["options"][0], boxes["options"][2]],
                }
            }
        }
        done = next(
            e
            for b in blocks
            if b["type"] == "actions"
            for e in b["elements"]
            if e["type"] == "button" and e["action_id"] == boxes["action_id"].removesuffix("~pick")
        )
        await server.click(topics, done["action_id"], user=ADEPT, state=state)
        await server.settle()
        for text in ADEPT_ANSWERS[4:]:
            await say(server, ADEPT, text)
        summary = dms(fake, ADEPT)[-1]
        await click(server, summary, button(summary, fake, label="Bekräfta"), ADEPT)
        async with server.runtime.db.read() as s:
            adam = (await s.exec(select(Person).where(Person.email == "adam.berg@alvesta.se"))).one()
            adept = (await s.exec(select(Enrollment).where(Enrollment.person_id == adam.id))).one()
        assert adam.name == "Adam"  # from users.info, not asked again
        assert adept.status == "active", [c.params.get("text") for c in dms(fake, ADEPT)][-3:]
        assert adept.answers["topics"] == ["conflict", "budget"]  # the two boxes ticked

        # --- the mentor is nominated, accepts in the DM and onboards (in English: her Slack is en-GB)
        await server.command(f"nominate <@{MENTOR}|maria> Erfaren och trygg chef")
        await server.settle()
        nomination = dms(fake, MENTOR)[-1]
        await click(server, nomination, button(nomination, fake, action_prefix="nomination.accept"), MENTOR)
        consent = dms(fake, MENTOR)[-1]
        await click(server, consent, button(consent, fake, label="Yes"), MENTOR)
        organisation = dms(fake, MENTOR)[-1]
        await click(server, organisation, button(organisation, fake, label="Ljungby kommun"), MENTOR)
        for text in MENTOR_ANSWERS:
            await say(server, MENTOR, text)
        summary = dms(fake, MENTOR)[-1]
        await click(server, summary, button(summary, fake, label="Confirm"), MENTOR)
        async with server.runtime.db.read() as s:
            maria = (await s.exec(select(Person).where(Person.email == "maria.holm@ljungby.se"))).one()
            mentor = (await s.exec(select(Enrollment).where(Enrollment.person_id == maria.id))).one()
        assert mentor.status == "active", [c.params.get("text") for c in dms(fake, MENTOR)][-3:]

        # --- matched, approved and announced (written directly until matching has a command)
        async with server.runtime.db.write() as s:
            program = (await s.exec(select(Program))).one()
            pairing = Pairing(
                program_id=program.id,
                adept_id=adept.id,
                mentor_id=mentor.id,
                status=PairStatus.ANNOUNCED,
                announced_at=clock.now(),
                created_at=clock.now(),
            )
            s.add(pairing)
            await s.flush()
            await plan_pair(s, pairing, clock.now())
            pairing_id = pairing.id

        # --- the scheduler sends through the same Slack port; a nudge arrives
        dispatcher = Dispatcher(server.runtime.db, server.runtime.delivery, clock, server.runtime.config)
        await run_until(dispatcher, clock, clock.now() + timedelta(days=20))
        nudges = [
            c
            for c in dms(fake, ADEPT)
            if any(
                e.get("action_id", "").startswith("nudge.met")
                for b in fake.messages[(c.result["channel"], c.result["ts"])]["blocks"]
                for e in b.get("elements", [])
            )
        ]
        assert nudges, [c.params.get("text") for c in dms(fake, ADEPT)][-3:]
        # The kickoff was announced in the program channel too (7 days, 1 day before, the morning of it).
        in_channel = [c for c in fake.delivered() if c.result["channel"] == "C0PROGRAM"]
        assert len(in_channel) == 3 and all("Stadshuset" in c.params["text"] for c in in_channel), [
            c.params["text"] for c in in_channel
        ]
        nudge = nudges[0]
        await click(server, nudge, button(nudge, fake, action_prefix="nudge.met"), ADEPT)
        async with server.runtime.db.read() as s:
            meetings = (await s.exec(select(Meeting).where(Meeting.pairing_id == pairing_id))).all()
        assert len(meetings) == 1
        after = fake.messages[(nudge.result["channel"], nudge.result["ts"])]
        assert not [b for b in after["blocks"] if b["type"] == "actions"]  # cannot log it twice

        # --- status and Home tab reflect it
        await server.command("status", user=ADEPT, channel="D0ADEPT")
        await server.settle()
        status_text = fake.calls_to("response_url")[-1].params["text"]
        assert "Maria" in status_text and "No meeting" not in status_text and "Inget möte" not in status_text
        await server.event(
            {
                "type": "app_home_opened",
                "user": ADEPT,
                "channel": "D0ADEPT",
                "tab": "home",
                "event_ts": "1767000000.000900",
            }
        )
        await server.event(
            {
                "type": "app_home_opened",
                "user": COORDINATOR,
                "channel": "D0COORD",
                "tab": "home",
                "event_ts": "1767000000.000901",
            }
        )
        await server.settle()
        adept_home = str(fake.views[ADEPT])
        assert "Mentorprogram 2027" in adept_home and "nudge.met" in adept_home
        coordinator_home = str(fake.views[COORDINATOR])
        assert "Mentorprogram 2027" in coordinator_home

        # --- *Pause* on the Home tab pauses the adept and the tab is published again
        published = len(fake.calls_to("views.publish"))
        status, _ = await click_home(server, ADEPT, "home.pause")
        assert status == 200
        await server.settle()
        async with server.runtime.db.read() as s:
            paused = await s.get(Enrollment, adept.id)
        assert paused.paused_until is not None
        assert len(fake.calls_to("views.publish")) == published + 1
        assert "home.resume" in str(fake.views[ADEPT])
