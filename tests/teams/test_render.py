"""The Adaptive Card renderer: buttons, rows, fallbacks, markdown. What Teams
receives for real core output is pinned by golden files in
tests/core/test_rendered.py."""

from __future__ import annotations

import json
from dataclasses import replace

from adapters.teams.render import MAX_CARD_BYTES, answered_activity, message_activity
from bot.messages import (
    Address,
    Button,
    Buttons,
    Card,
    Choice,
    Fields,
    Heading,
    Input,
    Option,
    Outbound,
    OutboxRef,
    Platform,
    Text,
)

ROLE = Card(
    blocks=(
        Heading("Mentorprogrammet 2027"),
        Choice(
            "intake.role", "Vill du vara adept eller mentor?", (Option("adept", "Adept"), Option("mentor", "Mentor"))
        ),
    )
)
MANY_TOPICS = Card(
    blocks=(
        Choice(
            "intake.topics",
            "Vad vill du prata om?",
            tuple(Option(f"t{i}", f"Ämne {i}") for i in range(1, 8)),
            multi=True,
            selected=("t2", "t5"),
        ),
    )
)
PAIR = Card(
    blocks=(
        Heading("Ni är ett par"),
        Text("Boka ert första möte inom två veckor."),
        Fields((("Adept", "Anna Adeptsson, Solna stad"), ("Mentor", "Maja Mentorsson, Sundbyberg"))),
        Buttons(
            (
                Button("meeting.met", "Vi har träffats", "pair:7", style="primary"),
                Button("pair.later", "Påminn mig senare", "pair:7"),
                Button("pair.problem", "Något är fel", "pair:7", style="danger"),
            )
        ),
    )
)
FORM = Card(
    blocks=(
        Input("goals", "Vad vill du få ut av programmet?", placeholder="Några meningar", multiline=True),
        Input("org", "Organisation", initial="Solna stad"),
        Choice("months", "Hur länge har du varit chef?", (Option("6", "6–12 mån"), Option("12", "1–2 år"))),
    ),
    submit_id="intake.goals",
    submit_label="Spara",
)
ELEVEN_BUTTONS = Card(blocks=(Buttons(tuple(Button("pick.", f"Val {i}", str(i)) for i in range(1, 12))),))

CASES = {
    "plain_text": Outbound(text="Hej! Skriv **hjälp** för att se vad jag kan."),
    "role_choice": Outbound(text="Välkommen till mentorprogrammet.", card=ROLE),
    "multi_choice": Outbound(text="Några frågor om dina önskemål.", card=MANY_TOPICS),
    "pair_intro": Outbound(text="Din mentor är klar!", card=PAIR),
    "form": Outbound(text="Berätta lite om dig själv.", card=FORM),
    "eleven_buttons": Outbound(text="Välj ett.", card=ELEVEN_BUTTONS),
}


def _actions(activity):
    content = activity["attachments"][0]["content"]
    found = list(content.get("actions", []))
    for element in content["body"]:
        found.extend(element.get("actions", []))
    return found


def test_every_button_sends_the_neutral_action_id_and_value():
    actions = _actions(message_activity(CASES["pair_intro"], "sv"))
    assert [(a["data"]["mentorbot"]["a"], a["data"]["mentorbot"]["v"]) for a in actions] == [
        ("meeting.met", "pair:7"),
        ("pair.later", "pair:7"),
        ("pair.problem", "pair:7"),
    ]
    assert [a.get("style") for a in actions] == ["positive", None, "destructive"]


def test_every_submit_names_the_cards_outbox_row_and_carries_no_words():
    sent = replace(CASES["multi_choice"], outbox=OutboxRef(907, "reply:teams:x:0", Address(Platform.TEAMS, "t")))
    for message, row in ((sent, 907), (CASES["multi_choice"], None), (CASES["form"], None)):
        for action in _actions(message_activity(message, "sv")):
            data = action["data"]["mentorbot"]
            assert data.get("r") == row
            assert set(data) <= {"a", "v", "r", "choice", "m"}  # ids only: nothing a click could show


def test_a_short_single_choice_is_one_click_buttons():
    actions = _actions(message_activity(CASES["role_choice"], "sv"))
    assert [(a["title"], a["data"]["mentorbot"]["a"], a["data"]["mentorbot"]["v"]) for a in actions] == [
        ("Adept", "intake.role", "adept"),
        ("Mentor", "intake.role", "mentor"),
    ]


def test_eleven_buttons_wrap_into_rows_of_five():
    body = message_activity(CASES["eleven_buttons"], "sv")["attachments"][0]["content"]["body"]
    rows = [len(e["actions"]) for e in body if e["type"] == "ActionSet"]
    assert rows == [5, 5, 1]


def test_the_choose_button_speaks_the_readers_language():
    sv = _actions(message_activity(CASES["multi_choice"], "sv"))
    en = _actions(message_activity(CASES["multi_choice"], "en"))
    assert (sv[0]["title"], en[0]["title"]) == ("Välj", "Choose")


