"""Issue 13, point 3: the coordinator's home shows the lists behind the
numbers (stalled pairs, pending people, waitlist, undelivered messages, the
next event with its RSVP count), each row with buttons that act on it; the
same card is the Slack Home tab and the Teams dashboard card."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from adapters.slack.render import home_view
from adapters.teams.render import message_activity
from bot.store.models import AuditLog, Enrollment, EventRsvp, Person, Reminder, ReminderStatus
from tests.core.cockpit import enroll, paired_world
from tests.core.harness import texts

SAY = {
    "sv": {
        "stalled": "Par som inte har träffats på länge (1)",
        "pending": "Väntar på ditt godkännande (1)",
        "waitlist": "På väntelistan (1)",
        "undelivered": "Meddelanden som inte gick fram (1)",
        "rsvp": "kommer: 1, kan inte: 0",
        "reminder": "Det var ett tag sedan du och",
    },
    "en": {
        "stalled": "Pairs that have not met for long (1)",
        "pending": "Waiting for your approval (1)",
        "waitlist": "On the waitlist (1)",
        "undelivered": "Messages that could not be delivered (1)",
        "rsvp": "coming: 1, cannot come: 0",
        "reminder": "It has been a while since you and",
    },
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = await paired_world(sqlite_db, clock, request.param)
    await enroll(w, "David", "adept", "Täby kommun")
    await w["Anna"].say("match waitlist David")
    clock.advance(timedelta(days=60))
    async with sqlite_db.write() as s:
        cecilia = (await s.exec(select(Person).where(Person.name == "Cecilia"))).one()
        s.add(EventRsvp(event_id=2, person_id=cecilia.id, coming=True, at=clock.now()))
        s.add(
            Reminder(
                key="message:x",
                program_id=1,
                kind="message",
                template="matching/intro_adept",
                person_id=cecilia.id,
                due_at=clock.now(),
                status=ReminderStatus.FAILED,
                last_error="channel_not_found",
                context={},
            )
        )
    w.say = SAY[request.param]
    return w


def _card_text(message) -> str:
    return "\n".join(getattr(b, "text", "") for b in message.card.blocks)


def _button(message, action_id):
    return next(b for block in message.card.blocks for b in getattr(block, "buttons", ()) if b.action_id == action_id)


async def test_home_lists_what_needs_attention_with_buttons(world, sqlite_db):
    (home,) = await world["Anna"].say("home")
    text = _card_text(home)
    for key in ("stalled", "pending", "waitlist", "undelivered", "rsvp"):
        assert world.say[key] in text, key
    assert "Cecilia" in text and "Frida" in text and "Erik" in text and "David" in text

    remind = _button(home, "cockpit.remind")
    await world["Anna"].click(remind.action_id, remind.value)
    assert world.say["reminder"] in texts(world["Cecilia"].inbox())
    assert world.say["reminder"] in texts(world["Frida"].inbox())

    retry = _button(home, "cockpit.retry")
    await world["Anna"].click(retry.action_id, retry.value)
    approve = _button(home, "cockpit.approve")
    await world["Anna"].click(approve.action_id, approve.value)
    who = _button(home, "cockpit.who")
    assert "Cecilia" in texts(await world["Anna"].click(who.action_id, who.value))
    async with sqlite_db.read() as s:
        assert (await s.exec(select(Reminder).where(Reminder.key == "message:x"))).one().status == "pending"
        erik = (
            await s.exec(
                select(Enrollment).join(Person, Person.id == Enrollment.person_id).where(Person.name == "Erik")
            )
        ).one()
        assert erik.status == "active"
        actions = [a.action for a in (await s.exec(select(AuditLog))).all()]
    assert "cockpit reminded pair" in actions and "cockpit retried message" in actions


async def test_the_buttons_refuse_someone_who_is_not_a_coordinator(world, sqlite_db):
    (home,) = await world["Anna"].say("home")
    retry = _button(home, "cockpit.retry")
    await world["Cecilia"].click(retry.action_id, retry.value)
    async with sqlite_db.read() as s:
        assert (await s.exec(select(Reminder).where(Reminder.key == "message:x"))).one().status == "failed"


async def test_the_same_card_renders_as_a_slack_home_tab_and_a_teams_card(world):
    (home,) = await world["Anna"].say("home")
    view = home_view(home, world.locale)
    action_ids = [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert {"cockpit.remind", "cockpit.approve", "cockpit.show", "cockpit.retry", "cockpit.who"} <= set(action_ids)
    assert len(view["blocks"]) <= 100  # Slack's limit for a view
    activity = message_activity(home, world.locale)
    card = str(activity["attachments"][0]["content"])
    assert "cockpit.remind" in card and world.say["stalled"].split(" (")[0] in card
