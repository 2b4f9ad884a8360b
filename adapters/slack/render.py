"""Neutral messages -> Slack Block Kit.

Pure functions from `bot.messages` values to the JSON Slack's `chat.*` and
`views.publish` take; nothing here talks to Slack.

Ids: a button or menu sends back the neutral action id. Slack wants action ids
unique within a block, so repeated ids get a `~N` suffix that `split_action_id`
removes again. A menu that only collects a value for a button next to it (a
multi choice outside a form) gets the `~pick` suffix: its own events are
acknowledged and ignored, and the button sends the choice with its values.

Values from the data (names, answers, reasons, organisation names) arrive
marked (`bot.markup`); text becomes mrkdwn in `adapters.slack.mrkdwn`,
plain-text fields get values without the marks, and a last pass leaves no
mark in a payload.

Limits: long texts are split into several sections, many buttons into several
rows, many fields into several sections; what still does not fit Block Kit
(more than 50 blocks, a menu with more than 100 options, a value longer than
Slack keeps) makes the whole message degrade to text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from adapters.slack.mrkdwn import mrkdwn
from bot.i18n import render as render_template
from bot.markup import strip_all, strip_marks
from bot.messages import Button, Buttons, Card, Choice, Fields, Heading, Image, Input, Option, Outbound, Text

# Block Kit limits (api.slack.com/reference/block-kit).
MAX_MESSAGE_BLOCKS = 50
MAX_HOME_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_ACTIONS = 25
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_ACTION_ID = 255
MAX_LABEL = 2000
MAX_MESSAGE_TEXT = 40_000
# A single choice with this many options or fewer is shown as buttons (one click),
# the same rule as the Teams renderer so both platforms feel alike.
CHOICE_AS_BUTTONS = 5
# Radio buttons and checkboxes hold at most 10 options; beyond that, a menu.
INLINE_OPTIONS = 10

PICK = "pick"
# Inputs of a form card live in `input` blocks whose block id starts with this,
# so a submit tells form values apart from menus elsewhere in the message.
FORM_BLOCK = "form:"
ANSWERED_BLOCK = "mentorbot_answered"

Labels = Callable[..., str]


class TooBig(Exception):
    """The card does not fit Block Kit; the message degrades to text."""


def labels_for(locale: str) -> Labels:
    """Slack-only sentences (the choose/submit buttons, the answered mark)."""
    return lambda name, **ctx: render_template(locale, f"slack/{name}", **ctx)


# ------------------------------------------------------------------ messages


def message_payload(message: Outbound, locale: str) -> dict[str, Any]:
    """Keyword arguments for `chat.postMessage` / `chat.update` / a
    `response_url` answer: always `text` (notifications, screen readers), plus
    `blocks` when the message has a card that fits Block Kit."""
    text = mrkdwn(message.text)
    if message.card is None:
        return {"text": _clip(text, MAX_MESSAGE_TEXT)}
    labels = labels_for(locale)
    try:
        blocks = card_blocks(message.card, message.text, labels, max_blocks=MAX_MESSAGE_BLOCKS)
    except TooBig:
        return {"text": _clip(text_fallback(message.card, message.text, labels), MAX_MESSAGE_TEXT)}
    return strip_all({"text": _clip(text or _first_text(message.card), MAX_MESSAGE_TEXT), "blocks": blocks})


def home_view(message: Outbound, locale: str) -> dict[str, Any]:
    """A Home tab view (`views.publish`) from a neutral message and card."""
    labels = labels_for(locale)
    card = message.card or Card(blocks=())
    try:
        blocks = card_blocks(card, message.text, labels, max_blocks=MAX_HOME_BLOCKS)
    except TooBig:
        blocks = _sections(text_fallback(card, message.text, labels))[:MAX_HOME_BLOCKS]
    return strip_all({"type": "home", "blocks": blocks})


def answered_blocks(blocks: Iterable[dict[str, Any]], answer: str, labels: Labels) -> list[dict[str, Any]]:
    """A clicked message as it should look afterwards: its content without
    buttons, menus or inputs, and a line saying what was chosen."""
    kept = []
    for block in blocks:
        if block.get("type") in ("actions", "input") or block.get("block_id") == ANSWERED_BLOCK:
            continue
        if block.get("type") == "section" and "accessory" in block:
            block = {k: v for k, v in block.items() if k != "accessory"}
        kept.append(block)
    kept.append(
        {
            "type": "context",
            "block_id": ANSWERED_BLOCK,
            "elements": [
                {"type": "mrkdwn", "text": _clip(mrkdwn(labels("answered", answer=answer)), MAX_SECTION_TEXT)}
            ],
        }
    )
    return kept[-MAX_MESSAGE_BLOCKS:]


# ---------------------------------------------------------------------- card


def card_blocks(card: Card, text: str, labels: Labels, *, max_blocks: int = MAX_MESSAGE_BLOCKS) -> list[dict[str, Any]]:
    """Each block of the card: the card is the body, `text` only the
    notification (see `bot.messages.Outbound`). Raises `TooBig`."""
    blocks: list[dict[str, Any]] = []
    in_form = card.submit_id is not None
    for block in card.blocks:
        blocks.extend(_block(block, in_form, labels))
    if card.submit_id is not None:
        label = card.submit_label or labels("submit")
        blocks.append({"type": "actions", "elements": [_button(card.submit_id, label, "", "primary")]})
    if len(blocks) > max_blocks:
        raise TooBig(f"{len(blocks)} blocks; Slack shows at most {max_blocks}")
    _unique_action_ids(blocks)
    return blocks


def _block(block, in_form: bool, labels: Labels) -> list[dict[str, Any]]:
    if isinstance(block, Heading):
        if len(block.text) <= MAX_HEADER_TEXT:
            return [{"type": "header", "text": _plain(block.text)}]
        return _sections(f"*{mrkdwn(block.text)}*")
    if isinstance(block, Text):
        return _sections(mrkdwn(block.text))
    if isinstance(block, Fields):
        return _fields(block)
    if isinstance(block, Buttons):
        return _button_rows(block.buttons)
    if isinstance(block, Choice):
        return _form_choice(block) if in_form else _choice(block, labels)
    if isinstance(block, Image):
        return [{"type": "image", "image_url": block.url, "alt_text": _clip(block.alt, 2000)}]
    if isinstance(block, Input):
        element: dict[str, Any] = {
            "type": "plain_text_input",
            "action_id": _id(block.input_id),
            "multiline": block.multiline,
        }
        if block.placeholder:
            element["placeholder"] = _plain(_clip(block.placeholder, 150))
        if block.initial:
            element["initial_value"] = strip_marks(block.initial)
        return [
            {
                "type": "input",
                "block_id": FORM_BLOCK + block.input_id,
                "optional": True,
                "label": _plain(_clip(block.label, MAX_LABEL)),
                "element": element,
            }
        ]
    raise TypeError(f"unknown card block {type(block).__name__}; expected one of bot.messages.Block")


def _fields(block: Fields) -> list[dict[str, Any]]:
    items = [{"type": "mrkdwn", "text": _clip(f"*{mrkdwn(k)}*\n{mrkdwn(v)}", MAX_FIELD_TEXT)} for k, v in block.items]
    return [{"type": "section", "fields": items[i : i + MAX_FIELDS]} for i in range(0, len(items), MAX_FIELDS)]


def _button_rows(buttons: tuple[Button, ...]) -> list[dict[str, Any]]:
    elements = [_button(b.action_id, b.label, b.value, b.style) for b in buttons]
    return [
        {"type": "actions", "elements": elements[i : i + MAX_ACTIONS]} for i in range(0, len(elements), MAX_ACTIONS)
    ]


def _choice(choice: Choice, labels: Labels) -> list[dict[str, Any]]:
    label = _sections(mrkdwn(choice.label)) if choice.label else []
    if not choice.multi and len(choice.options) <= CHOICE_AS_BUTTONS:
        buttons = tuple(
            Button(choice.action_id, o.label, o.value, "primary" if o.value in choice.selected else None)
            for o in choice.options
        )
        return label + _button_rows(buttons)
    if not choice.multi:
        menu = _menu(choice, _id(choice.action_id))
        return [*label, {"type": "actions", "elements": [menu]}]
    picker = _menu(choice, _id(f"{choice.action_id}~{PICK}"))
    done = _button(choice.action_id, labels("choose"), "", "primary")
    return [*label, {"type": "actions", "elements": [picker, done]}]


def _form_choice(choice: Choice) -> list[dict[str, Any]]:
    return [
        {
            "type": "input",
            "block_id": FORM_BLOCK + choice.action_id,
            "optional": True,
            "label": _plain(_clip(choice.label or choice.action_id, MAX_LABEL)),
            "element": _menu(choice, _id(choice.action_id), inline=True),
        }
    ]


def _menu(choice: Choice, action_id: str, *, inline: bool = False) -> dict[str, Any]:
    """A menu (or, in a form with few options, radio buttons / checkboxes)."""
    if len(choice.options) > MAX_OPTIONS:
        raise TooBig(
            f"choice {choice.action_id!r} has {len(choice.options)} options; Slack shows at most {MAX_OPTIONS}"
        )
    options = [_option(o) for o in choice.options]
    few = len(options) <= INLINE_OPTIONS
    if choice.multi:
        kind = "checkboxes" if few else "multi_static_select"
    else:
        kind = "radio_buttons" if inline and few else "static_select"
    element: dict[str, Any] = {"type": kind, "action_id": action_id, "options": options}
    if kind.endswith("static_select"):
        element["placeholder"] = _plain(_clip(choice.label or "…", 150))
    chosen = [o for o, src in zip(options, choice.options) if src.value in choice.selected]
    if chosen:
        if choice.multi:
            element["initial_options"] = chosen
        else:
            element["initial_option"] = chosen[0]
    return element


def _option(option: Option) -> dict[str, Any]:
    if len(option.value) > MAX_OPTION_VALUE:
        raise TooBig(f"option value longer than {MAX_OPTION_VALUE} characters")
    return {"text": _plain(_clip(option.label, MAX_OPTION_TEXT)), "value": option.value}


def _button(action_id: str, label: str, value: str, style: str | None) -> dict[str, Any]:
    if len(value) > MAX_BUTTON_VALUE:
        raise TooBig(f"button value longer than {MAX_BUTTON_VALUE} characters")
    button: dict[str, Any] = {
        "type": "button",
        "action_id": _id(action_id),
        "text": _plain(_clip(label, MAX_BUTTON_TEXT)),
    }
    if value:
        button["value"] = value
    if style in ("primary", "danger"):
        button["style"] = style
    return button


def _id(action_id: str) -> str:
    if len(action_id) > MAX_ACTION_ID - 4:
        raise TooBig(f"action id longer than {MAX_ACTION_ID - 4} characters")
    return action_id


def _unique_action_ids(blocks: list[dict[str, Any]]) -> None:
    """Slack refuses two elements with the same action id in one block; number repeats."""
    for block in blocks:
        seen: dict[str, int] = {}
        for element in block.get("elements", []):
            aid = element.get("action_id")
            if aid is None:
                continue
            if aid in seen:
                seen[aid] += 1
                element["action_id"] = f"{aid}~{seen[aid]}"
            else:
                seen[aid] = 0


def split_action_id(slack_action_id: str) -> tuple[str, bool]:
    """Slack action id -> (neutral action id, is a value picker only)."""
    base, sep, suffix = slack_action_id.rpartition("~")
    if sep and suffix == PICK:
        return base, True
    if sep and suffix.isdigit():
        return base, False
    return slack_action_id, False


# ---------------------------------------------------------------------- text


def text_fallback(card: Card, text: str, labels: Labels) -> str:
    """The card as mrkdwn text, for a card Block Kit cannot hold (the card's
    own text when it has some, else the message text)."""
    has_text = any(isinstance(b, (Heading, Text, Fields)) for b in card.blocks)
    lines = [mrkdwn(text)] if text and not has_text else []
    asks = False
    for block in card.blocks:
        if isinstance(block, Heading):
            lines.append(f"*{mrkdwn(block.text)}*")
        elif isinstance(block, Text):
            lines.append(mrkdwn(block.text))
        elif isinstance(block, Fields):
            lines.extend(f"*{mrkdwn(k)}:* {mrkdwn(v)}" for k, v in block.items)
        elif isinstance(block, Buttons):
            lines.append(" · ".join(mrkdwn(b.label) for b in block.buttons))
            asks = True
        elif isinstance(block, Choice):
            if block.label:
                lines.append(mrkdwn(block.label))
            lines.extend(f"{n}. {mrkdwn(o.label)}" for n, o in enumerate(block.options, 1))
            asks = True
        elif isinstance(block, Input):
            lines.append(f"{mrkdwn(block.label)}: …")
            asks = True
        elif isinstance(block, Image):
            lines.append(f"<{block.url}|{mrkdwn(block.alt)}>")
    if asks:
        lines.append(f"_{mrkdwn(labels('answer_by_typing'))}_")
    return "\n".join(line for line in lines if line)


def _sections(text: str) -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}} for chunk in _chunks(text, MAX_SECTION_TEXT)]


def _chunks(text: str, limit: int) -> list[str]:
    """Split at line ends (or, for a very long line, anywhere) into pieces <= limit."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return chunks


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": strip_marks(text) or " ", "emoji": True}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first_text(card: Card) -> str:
    for block in card.blocks:
        if isinstance(block, (Heading, Text)):
            return mrkdwn(block.text)
    return " "
