"""How the console shows a message: a card as plain text with numbered
options (`render_text`), what typing a number picks (`options`), and when a
turn's replies become what a bare number answers (`replaces_card`)."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from bot.i18n import render
from bot.markup import convert, plain_links
from bot.messages import (
    Buttons,
    Card,
    Choice,
    Fields,
    Heading,
    Image,
    Inbound,
    Input,
    Kind,
    Outbound,
    Text,
)


@dataclass(frozen=True)
class Pick:
    """A numbered option on a console card: what choosing it sends."""

    action_id: str
    value: str
    label: str


def options(card: Card | None) -> list[Pick]:
    picks: list[Pick] = []
    for block in card.blocks if card else ():
        if isinstance(block, Buttons):
            picks += [Pick(b.action_id, b.value, b.label) for b in block.buttons]
        elif isinstance(block, Choice):
            picks += [Pick(block.action_id, o.value, o.label) for o in block.options]
    return picks


def replaces_card(inbound: Inbound, replies: list[Outbound]) -> bool:
    """Whether this turn's replies become what a bare number answers. The
    newest card keeps its numbers across typed lines that do not replace it
    (a typed `yes` under it, a `status`), but not once it has been pressed
    (its turn is over) nor once a question waits for a typed answer (a
    number typed then is the answer, not a press)."""
    return (
        inbound.kind in (Kind.ACTION, Kind.FORM)
        or any(options(message.card) for message in replies)
        or any((message.kind or "").startswith("dialogs/") for message in replies)
    )


def render_text(message: Outbound, saved: Sequence[object] = ()) -> str:
    """A card as plain text with numbered options (the console renderer).
    The card is the body; `text` is shown only for a message without one.
    `saved`: where each attached file was written, shown instead of its name."""
    names = [*saved, *(f.filename for f in message.files[len(saved) :])]
    files = [f"  📎 {name} ({max(1, len(f.data) // 1024)} kB)" for name, f in zip(names, message.files, strict=True)]
    if message.card is None:
        return _as_text("\n".join([message.text, *files]))
    lines: list[str] = []
    number = itertools.count(1)
    for block in message.card.blocks:
        if isinstance(block, Heading):
            lines.append(f"== {block.text} ==")
        elif isinstance(block, Text):
            lines.append(block.text)
        elif isinstance(block, Fields):
            lines += [f"  {k}: {v}" for k, v in block.items]
        elif isinstance(block, Buttons):
            lines += [f"  [{next(number)}] {b.label}" for b in block.buttons]
        elif isinstance(block, Choice):
            hint = render(message.locale, "console/multi_hint") if block.multi else ""
            lines.append(f"  {block.label}{' ' + hint if hint else ''}")
            lines += [f"  [{next(number)}] {o.label}" for o in block.options]
        elif isinstance(block, Input):
            lines.append(f"  {block.label}: …")
        elif isinstance(block, Image):
            lines.append(f"  [{block.alt}]")
    return _as_text("\n".join(lines + files))


def banner(locale: str, name: str) -> str:
    """The line a console session opens with, in the person's language."""
    return said(locale, "banner", name=name)


def said(locale: str, name: str, /, **ctx) -> str:
    """One of the console's own lines (`templates/*/console/`), as text."""
    return _as_text(render(locale, f"console/{name}", **ctx))


def _as_text(text: str) -> str:
    """The console shows text as it is: values from the data as typed (no
    markup to escape), our own links as their URL (`bot.markup.plain_links`)."""
    return convert(text, plain_links, lambda value: value)


def card_ref(message: Outbound) -> str:
    """The console's id of a card it showed: the same card, the same id."""
    return "card-" + hashlib.sha256(repr((message.text, message.card)).encode()).hexdigest()[:16]