def test_a_card_too_large_for_teams_degrades_to_text():
    huge = Card(blocks=tuple(Text(f"Rad {i}: " + "x" * 200) for i in range(200)))
    activity = message_activity(Outbound(text="Lång rapport", card=huge), "sv")
    assert "attachments" not in activity
    assert activity["text"].startswith("Rad 0: ")  # the card is the body; its text the notification
    assert len(json.dumps(activity).encode()) > MAX_CARD_BYTES  # the text itself is kept whole


def test_fallback_text_lists_the_choices():
    card = message_activity(CASES["multi_choice"], "en")["attachments"][0]["content"]
    assert card["fallbackText"].splitlines()[:3] == [
        "Några frågor om dina önskemål.",
        "Vad vill du prata om?",
        "1. Ämne 1",
    ]


def test_a_card_that_starts_with_the_message_text_shows_it_once():
    card = Card((Text("Vill du radera dina uppgifter?"), Buttons((Button("forget.confirm", "Ja", "1"),))))
    body = message_activity(Outbound(text="Vill du radera dina uppgifter?", card=card), "sv")["attachments"][0][
        "content"
    ]["body"]
    assert [b.get("text") for b in body if b["type"] == "TextBlock"] == ["Vill du radera dina uppgifter?"]


def test_slack_style_bold_in_templates_is_bold_in_teams():
    from adapters.teams.render import teams_markdown

    assert teams_markdown("Påminnelse: *Uppstartsmöte* är i morgon") == "Påminnelse: **Uppstartsmöte** är i morgon"
    assert teams_markdown("Skriv **hjälp**; 2*3*4 och a * b * c") == "Skriv **hjälp**; 2*3*4 och a * b * c"


def test_inline_code_is_bold_in_teams_with_its_content_literal():
    from adapters.teams.render import teams_markdown
    from bot.markup import mark

    assert teams_markdown("skriv `met ÅÅÅÅ-MM-DD MINUTER` eller `match_rule=other_org|x`") == (
        "skriv **met ÅÅÅÅ-MM-DD MINUTER** eller **match\\_rule=other\\_org\\|x**"
    )
    # what a person typed stays literal inside it too: no bold, link or code from them
    typed = mark("*a*_b_ `c` [x](http://e.se)")
    assert teams_markdown(f"`{typed}` är inget datum") == (
        "**\\*a\\*\\_b\\_ \\`c\\` \\[x\\]\\(http:\u200b//e.se\\)** är inget datum"
    )


def test_no_backtick_or_slack_asterisk_reaches_what_teams_shows():
    from bot.markup import mark

    text = f"Tryck på *Vi har träffats* eller skriv `met`, {mark('*Kim*')}."
    card = Card((Text(text), Buttons((Button("nudge.met", "Vi har träffats", "1"),))))
    activity = message_activity(Outbound(text=text, card=card), "sv")
    answered = answered_activity(text, "Vi har träffats", "sv")  # the card once clicked
    content = activity["attachments"][0]["content"]
    shown = [
        content["body"][0]["text"],
        content["fallbackText"],
        activity["summary"],
        answered["summary"],
    ]
    assert shown[0] == "Tryck på **Vi har träffats** eller skriv **met**, \\*Kim\\*."
    # plain-text fields: no formatting of ours, the name as typed
    assert activity["summary"] == "Tryck på Vi har träffats eller skriv met, *Kim*."
    assert answered["summary"] == activity["summary"]
    assert all("`" not in s for s in shown)
    text_only = message_activity(Outbound(text="Skriv `hjälp`."), "sv")
    assert text_only["text"] == "Skriv **hjälp**."


def test_a_list_is_one_textblock_of_markdown_items_and_lines_stay_apart():
    text = "Inställningar:\n• uppehåll: juli\n• *språk* svenska\nSista raden.\n\n1. ett\n2. två"
    body = message_activity(Outbound(text="x", card=Card((Text(text),))), "sv")["attachments"][0]["content"]["body"]
    assert [(b["text"], b.get("spacing")) for b in body] == [
        ("Inställningar:", None),
        ("- uppehåll: juli\r- **språk** svenska", "None"),
        ("Sista raden.", "None"),
        ("1. ett\r2. två", "Default"),
    ]


def test_a_value_typed_in_paragraphs_stays_text_on_every_line_of_a_card():
    """A card's text goes to Teams a line per TextBlock; a value from the data
    that spans lines (a dilemma typed in paragraphs) is escaped on each of
    them. Split in the middle of its marks, its second line was read as
    markup: a link, bold, a list."""
    from bot.markup import mark

    typed = "Första stycket [klicka](https://evil.example)\n\n- *viktigt*\n[igen](https://evil.example/2)"
    text = "Anna skriver:\n" + mark(typed) + "\nSlut."
    body = message_activity(Outbound(text="x", card=Card((Text(text),))), "sv")["attachments"][0]["content"]["body"]
    shown = [b["text"] for b in body]
    assert len(shown) == 5, shown  # the template's two lines, the value's three (and a paragraph break)
    for line in shown[1:4]:
        assert "](" not in line.replace("\\](", "") and "**" not in line, line  # no link, no bold
    assert not shown[2].startswith("- "), shown[2]  # no list item either
    assert shown[0] == "Anna skriver:" and shown[-1] == "Slut."
