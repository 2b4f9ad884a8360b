"""Teams activities as the core sees them."""

from __future__ import annotations

import pytest
from botbuilder.schema import Activity

from adapters.teams.inbound import card_row, clean_text, to_inbound
from bot.messages import Kind, Where
from tests.teams.helpers import TEAM_CHANNEL, TENANT, card_submit, channel_mention, personal_message, user

ANNA = user("Anna", 51)
URL = "https://smba.example.invalid/emea/"


def activity(data: dict) -> Activity:
    return Activity().deserialize(data)


def test_a_personal_message_is_text_from_the_person_by_their_entra_id():
    data = personal_message(URL, ANNA, "status")
    inbound = to_inbound(activity(data))
    assert (inbound.kind, inbound.text) == (Kind.TEXT, "status")
    assert inbound.event_id == f"{ANNA.chat}|{data['id']}"
    assert inbound.actor.key == f"teams:{TENANT}:{ANNA.aad}"
    assert (inbound.actor.locale, inbound.actor.display_name) == ("sv-SE", "Anna")
    assert inbound.where.where == Where.DM and inbound.where.conversation == ANNA.chat


def test_a_channel_mention_loses_the_bots_name_and_keeps_the_thread_apart():
    inbound = to_inbound(activity(channel_mention(URL, ANNA, "channel", thread="42")))
    assert inbound.text == "channel"
    assert (inbound.where.where, inbound.where.conversation, inbound.where.thread) == (
        Where.CHANNEL,
        TEAM_CHANNEL,
        "42",
    )
    assert '"id": "19:' in inbound.where.ref and ";messageid" not in inbound.where.ref


def test_html_and_entities_from_the_teams_composer_are_cleaned():
    a = activity(channel_mention(URL, ANNA, "x"))
    a.text = "<p><at>Mentorbot</at>&nbsp;nominate <at>Karin Ek</at> Hon är&nbsp;bra</p>"
    assert clean_text(a) == 'nominate "Karin Ek" Hon är bra'


def test_a_button_click_is_an_action_with_the_neutral_id_and_value():
    data = {"mentorbot": {"a": "nudge.met", "v": "pair:7", "r": 12}}
    inbound = to_inbound(activity(card_submit(URL, ANNA, "act-3", data)))
    assert (inbound.kind, inbound.action_id, inbound.value) == (Kind.ACTION, "nudge.met", "pair:7")
    assert inbound.message.message_id == "act-3" and inbound.message.conversation == ANNA.chat


def test_a_multi_choice_submit_comes_back_as_a_tuple():
    data = {
        "mentorbot": {
            "a": "d:1:2:pick",
            "v": "",
            "r": 40,
            "choice": True,
        }
    }
    a = activity(card_submit(URL, ANNA, "act-4", data, **{"d:1:2:pick": "conflict,budget"}))
    inbound = to_inbound(a)
    assert inbound.values == {"d:1:2:pick": ("conflict", "budget")}
    assert card_row(a) == 40


@pytest.mark.parametrize("row", [None, "12", 0, -3, True, 1.5, 2**63, [1], {"id": 1}])
def test_a_card_row_that_is_not_a_row_id_names_no_row(row):
    data = {"mentorbot": {"a": "nudge.met", "v": "pair:7", **({} if row is None else {"r": row})}}
    assert card_row(activity(card_submit(URL, ANNA, "act-6", data))) is None


def test_a_form_submit_carries_every_input_by_its_id():
    data = {"mentorbot": {"a": "intake.goals", "v": "", "r": 41, "m": ["langs"]}}
    inbound = to_inbound(activity(card_submit(URL, ANNA, "act-5", data, goals="Leda bättre", langs="sv,en")))
    assert inbound.kind == Kind.FORM and inbound.action_id == "intake.goals"
    assert inbound.values == {"goals": "Leda bättre", "langs": ("sv", "en")}


def test_the_tenant_comes_from_channel_data_when_the_conversation_lacks_it():
    data = personal_message(URL, ANNA, "status")
    del data["conversation"]["tenantId"]
    assert to_inbound(activity(data)).actor.tenant == TENANT


def test_a_bare_mention_is_an_empty_text_the_core_answers_with_help_and_an_empty_message_is_nothing():
    assert to_inbound(activity(channel_mention(URL, ANNA, ""))).text == ""
    assert to_inbound(activity(personal_message(URL, ANNA, "  "))) is None


def test_the_lines_typed_in_the_teams_composer_are_kept():
    a = activity(personal_message(URL, ANNA, "x"))
    a.text = "<p>utskick alla Hej&nbsp; alla</p><p>rad  två<br/>rad tre</p><p></p><p>Hälsningar</p>"
    assert clean_text(a) == "utskick alla Hej alla\nrad två\nrad tre\n\nHälsningar"
    a.text = "  Hej\r\n  rad två  \n"
    assert clean_text(a) == "Hej\nrad två"
