"""Every input is bounded and parsed by one set of functions.

- `parse_int`: ASCII digits only (not `²`, `٣` or `１`, no sign, no space),
  within a range, so no value that passes `str.isdigit()` but not `int()`,
  and no id too large for the database, ever reaches a handler. Every id on
  a button (a value is the client's to send) is read with it; None is a
  stale button (`bot.errors.stale_button`).
- `parse_whole`: the same digits with an optional sign and no range, for a
  caller that answers a number out of its range differently from text that
  is no number at all.
- `paragraphs`: free text of several lines (a dilemma) tidied, its lines
  and paragraphs kept.
- `clean`: NUL and other control characters, the bidirectional embedding,
  override and isolate controls (U+202A–U+202E, U+2066–U+2069), and the
  renderers' private marks (see `bot.markup`) removed, so PostgreSQL never
  sees a NUL, no one can smuggle markup past the escaping, and no text shows
  other people its characters in another order than they were typed (a goal
  `gnp.exe` after U+202E reads `exe.png`). Right-to-left letters stay, and so
  do the marks U+200E, U+200F and U+061C, which only place neutral
  characters such as punctuation. The text is in Unicode NFC, so a name
  typed on a Mac (`O` + a combining diaeresis) is stored and compared as
  the same `Ö` everyone else types (`bot.names`).
- `capped`: a length limit where text is stored, with a clear message.
- `clean_inbound`: all of the above for one inbound event, at the core's door.
  What a person wrote is never cut to fit: a message longer than
  `MAX_MESSAGE` is refused whole at the door (`longest` says how long it
  was), and each answer or argument is checked against its own limit with
  its true length (a dialogue's text step, a command's argument).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from typing import overload

from bot.errors import UserError
from bot.markup import RESERVED
from bot.messages import Actor, Inbound, MessageRef

MAX_ID = 2**31 - 1  # the largest id an integer column holds
MAX_TEXT = 4000  # a typed line's number, a button's id and value
# The longest message or form field taken in (Slack's own limit for a
# message's text); a longer one is refused whole, never cut (`longest`).
MAX_MESSAGE = 40_000
MAX_NAME = 200  # a display name, an organisation or a program name
MAX_ANSWER = 1000  # a free-text answer or a nomination reason
# What `clean` drops besides control characters: the renderers' private marks,
# and the bidirectional controls that reorder what follows them.
_DROPPED = frozenset(RESERVED) | frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ASCII_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_SIGNED_DIGITS = re.compile(r"[+-]?[0-9]+", re.ASCII)


def parse_int(value: object, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """`value` as a whole number in [low, high], or None when it is not one
    (exactly: a button's value with a space in it is no value the bot wrote)."""
    text = str(value)
    if len(text) > 12 or not _ASCII_DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if low <= number <= high else None


def parse_whole(value: object) -> int | None:
    """`value` as a whole number (ASCII digits, an optional sign, up to a
    line's length, which `int()` reads safely), or None when it is not one."""
    text = str(value).strip()
    return int(text) if len(text) <= MAX_TEXT and _SIGNED_DIGITS.fullmatch(text) else None


@overload
def clean(text: str) -> str: ...
@overload
def clean(text: str | None) -> str | None: ...
def clean(text: str | None) -> str | None:
    """`text` without NUL, control characters (tabs and line breaks kept),
    bidirectional embeddings, overrides and isolates, and private marks, in
    Unicode NFC."""
    if not text:
        return text
    kept = "".join(
        ch for ch in text if ch in "\n\t" or (unicodedata.category(ch) not in ("Cc", "Cs") and ch not in _DROPPED)
    )
    return kept if kept.isascii() else unicodedata.normalize("NFC", kept)


def capped(text: str, limit: int, what: str) -> str:
    """`text` if it fits `limit` characters; otherwise a clear, localized
    refusal naming `what` (an argument name: `name`, `reason`), the same
    sentence the grammar gives for any argument that is too long."""
    if len(text) > limit:
        raise UserError("errors/too_long", argument=what, length=len(text), max=limit)
    return text


def _actor(actor: Actor) -> Actor:
    name, email = clean(actor.display_name), clean(actor.email)
    return replace(actor, display_name=name[:MAX_NAME] if name else None, email=email[:MAX_NAME] if email else None)


def longest(inbound: Inbound) -> int:
    """The length of the longest text a person wrote in the event: the
    message, or a form's field. Over `MAX_MESSAGE` the event is refused whole
    (`errors/message_too_long`), so what `clean_inbound` bounds is never a
    message cut short and taken as if it were whole."""
    lengths = [len(inbound.text or "")]
    for value in (inbound.values or {}).values():
        lengths += [len(str(v)) for v in value] if isinstance(value, tuple) else [len(str(value))]
    return max(lengths)


def clean_inbound(inbound: Inbound) -> Inbound:
    """The event with every string a person controls cleaned and bounded
    (a message or field over `MAX_MESSAGE` is refused before it is read: `longest`)."""
    values: dict[str, str | tuple[str, ...]] = {}
    for key, value in (inbound.values or {}).items():
        if isinstance(value, tuple):
            values[key] = tuple((clean(str(v)) or "")[:MAX_MESSAGE] for v in value)
        else:
            values[key] = (clean(str(value)) or "")[:MAX_MESSAGE]
    return replace(
        inbound,
        actor=_actor(inbound.actor),
        text=(clean(inbound.text) or "")[:MAX_MESSAGE],
        action_id=clean(inbound.action_id)[:MAX_TEXT] if inbound.action_id else inbound.action_id,
        value=(clean(inbound.value) or "")[:MAX_TEXT] if inbound.value is not None else None,
        values=values if inbound.values is not None else inbound.values,
        event_id=clean(inbound.event_id),
        message=_message(inbound.message),
    )


def _message(ref: MessageRef | None) -> MessageRef | None:
    """The clicked message's ids, cleaned too: they come from the request, and
    a lone surrogate in them could not be hashed or stored."""
    if ref is None:
        return None
    return replace(ref, conversation=clean(ref.conversation), message_id=clean(ref.message_id))


def paragraphs(text: str) -> str:
    """Typed text with its lines kept: spaces within a line made single,
    each line trimmed, blank lines between paragraphs made one, none at
    either end (`"  a  b \\n\\n\\n c "` -> `"a b\\n\\nc"`)."""
    tidy = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(tidy)).strip("\n")
