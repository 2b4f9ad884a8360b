"""Every message a person receives says which language it is in
(`Outbound.locale`), so the words an adapter adds itself (Slack's and
Teams' "Choose" and "Send" buttons, the console's hint under a menu) are in
that language too. An English reader in a Swedish installation once saw the
Slack placeholder "Pick one or more" next to a button "Välj": every
dialogue question was stored without a language, and the adapters fell back
to the installation's `sv`."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlmodel import select

from adapters.console_render import render_text
from adapters.slack.render import message_payload
from adapters.teams.render import message_activity
from bot.commands.registry import ACTIONS
from bot.i18n import templates_dir
from bot.messages import Outbound
from bot.outbox import decode
from bot.ports import Delivery
from bot.store.models import Reminder
from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.dialogs.conftest import COORDINATOR
from tests.dialogs.script import MENTOR, line

_TAGS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\n")


def adapter_words(locale: str) -> set[str]:
    """The literal pieces of the sentences the adapters add themselves
    (templates/<locale>/{slack,teams,console}/), e.g. Slack's "Välj"."""
    words = set()
    for folder in ("slack", "teams", "console"):
        for path in (templates_dir() / locale / folder).glob("*.j2"):
            words |= {p.strip() for p in _TAGS.split(path.read_text(encoding="utf-8")) if len(p.strip()) >= 4}
    return words


def platform_texts(message: Outbound, installation: str) -> dict[str, str]:
    """What Slack, Teams and the console show of a message, with the language
    the adapters pick: the message's own, else the installation's."""
    locale = message.locale or installation
    return {
        "slack": str(message_payload(message, locale)),
        "teams": str(message_activity(message, locale)),
        "console": render_text(message),
    }


async def test_an_english_onboarding_in_a_swedish_installation_is_english_on_every_platform(world):
    installation = world.core.config.bot.locale
    assert installation == "sv"  # the program and the installation are Swedish; Bo reads English
    bo = world.chat("Bo")
    received: list[Outbound] = [*await bo.say("language en")]
    for typed, expected in MENTOR:
        replies = await bo.say(line(typed, "en"))
        assert replies[-1].kind == expected, (typed, [r.text for r in replies])
        received += replies
    received += await bo.say("1")  # confirms the summary
    received += await bo.say("join role=adept")  # asks whether to change role: a card with buttons
    assert received[-1].kind == "dialogs/role_change_ask"
    received += await bo.say("2")  # keeps the role: the card is replaced
    await world.chat(COORDINATOR).say("approve-participant Bo")
    received += bo.inbox()  # what the approval told him
    # What the scheduler sends him later (the kickoff reminders) is English too.
    dispatcher = Dispatcher(world.db, Delivery({world.port.platform: world.port}), world.core.clock, world.core.config)
    before = len(world.port.sent)
    await run_until(dispatcher, world.core.clock, world.core.clock.now() + timedelta(days=16))
    received += [m for to, m in world.port.sent[before:] if to.user == bo.actor.user_id]
    async with world.db.read() as s:
        bo_id = (await world.person("Bo")).id
        rows = (await s.exec(select(Reminder).where(Reminder.person_id == bo_id))).all()
    stored = [decode(r.context["message"], bo.address) for r in rows if "message" in (r.context or {})]

    kinds = {m.kind for m in received}
    assert {"dialogs/ask/experience", "dialogs/ask/languages", "dialogs/answered", "dialogs/role_kept"} <= kinds
    assert "scheduler/event_reminder" in kinds, "no event reminder reached Bo"
    assert len(stored) >= len(MENTOR)
    assert [(m.kind, m.locale) for m in received + stored if m.locale != "en"] == []

    swedish = adapter_words("sv") - adapter_words("en")
    assert {"Välj", "Skicka"} <= swedish
    for message in received + stored:
        for platform, shown in platform_texts(message, installation).items():
            assert [w for w in swedish if w in shown] == [], f"{platform} shows Swedish in {message.kind}"


async def test_a_reply_that_does_not_say_its_language_is_in_the_readers(world, monkeypatch):
    """The core's guarantee for a handler that builds its message by hand."""

    async def by_hand(turn):
        return [Outbound(text=turn.render("commands/language_set"), kind="commands/language_set")]

    monkeypatch.setitem(ACTIONS, "test.by_hand", by_hand)
    bo = world.chat("Bo")
    await bo.say("language en")
    (reply,) = await bo.click("test.by_hand")
    assert (reply.kind, reply.locale) == ("commands/language_set", "en")
    async with world.db.read() as s:
        (row,) = (await s.exec(select(Reminder).where(Reminder.key == reply.outbox.key))).all()
    assert decode(row.context["message"], bo.address).locale == "en"
