"""Nothing a person types becomes markup: a display name, an intake answer,
a nomination reason and an organisation name full of links, mentions,
channel pings and formatting reach Slack and Teams as literal text, while
the templates keep their own formatting."""

from __future__ import annotations

import json
import re

from sqlmodel import select

from adapters.console_render import render_text
from adapters.slack.render import message_payload
from adapters.teams.render import message_activity
from bot.markup import RESERVED
from bot.store.models import Organisation, Person, ProgramOrganisation
from tests.dialogs.conftest import COORDINATOR, make_world
from tests.dialogs.script import ADEPT, line
from tests.fakes.bot_connector import FakeBotConnector
from tests.slack.helpers import ADEPT as SLACK_ADEPT
from tests.slack.helpers import MENTOR as SLACK_MENTOR
from tests.slack.helpers import slack_server
from tests.teams.helpers import personal_message, teams_server, user

EVIL = "[x](http://evil.example) <http://evil.example|x> <!channel> <@U123> *bold*"


def _mrkdwn(payload) -> list[str]:
    """Every text Slack reads as mrkdwn (plain_text fields show what they hold, literally)."""
    if isinstance(payload, dict):
        found = [payload["text"]] if payload.get("type") == "mrkdwn" else []
        return found + [t for k, v in payload.items() if k != "text" or not isinstance(v, str) for t in _mrkdwn(v)]
    if isinstance(payload, list):
        return [t for v in payload for t in _mrkdwn(v)]
    return []


def slack_is_inert(payload: dict) -> None:
    assert not any(ch in json.dumps(payload, ensure_ascii=False) for ch in RESERVED)
    text = json.dumps([payload.get("text", ""), *_mrkdwn(payload)], ensure_ascii=False)
    assert "<http" not in text and "<!channel>" not in text and "<@U123>" not in text
    assert "http://evil" not in text  # not even a bare address Slack would link
    assert "*bold*" not in text


def _shown(value):
    """What Teams displays as markdown: not a button's `data`, which only
    comes back to us (and is shown as plain text on the answered card), nor
    the plain-text titles of buttons and choices."""
    if isinstance(value, dict):
        plain = value.get("type") == "Action.Submit" or ("value" in value and "title" in value and "type" not in value)
        return {k: _shown(v) for k, v in value.items() if k != "data" and not (plain and k == "title")}
    if isinstance(value, list):
        return [_shown(v) for v in value]
    return value


def teams_is_inert(activity: dict) -> None:
    assert not any(ch in json.dumps(activity, ensure_ascii=False) for ch in RESERVED)
    shown = _shown({k: activity.get(k) for k in ("text", "attachments")})  # summary is plain text
    text = json.dumps(shown, ensure_ascii=False)
    unescaped = r"(?<!\\\\)"  # not after a backslash (itself escaped in JSON)
    for markup in (r"\]\(http", "<http", "<!channel>", "<@U123>", r"\*bold"):
        assert not re.search(unescaped + markup, text), (markup, text)
    assert "http://evil" not in text


def both_inert(messages) -> None:
    for message in messages:
        slack_is_inert(message_payload(message, "sv"))
        teams_is_inert(message_activity(message, "sv"))
        assert not any(ch in render_text(message) for ch in RESERVED)


async def test_intake_answers_and_an_organisation_name_stay_text(sqlite_db, clock):
    world = await make_world(sqlite_db, clock, locale="sv")
    async with sqlite_db.write() as s:
        org = Organisation(name="Evil kommun " + EVIL)
        s.add(org)
        await s.flush()
        s.add(ProgramOrganisation(program_id=world.program_id, organisation_id=org.id))
    eva = world.chat("Eva")
    seen = []
    for typed, _ in ADEPT:
        if typed in ("Hemtjänst Norr", "Enhetschef", "Att leda genom en omorganisation", "Knivsta"):
            typed = typed + " " + EVIL  # every free-text answer carries the payload
        seen += await eva.say(line(typed, "sv"))
    summary = seen[-1]
    assert "bold" in render_text(summary)  # the answers are shown ...
    seen += await eva.say("1")  # confirmed
    seen += world.chat(COORDINATOR).inbox()
    seen += await world.chat(COORDINATOR).say("program show")
    assert any("Evil kommun" in m.text for m in seen)
    both_inert(seen)  # ... as text, on both platforms


