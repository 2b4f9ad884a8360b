"""Neutral messages -> Teams message activities with Adaptive Cards 1.5.

Pure functions from `bot.messages` values to JSON-ready dicts; nothing here
imports botbuilder, so a later move to another Teams SDK keeps the renderer.

What a click sends back: every `Action.Submit` carries `data.mentorbot`, a
small dict with the neutral action id (`a`), the button's value (`v`) and the
id of the outbox row that sent the card (`r`, so the adapter can show the
card as answered in the words that row has, `bot.clicked`); a choice's submit
is marked as one (`choice`), a form's carries the ids of its multi choices
(`m`). No words go into the data: a client sends back whatever it likes
there. Inputs and choice sets use the neutral ids, so a submission comes back
with the same ids as on Slack.

Values from the data (names, answers, reasons) arrive marked (`bot.markup`)
and are escaped by `teams_escape`, the one escaping function for Teams
markdown, wherever markdown is shown (message text, TextBlocks, FactSets,
fallbackText); every other field gets them as plain text. The answered card
shows the bot's own text of the card as plain text.

Template formatting as Teams shows it (`teams_markdown`): Slack's `*bold*` is
`**bold**`, inline code (backticks: commands, examples) is bold with its
content literal, since TextBlocks have no inline code; a line is a TextBlock
and a list one TextBlock of markdown items. Plain-text fields (`summary`, the
text an answered card repeats) carry no formatting of ours (`teams_plain`).

Whatever Teams cannot show degrades to text: `fallbackText` on every card, a
text-only message when a card would exceed Teams' size limit, and buttons
beyond what one row holds go into further rows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from bot.i18n import render as render_template
from bot.markup import LINK, break_urls, convert, plain_links, split_lines, strip_all, strip_marks
from bot.messages import Button, Buttons, Card, Choice, Fields, Heading, Image, Input, Outbound, Text

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
DATA_KEY = "mentorbot"
# Teams shows at most this many actions side by side in one ActionSet.
BUTTONS_PER_ROW = 5
# A single choice with this many options or fewer is shown as buttons (one click).
CHOICE_AS_BUTTONS = 5
# Teams refuses message payloads above ~28 KB; stay well below.
MAX_CARD_BYTES = 24_000

_STYLE = {"primary": "positive", "danger": "destructive"}
# Templates mark bold the Slack way, *like this*; in Teams that is italics.
_SLACK_BOLD = re.compile(r"(?<![*\w])\*([^\s*](?:[^*\n]*?[^\s*])?)\*(?![*\w])")


_TEAMS_SPECIAL = re.compile(r"([\\`*_~\[\]()#<>|!{}])")


# What starts a list item at the start of a line: `- `, `+ `, `3. `.
_TEAMS_ITEM = re.compile(r"(?m)^(\s*)([-+]|\d+\.)(?=\s)")


def teams_escape(value: str) -> str:
    """A value from the data as literal text in Teams markdown: no link,
    mention, HTML or formatting (a backslash before each markdown character,
    and before what would start a list item at the start of a line)."""
    escaped = _TEAMS_SPECIAL.sub(r"\\\1", value)
    return break_urls(_TEAMS_ITEM.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], escaped))


# Inline code the way templates write it (`met ÅÅÅÅ-MM-DD MINUTER`, a command name).
_CODE = re.compile(r"`([^`\n]+)`")


def _literal_labels(prose: str) -> str:
    """Our own links (`[label](url)`) with each `_` of the label escaped: a
    label that is the URL itself (a calendar feed) shows it exactly, for
    copying, instead of italics where a random token has underscores."""
    return LINK.sub(lambda m: "[" + m.group(1).replace("_", "\\_") + "](" + m.group(2) + ")", prose)


def _template_markdown(shell: str) -> str:
    """Our own template text as Teams markdown. Slack's *bold* becomes
    **bold**. Inline code (command names, examples to type) becomes bold too:
    Adaptive Card TextBlocks have no inline code and show backticks as they
    are, and bold is what Teams shows alike in cards, text messages and on
    every client. What is inside the backticks is literal (escaped), so
    `match_rule=other_org|…` stays as written. Links stay links."""
    parts = _CODE.split(shell)  # even: prose, odd: inside backticks
    return "".join(
        "**" + _TEAMS_SPECIAL.sub(r"\\\1", part) + "**" if n % 2 else _literal_labels(_SLACK_BOLD.sub(r"**\1**", part))
        for n, part in enumerate(parts)
    )


def _template_plain(shell: str) -> str:
    """Our own template text without its formatting, for plain-text fields
    (the notification `summary`, the text an answered card repeats)."""
    return plain_links(_SLACK_BOLD.sub(r"\1", _CODE.sub(r"\1", shell)))


def teams_markdown(text: str) -> str:
    """Template text as Teams markdown (`_template_markdown`); values from
    the data are escaped and never become markup."""
    return convert(text, _template_markdown, teams_escape)


def teams_plain(text: str) -> str:
    """Template text as plain text: no `*` or backticks of our own left,
    values from the data exactly as typed (for fields Teams shows as text)."""
    return convert(text, _template_plain, lambda value: value)


Labels = Callable[..., str]


def labels_for(locale: str) -> Labels:
    """Teams-only sentences (submit button of a choice, the answered mark)."""
    return lambda name, **ctx: render_template(locale, f"teams/{name}", **ctx)


# ---------------------------------------------------------------- activity


def message_activity(message: Outbound, locale: str) -> dict[str, Any]:
    """The Bot Framework message activity (as a dict) for one outbound message."""
    if message.card is None:
        return {"type": "message", "text": plain_markdown(message.text), "textFormat": "markdown"}
    row = message.outbox.id if message.outbox is not None else None
    card = strip_all(adaptive_card(message.card, message.text, labels_for(locale), row=row))
    if len(json.dumps(card, ensure_ascii=False).encode()) > MAX_CARD_BYTES:
        return {"type": "message", "text": card["fallbackText"], "textFormat": "markdown"}
    return {
        "type": "message",
        "summary": _first_line(teams_plain(message.text)),
        "attachments": [{"contentType": ADAPTIVE_CARD, "content": card}],
    }


def answered_activity(text: str, label: str, locale: str) -> dict[str, Any]:
    """What a clicked card becomes: the first line of its text and the answer,
    with no actions left. Both are the bot's own (`bot.clicked`); either may
    be empty, when the bot no longer has the card's words."""
    labels = labels_for(locale)
    text, label = _first_line(teams_plain(text), 280), strip_marks(label)
    body: list[dict[str, Any]] = [{"type": "TextBlock", "text": teams_escape(text), "wrap": True}] if text else []
    body.append(
        {"type": "TextBlock", "text": teams_markdown(labels("answered", label=label)), "wrap": True, "isSubtle": True}
    )
    card = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    card["fallbackText"] = "\n".join(b["text"] for b in body)
    return {
        "type": "message",
        "summary": _first_line(text),
        "attachments": [{"contentType": ADAPTIVE_CARD, "content": card}],
    }


