"""What a click chose, in the words of the card the bot sent (`bot.clicked`)."""

from __future__ import annotations

from bot.clicked import accepted, answers_clicked, chosen_label
from bot.messages import Actor, Address, Button, Buttons, Card, Choice, Inbound, Kind, Option, Outbound, Platform

ACTOR = Actor(Platform.TEAMS, "t1", "u1")
WHERE = Address(Platform.TEAMS, "t1", "a:chat", "u1")
CARD = Card(
    (
        Buttons((Button("rsvp.yes", "Jag kommer", "7"), Button("rsvp.yes", "Jag kommer (kickoff)", "8"))),
        Choice("d:1:2:pick", "Ämnen?", (Option("conflict", "Konflikter"), Option("budget", "Budget")), multi=True),
    )
)


def click(action_id: str, value: str = "", **values) -> Inbound:
    return Inbound(ACTOR, WHERE, Kind.ACTION, action_id=action_id, value=value, values=values)


def test_the_label_is_the_pressed_buttons_by_its_id_and_value():
    assert chosen_label(CARD, click("rsvp.yes", "8")) == "Jag kommer (kickoff)"


def test_picked_options_are_named_by_the_card_and_unknown_values_are_not_shown():
    picked = click("d:1:2:pick", "budget,conflict,<b>x</b>", **{"d:1:2:pick": ("budget", "conflict", "<b>x</b>")})
    assert chosen_label(CARD, picked) == "Budget, Konflikter"
    assert chosen_label(CARD, click("d:1:2:pick", "budget")) == "Budget"  # one option shown as a button


def test_anything_that_is_not_on_the_card_has_no_label():
    assert chosen_label(CARD, click("rsvp.yes", "9")) is None
    assert chosen_label(CARD, click("rsvp.no", "7")) is None
    form = Inbound(ACTOR, WHERE, Kind.FORM, action_id="intake.goals", values={"goals": "Leda"})
    assert chosen_label(CARD, form) is None


def test_a_click_is_taken_only_when_the_core_answered_without_refusing():
    assert accepted([Outbound(text="Noterat")])
    assert not accepted([])
    assert not accepted([Outbound(text="Noterat"), Outbound(text="Knappen gäller inte", refused=True)])


def test_a_press_on_one_row_of_a_list_card_does_not_answer_the_card():
    """The stall digest (a row of buttons per pair): its presses are taken,
    and the digest stays as it is for the other rows."""
    assert answers_clicked([Outbound(text="Noterat")])
    assert not answers_clicked([Outbound(text="Avsluta paret #3?", keeps_clicked=True)])
    assert not answers_clicked([Outbound(text="Nej", refused=True)])
