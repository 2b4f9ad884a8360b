"""Block Kit rendering: cards Slack cannot hold degrade to readable text.
What Slack receives for real core output is pinned by golden files in
tests/core/test_rendered.py."""

from __future__ import annotations

from adapters.slack.mrkdwn import mrkdwn
from adapters.slack.render import (
    MAX_MESSAGE_BLOCKS,
    answered_blocks,
    labels_for,
    message_payload,
    split_action_id,
)
from bot.messages import Button, Buttons, Card, Choice, Fields, Heading, Input, Option, Outbound, Text

NUDGE = Outbound(
    text="Hej Anna! Har du och Bo träffats sedan **2 mars**?",
    card=Card(
        blocks=(
            Buttons(
                buttons=(
                    Button("nudge.met", "Vi har träffats", "pair:7", "primary"),
                    Button("nudge.later", "Påminn mig om en vecka", "pair:7"),
                    Button("nudge.help", "Vi behöver hjälp", "pair:7", "danger"),
                )
            ),
        )
    ),
)
ROLE_CHOICE = Outbound(
    text="Vill du vara adept eller mentor?",
    card=Card(blocks=(Choice("intake.role", "Roll", (Option("adept", "Adept"), Option("mentor", "Mentor"))),)),
)
TOPICS = tuple(Option(f"t{i}", f"Ämne {i}") for i in range(12))
MENUS = Outbound(
    text="Välj det som passar",
    card=Card(
        blocks=(
            Choice("intake.org", "Organisation", TOPICS, selected=("t3",)),
            Choice("intake.topics", "Vad vill du utveckla?", TOPICS[:6], multi=True, selected=("t1", "t2")),
        )
    ),
)
FORM = Outbound(
    text="Berätta lite om dig",
    card=Card(
        blocks=(
            Heading("Om dig"),
            Input("title", "Titel", placeholder="t.ex. enhetschef"),
            Input("wishes", "Önskemål om mentor", multiline=True, initial="Någon från en annan kommun"),
            Choice(
                "years", "År som chef", (Option("0", "Under ett år"), Option("1", "1–3 år"), Option("3", "Mer än 3 år"))
            ),
        ),
        submit_id="intake.about",
        submit_label="Spara",
    ),
)
STATUS = Outbound(
    text="",
    card=Card(
        blocks=(
            Heading("Mentorprogram 2027"),
            Fields(items=(("Par", "12"), ("Väntelista", "2"), ("Utan möte 8 v", "1 <Bo & Anna>"))),
            Text("Nästa träff: *inspirationsträff* 12 maj, [anmälan](https://example.se/a?b=1&c=2)"),
        )
    ),
)


def test_answered_message_has_no_buttons_left_and_shows_the_choice():
    payload = message_payload(MENUS, "en")
    after = answered_blocks(payload["blocks"], "Topic 3", labels_for("en"))
    assert not [b for b in after if b["type"] in ("actions", "input") or "accessory" in b]
    assert "Topic 3" in after[-1]["elements"][0]["text"]


def test_too_many_blocks_degrades_to_text_with_every_option():
    many = Outbound(
        text="Välj en tid",
        card=Card(
            blocks=tuple(
                Buttons(buttons=(Button("slot.pick", f"Tid {i}", str(i)),)) for i in range(MAX_MESSAGE_BLOCKS + 5)
            )
        ),
    )
    payload = message_payload(many, "sv")
    assert "blocks" not in payload
    assert "Tid 0" in payload["text"] and f"Tid {MAX_MESSAGE_BLOCKS + 4}" in payload["text"]
    assert "skriva" in payload["text"]  # tells the reader how to answer instead


def test_menu_with_more_than_100_options_degrades_to_numbered_text():
    options = tuple(Option(str(i), f"Kommun {i}") for i in range(150))
    payload = message_payload(
        Outbound(text="Var arbetar du?", card=Card(blocks=(Choice("org", "Kommun", options),))), "en"
    )
    assert "blocks" not in payload
    assert "150. Kommun 149" in payload["text"]


def test_long_texts_and_many_buttons_are_split_not_cut():
    long_text = "\n".join(f"Rad {i} " + "x" * 80 for i in range(100))
    buttons = tuple(Button("pick", f"Knapp {i}", str(i)) for i in range(30))
    payload = message_payload(
        Outbound(text="Lång", card=Card(blocks=(Text(long_text), Buttons(buttons=buttons)))), "sv"
    )
    sections = [b for b in payload["blocks"] if b["type"] == "section"]
    assert all(len(s["text"]["text"]) <= 3000 for s in sections)
    assert "\n".join(s["text"]["text"] for s in sections) == long_text
    rows = [b for b in payload["blocks"] if b["type"] == "actions"]
    assert [len(r["elements"]) for r in rows] == [25, 5]
    ids = [e["action_id"] for r in rows for e in r["elements"]]
    assert len(set(ids[:25])) == 25  # unique within a block, as Slack requires
    assert {split_action_id(i) for i in ids} == {("pick", False)}


def test_button_labels_longer_than_slack_allows_are_shortened():
    label = "Jag vill hellre träffas digitalt eftersom jag sitter i en annan kommun långt bort härifrån"
    payload = message_payload(Outbound(text="?", card=Card(blocks=(Buttons(buttons=(Button("a", label),)),))), "en")
    text = payload["blocks"][0]["elements"][0]["text"]["text"]
    assert len(text) == 75 and text.endswith("…")


def test_markdown_escapes_and_links():
    assert (
        mrkdwn("**Viktigt** <x> & [här](https://a.se/?q=1&r=2)")
        == "*Viktigt* &lt;x&gt; &amp; <https://a.se/?q=1&r=2|här>"
    )


def test_picker_ids_are_recognised():
    assert split_action_id("intake.topics~pick") == ("intake.topics", True)
    assert split_action_id("nudge.met") == ("nudge.met", False)