# -------------------------------------------------------------------- card


def adaptive_card(card: Card, text: str, labels: Labels, *, row: int | None = None) -> dict[str, Any]:
    """An Adaptive Card 1.5 whose body is the card's blocks; `text` is the
    notification (`summary`, `fallbackText`), see `bot.messages.Outbound`;
    `row` the outbox row that sends it, named in every button's data."""
    body: list[dict[str, Any]] = []
    is_form = card.submit_id is not None
    for block in card.blocks:
        body.extend(_block(block, row, is_form, labels))
    result: dict[str, Any] = {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": body}
    if card.submit_id is not None:
        label = card.submit_label or labels("submit")
        submit = _submit(card.submit_id, "", label, row, style="positive")
        multi = [b.action_id for b in card.blocks if isinstance(b, Choice) and b.multi]
        if multi:
            submit["data"][DATA_KEY]["m"] = multi  # ids whose "a,b" value is a list
        result["actions"] = [submit]
    result["fallbackText"] = text_fallback(card, text)
    return result


def _block(block, row: int | None, in_form: bool, labels: Labels) -> list[dict[str, Any]]:
    if isinstance(block, Heading):
        return [
            {"type": "TextBlock", "text": teams_markdown(block.text), "size": "Large", "weight": "Bolder", "wrap": True}
        ]
    if isinstance(block, Text):
        return _text_blocks(block.text)
    if isinstance(block, Fields):
        return [
            {
                "type": "FactSet",
                "facts": [{"title": teams_markdown(k), "value": teams_markdown(v)} for k, v in block.items],
            }
        ]
    if isinstance(block, Buttons):
        return _button_rows(block.buttons, row)
    if isinstance(block, Choice):
        return _choice(block, row, in_form, labels)
    if isinstance(block, Input):
        element = {
            "type": "Input.Text",
            "id": block.input_id,
            "label": block.label,
            "isMultiline": block.multiline,
        }
        if block.placeholder:
            element["placeholder"] = block.placeholder
        if block.initial:
            element["value"] = block.initial
        return [element]
    if isinstance(block, Image):
        return [{"type": "Image", "url": block.url, "altText": block.alt, "size": "Stretch"}]
    raise TypeError(f"unknown card block {type(block).__name__}; expected one of bot.messages.Block")


def _choice(choice: Choice, row: int | None, in_form: bool, labels: Labels) -> list[dict[str, Any]]:
    if not in_form and not choice.multi and len(choice.options) <= CHOICE_AS_BUTTONS:
        # One click answers: each option is a button sending the choice's id.
        label = [_text_block(choice.label)] if choice.label else []
        buttons = tuple(Button(choice.action_id, o.label, o.value) for o in choice.options)
        return label + _button_rows(buttons, row)
    element: dict[str, Any] = {
        "type": "Input.ChoiceSet",
        "id": choice.action_id,
        "label": choice.label,
        "isMultiSelect": choice.multi,
        "style": "expanded" if len(choice.options) <= 8 else "compact",
        "choices": [{"title": o.label, "value": o.value} for o in choice.options],
    }
    if choice.selected:
        element["value"] = ",".join(choice.selected)
    if in_form:
        return [element]
    submit = _submit(choice.action_id, "", labels("choose"), row, style="positive")
    submit["data"][DATA_KEY]["choice"] = True
    return [element, {"type": "ActionSet", "actions": [submit]}]


def _button_rows(buttons: tuple[Button, ...], row: int | None) -> list[dict[str, Any]]:
    rows = []
    for start in range(0, len(buttons), BUTTONS_PER_ROW):
        chunk = buttons[start : start + BUTTONS_PER_ROW]
        actions = [_submit(b.action_id, b.value, b.label, row, style=_STYLE.get(b.style or "")) for b in chunk]
        rows.append({"type": "ActionSet", "actions": actions})
    return rows


def _submit(action_id: str, value: str, label: str, row: int | None, style: str | None = None) -> dict[str, Any]:
    """An Action.Submit whose `data` names the neutral action (and the
    outbox row of the card, when it has one); Teams sends `data` back merged
    with the card's input values."""
    data: dict[str, Any] = {"a": action_id, "v": value}
    if row is not None:
        data["r"] = row
    action: dict[str, Any] = {"type": "Action.Submit", "title": label, "data": {DATA_KEY: data}}
    if style:
        action["style"] = style
    return action


def _text_block(text: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": teams_markdown(text), "wrap": True}


# A list item as templates write it ("• ...", "- ...", "3. ...").
_BULLET = re.compile(r"^\s*(?:[•\-]|(\d+)\.)\s+(.*)$")


def _text_blocks(text: str) -> list[dict[str, Any]]:
    """A TextBlock per line, a list as one TextBlock: Teams joins single line
    breaks inside one block, which runs short lines together into one
    paragraph, and shows a list only as markdown items separated by `\\r`
    ("- a\\r- b", "1. a\\r2. b"). Lines of a paragraph sit close; a blank line
    starts a new paragraph with space above."""
    blocks: list[dict[str, Any]] = []
    gap = False
    items: list[str] = []  # the open list's items, as markdown

    def close_list() -> None:
        if items:
            add(_block_of("\r".join(items)))
            items.clear()

    def add(block: dict[str, Any]) -> None:
        nonlocal gap
        if blocks:
            block["spacing"] = "Default" if gap else "None"
        blocks.append(block)
        gap = False

    for line in split_lines(text.strip()):
        if not strip_marks(line).strip():
            close_list()
            gap = True
            continue
        item = _BULLET.match(line)
        if item:
            items.append(f"{item.group(1)}. " if item.group(1) else "- ")
            items[-1] += teams_markdown(item.group(2))
            continue
        close_list()
        add(_text_block(line))
    close_list()
    return blocks or [_text_block("")]


def _block_of(markdown: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": markdown, "wrap": True}


def plain_markdown(text: str) -> str:
    """A card-less message as Teams markdown that keeps its line breaks:
    Teams joins single line breaks, so each becomes a paragraph break."""
    return re.sub(r"(?<!\n)\n(?!\n)", "\n\n", teams_markdown(text))


def _first_line(text: str, limit: int = 120) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


# ----------------------------------------------------------------- fallback


def text_fallback(card: Card, text: str) -> str:
    """The card as plain text, for notifications and clients without cards
    (the card's own text when it has some, else the message text)."""
    has_text = any(isinstance(b, (Heading, Text, Fields)) for b in card.blocks)
    lines = [teams_markdown(text)] if text and not has_text else []
    for block in card.blocks:
        if isinstance(block, Heading):
            lines.append(f"**{teams_markdown(block.text)}**")
        elif isinstance(block, Text):
            lines.append(teams_markdown(block.text))
        elif isinstance(block, Fields):
            lines.extend(f"{teams_markdown(k)}: {teams_markdown(v)}" for k, v in block.items)
        elif isinstance(block, Buttons):
            lines.append(" | ".join(f"[{teams_markdown(b.label)}]" for b in block.buttons))
        elif isinstance(block, Choice):
            lines.append(teams_markdown(block.label))
            lines.extend(f"{n}. {teams_markdown(o.label)}" for n, o in enumerate(block.options, 1))
        elif isinstance(block, Input):
            lines.append(f"{teams_markdown(block.label)}: ____")
        elif isinstance(block, Image):
            lines.append(f"[{teams_escape(block.alt)}]({block.url})")
    return "\n".join(line for line in lines if line)
