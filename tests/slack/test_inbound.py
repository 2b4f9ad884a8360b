"""Slack payloads -> neutral inbound events (shapes from Slack's documentation)."""

from __future__ import annotations

from adapters.slack.inbound import clean_text, from_action, from_command, from_event
from bot.messages import Kind, MessageRef, Platform, Where


def _action_body(actions, state=None, **extra):
    body = {
        "type": "block_actions",
        "user": {"id": "U1", "name": "anna", "team_id": "T1"},
        "team": {"id": "T1", "domain": "x"},
        "container": {"type": "message", "message_ts": "1.2", "channel_id": "D1", "is_ephemeral": False},
        "channel": {"id": "D1", "name": "directmessage"},
        "message": {"ts": "1.2", "text": "Välj", "blocks": [{"type": "actions", "elements": []}]},
        "state": {"values": state or {}},
        "response_url": "http://127.0.0.1:1/response/x",
        "actions": actions,
    }
    body.update(extra)
    return body


def test_slash_command_in_a_channel():
    inbound = from_command(
        {
            "team_id": "T1",
            "channel_id": "C1",
            "channel_name": "mentorer",
            "user_id": "U1",
            "user_name": "anna",
            "command": "/mentor",
            "text": "invite <@U2|bo> &amp; co",
        }
    )
    assert inbound.kind == Kind.COMMAND and inbound.text == "invite <@U2|bo> & co"
    assert inbound.where.where == Where.CHANNEL and inbound.where.conversation == "C1"
    assert inbound.actor.key == "slack:T1:U1"


def test_mention_is_stripped_and_links_unwrapped():
    inbound = from_event(
        {
            "team_id": "T1",
            "event_id": "Ev1",
            "event": {
                "type": "app_mention",
                "user": "U1",
                "channel": "C1",
                "ts": "5.5",
                "text": "<@U0BOT> invite <mailto:bo@ljungby.se|bo@ljungby.se>",
            },
        },
        "U0BOT",
    )
    assert inbound.text == "invite bo@ljungby.se" and inbound.where.thread == "5.5"
    assert inbound.event_id == "Ev1"


def test_messages_tab_and_channel_chatter_are_not_turns():
    assert from_event({"event": {"type": "app_home_opened", "user": "U1", "tab": "messages"}}) is None
    assert (
        from_event(
            {"event": {"type": "message", "user": "U1", "channel": "C1", "channel_type": "channel", "text": "hej"}}
        )
        is None
    )
    assert (
        from_event(
            {
                "event": {
                    "type": "message",
                    "subtype": "bot_message",
                    "bot_id": "B1",
                    "channel": "D1",
                    "channel_type": "im",
                    "text": "hej",
                }
            }
        )
        is None
    )


def test_button_click_carries_the_message_to_update():
    click = from_action(
        _action_body(
            [
                {
                    "type": "button",
                    "action_id": "nudge.met~1",
                    "value": "pair:7",
                    "text": {"type": "plain_text", "text": "Vi har träffats"},
                }
            ]
        )
    )
    assert click.inbound.kind == Kind.ACTION and click.inbound.action_id == "nudge.met"
    assert click.inbound.value == "pair:7" and click.label == "Vi har träffats"
    assert click.inbound.message == MessageRef(Platform.SLACK, "D1", "1.2")


def test_menu_choice_and_multi_choice_submitted_with_its_button():
    menu = from_action(
        _action_body(
            [
                {
                    "type": "static_select",
                    "action_id": "intake.org",
                    "selected_option": {"value": "t3", "text": {"text": "Växjö"}},
                }
            ]
        )
    )
    assert (menu.inbound.action_id, menu.inbound.value, menu.label) == ("intake.org", "t3", "Växjö")
    picking = _action_body([{"type": "checkboxes", "action_id": "intake.topics~pick", "selected_options": []}])
    assert from_action(picking) is None  # only collects values for the button
    state = {
        "b9": {
            "intake.topics~pick": {
                "type": "checkboxes",
                "selected_options": [
                    {"value": "t1", "text": {"text": "Konflikter"}},
                    {"value": "t2", "text": {"text": "Budget"}},
                ],
            }
        }
    }
    done = from_action(
        _action_body([{"type": "button", "action_id": "intake.topics", "text": {"text": "Välj"}}], state)
    )
    assert done.inbound.values == {"intake.topics": ("t1", "t2")} and done.label == "Konflikter, Budget"


def test_form_submit_gathers_the_inputs():
    state = {
        "form:title": {"title": {"type": "plain_text_input", "value": "Enhetschef"}},
        "form:years": {"years": {"type": "radio_buttons", "selected_option": {"value": "1", "text": {"text": "1–3"}}}},
        "form:topics": {"topics": {"type": "checkboxes", "selected_options": [{"value": "a", "text": {"text": "A"}}]}},
        "b1": {"other.menu": {"type": "static_select", "selected_option": {"value": "x", "text": {"text": "X"}}}},
    }
    click = from_action(
        _action_body([{"type": "button", "action_id": "intake.about", "text": {"text": "Spara"}}], state)
    )
    assert click.inbound.kind == Kind.FORM and click.inbound.action_id == "intake.about"
    assert click.inbound.values == {"title": "Enhetschef", "years": "1", "topics": ("a",)}


def test_home_tab_click_has_no_message_to_update():
    body = _action_body(
        [{"type": "button", "action_id": "pause.start", "text": {"text": "Pausa"}}],
        container={"type": "view", "view_id": "V1"},
        channel=None,
        message=None,
    )
    click = from_action(body)
    assert click.in_view and click.inbound.message is None and click.inbound.where.where == Where.DM


def test_clean_text_keeps_mentions():
    assert clean_text("<@U2> &lt;3 <https://a.se|a.se>") == "<@U2> <3 https://a.se"


def test_only_a_message_everyone_in_a_conversation_sees_is_shared():
    """A card in a channel or group DM must not be changed for one person's answer."""
    button = [{"type": "button", "action_id": "rsvp.yes", "value": "1", "text": {"text": "Jag kommer"}}]
    in_channel = {"channel": {"id": "C1", "name": "mentorprogram"}}
    group = {"channel": {"id": "G1", "name": "mpdm-anna--bo-1"}}
    ephemeral = {
        **in_channel,
        "container": {"type": "message", "message_ts": "1.2", "channel_id": "C1", "is_ephemeral": True},
    }
    home = {"container": {"type": "view", "view_id": "V1"}, "channel": None, "message": None}
    assert from_action(_action_body(button, **in_channel)).shared
    assert from_action(_action_body(button, **group)).shared
    assert not from_action(_action_body(button)).shared  # the person's DM
    assert not from_action(_action_body(button, **ephemeral)).shared  # only they see it
    assert not from_action(_action_body(button, **home)).shared
