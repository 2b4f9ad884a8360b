"""Routing inside the Teams ActivityHandler, driven by botbuilder's TestAdapter
(no HTTP): which activities reach the core and what comes back."""

from __future__ import annotations

from botbuilder.core.adapters import TestAdapter
from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, Entity

from adapters.server import make_runtime
from adapters.teams.bot_handler import TeamsBot
from adapters.teams.render import plain_markdown
from bot.i18n import render
from tests.teams.helpers import BOT, TENANT, config_for

USER = ChannelAccount(id="29:1anna", name="Anna Adeptsson", aad_object_id="00000000-0000-4000-8000-000000000001")
ME = ChannelAccount(id=BOT["id"], name=BOT["name"])


def template(conversation_type: str = "personal", conversation_id: str = "a:1personal-anna") -> Activity:
    return Activity(
        channel_id="msteams",
        service_url="https://smba.example.invalid/emea/",
        from_property=USER,
        recipient=ME,
        conversation=ConversationAccount(id=conversation_id, conversation_type=conversation_type, tenant_id=TENANT),
        locale="sv-SE",
    )


def adapter_for(db, clock, activity_template: Activity) -> TestAdapter:
    runtime = make_runtime(config_for(db.url), db, clock)
    bot = TeamsBot(runtime, port=None)
    return TestAdapter(bot.on_turn, template_or_conversation=activity_template)


def expect_text(expected: str):
    def inspect(activity: Activity, description=None) -> None:
        assert activity.text == plain_markdown(expected), f"got {activity.text!r}"

    return inspect


async def test_a_typed_message_reaches_the_core_and_the_answer_comes_back(sqlite_db, clock):
    adapter = adapter_for(sqlite_db, clock, template())
    status = render(
        "sv", "commands/status", rows=[], left=False, coordinator=False, joinable="none", tz="Europe/Stockholm"
    )
    flow = await adapter.send("status")
    await flow.assert_reply(expect_text(status))


class PrivateChats:
    """Stands in for the TeamsPort: records what would go to a personal chat."""

    def __init__(self):
        self.sent = []

    async def send(self, to, message, *, locale=None):
        self.sent.append((to, message))


async def test_an_at_mention_in_a_group_chat_is_stripped_and_answered_in_private(sqlite_db, clock):
    runtime = make_runtime(config_for(sqlite_db.url), sqlite_db, clock)
    private = PrivateChats()
    adapter = TestAdapter(
        TeamsBot(runtime, port=private).on_turn, template_or_conversation=template("groupChat", "19:group@thread.v2")
    )
    mention = Entity(type="mention")
    mention.additional_properties = {"mentioned": {"id": ME.id, "name": ME.name}, "text": "<at>Mentorbot</at>"}
    await adapter.receive_activity(Activity(type="message", text="<at>Mentorbot</at> status", entities=[mention]))
    assert adapter.activity_buffer == []  # nothing said in the group
    ((to, message),) = private.sent
    assert (to.user, to.where, to.tenant) == (USER.aad_object_id, "dm", TENANT)
    assert message.text == render(
        "sv", "commands/status", rows=[], left=False, coordinator=False, joinable="none", tz="Europe/Stockholm"
    )


async def test_typing_and_reactions_are_not_answered(sqlite_db, clock):
    adapter = adapter_for(sqlite_db, clock, template())
    await adapter.receive_activity(Activity(type="typing"))
    await adapter.receive_activity(Activity(type="messageReaction"))
    await adapter.receive_activity(Activity(type="message", text="   "))
    assert adapter.activity_buffer == []


async def test_a_group_chat_install_is_remembered_but_not_welcomed(sqlite_db, clock):
    adapter = adapter_for(sqlite_db, clock, template("groupChat", "19:group@thread.v2"))
    await adapter.receive_activity(Activity(type="conversationUpdate", members_added=[ME]))
    assert adapter.activity_buffer == []


async def test_a_personal_install_is_welcomed(sqlite_db, clock):
    adapter = adapter_for(sqlite_db, clock, template())
    await adapter.receive_activity(Activity(type="conversationUpdate", members_added=[ME]))
    (welcome,) = adapter.activity_buffer
    assert welcome.text or welcome.attachments