async def test_a_display_name_and_a_nomination_reason_reach_slack_as_text(sqlite_db, clock):
    async with slack_server(sqlite_db, clock) as server:
        server.fake.add_user(SLACK_MENTOR, EVIL, real_name=EVIL, email="maria.holm@ljungby.se")
        await server.dm("hej", user=SLACK_MENTOR)  # she is known by her (hostile) display name
        await server.command("program create P start=2027-01-19 end=2027-12-31")
        await server.command("program set nominators=anyone")
        await server.settle()
        await server.dm(f"nominate <@{SLACK_ADEPT}> {EVIL}", user=SLACK_MENTOR)
        await server.settle()
        async with sqlite_db.read() as s:
            names = (await s.exec(select(Person.name))).all()
        assert EVIL in names
        posted = [c.params for c in server.fake.calls if c.method.startswith("chat.")]
        posted += [c.params for c in server.fake.calls if c.method == "response_url"]
    card = [p for p in posted if "bold" in json.dumps(p)]
    assert card, "the nomination (name and reason) was delivered"
    assert any("*P*" in json.dumps(p) for p in card)  # the template's own bold is kept
    for payload in posted:
        slack_is_inert(payload)


async def test_a_nomination_reason_reaches_teams_as_text(sqlite_db, clock):
    nominee, nominator = user("Adam", 51), user("Maria " + EVIL, 52)
    async with FakeBotConnector() as connector, teams_server(sqlite_db, clock) as server:
        await server.post(personal_message(connector.url, nominee, "hej"))
        await server.post(personal_message(connector.url, nominator, "hej"))
        async with sqlite_db.write() as s:
            from datetime import date

            from bot.store.models import Program

            s.add(Program(slug="p", name="P", start=date(2027, 1, 19), end=date(2027, 12, 31), nominators="anyone"))
        await server.post(personal_message(connector.url, nominator, f"nominate {nominee.key} {EVIL}"))
    card = [c for c in connector.calls if "bold" in json.dumps(c.body)]
    assert card, "the nomination was delivered"
    for call in connector.calls:
        teams_is_inert(call.body)


def test_only_the_bots_own_url_becomes_a_link():
    """`{{ url | link }}` makes the bot's own (trusted) feed URL a working link
    on Slack and Teams and the bare URL on the console; the same template
    given a plain string (as if from the data) keeps it inert text."""
    from bot.i18n import render
    from bot.markup import Trusted
    from bot.messages import Outbound

    class Program:
        name = "Mentorprogram 2027"

    own = "http://127.0.0.1:3978/calendar/a_b-c/_d_e.ics"
    message = Outbound(text=render("sv", "events/calendar", program=Program(), url=Trusted(own)))
    assert f"<{own}|{own}>" in message_payload(message, "sv")["text"]
    teams = message_activity(message, "sv")["text"]
    assert f"]({own})" in teams and "\u200b" not in teams and "_d_e" not in teams.split("](")[0]
    assert own in render_text(message).splitlines()

    evil = "http://evil.example/x.ics"
    both_inert([Outbound(text=render("sv", "events/calendar", program=Program(), url=evil))])


def test_only_the_bots_own_channel_reference_becomes_a_channel_link():
    """`{{ channel | channel_link(name) }}` makes the bot's own (trusted)
    channel id a Slack channel link and the plain `#name` on Teams and the
    console; the same template given text (as if typed, even with the
    reference's own private characters) keeps it inert everywhere."""
    from bot.i18n import render
    from bot.markup import Trusted
    from bot.messages import Outbound

    own = Outbound(text=render("en", "slack/channel_not_member", channel=Trusted("C0PROG"), name="mentorprogram"))
    slack = message_payload(own, "en")["text"]
    assert "<#C0PROG>" in slack and "&lt;" not in slack and "mentorprogram" not in slack
    teams = message_activity(own, "en")["text"]
    assert r"\#mentorprogram" in teams and "C0PROG" not in teams and "<#" not in teams
    assert "#mentorprogram" in render_text(own)
    both_inert([own])  # no mark or reference character reaches any platform

    for typed in ("<#C123> <!channel>", "C123", "\ue004C123|x\ue005 <!channel>"):
        message = Outbound(text=render("en", "slack/channel_not_member", channel=typed, name="x"))
        both_inert([message])
        assert "<#" not in message_payload(message, "en")["text"]
