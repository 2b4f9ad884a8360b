"""Keeping what people type apart from the markup of our own templates.

Templates may format (`*bold*`, `[label](url)`); values from the data (names,
answers, reasons, organisation names) must never become a link, a mention or
formatting on any platform. The core stays platform-neutral: when a template
renders a plain string from the data, `bot.i18n` wraps it between two
invisible private-use characters (`mark`). Each renderer then turns the text
into its own markup with `convert`, escaping what is between the marks with
its one escaping function and dropping the marks; plain-text fields use
`strip_marks`. Input never carries the marks (`bot.inputs` strips them).

The bot's own reference to a channel (`channel_link`, the `channel_link`
template filter) is held between two more such characters, so it is neither
template markup nor a value: `convert` hands it to the renderer's `channel`
function (Slack makes it a channel link, `<#C0123>`) or, by default, shows it
as the plain, escaped text `#name`. Nobody can type one: input and values
lose these characters like the marks.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

OPEN, CLOSE = "\ue000", "\ue001"  # around a value from the data
_HOLD_OPEN, _HOLD_CLOSE = "\ue002", "\ue003"  # placeholders while a renderer converts its markup
_CHANNEL_OPEN, _CHANNEL_CLOSE = "\ue004", "\ue005"  # around the bot's own reference to a channel
RESERVED = OPEN + CLOSE + _HOLD_OPEN + _HOLD_CLOSE + _CHANNEL_OPEN + _CHANNEL_CLOSE
_SPAN = re.compile(f"{OPEN}([^{OPEN}{CLOSE}]*){CLOSE}")
# `conversation id|name` (the name may be empty); the id has no `|`, neither has any reserved character.
_CHANNEL = re.compile(f"{_CHANNEL_OPEN}([^|{RESERVED}]+)\\|([^{RESERVED}]*){_CHANNEL_CLOSE}")
_HOLD = re.compile(f"{_HOLD_OPEN}(\\d+){_HOLD_CLOSE}")
_RESERVED = re.compile(f"[{RESERVED}]")
_STRAY = re.compile(f"[{OPEN}{CLOSE}{_CHANNEL_OPEN}{_CHANNEL_CLOSE}]")  # left over once values and references are held
# Characters that mean something in Slack mrkdwn or Teams markdown (or start a URL).
_SPECIAL = set("*_~`<>&[]()|#\\!\n")
_ADDRESS = re.compile(r"(?i)://|www\.")


class Trusted(str):
    """Text our templates produced (or a formatted date/number): not wrapped again."""


def mark(value: str) -> str:
    """`value` from the data, marked as such (when it holds anything a
    renderer would read as markup; otherwise escaping would change nothing)."""
    value = _RESERVED.sub("", value)
    if not any(ch in _SPECIAL for ch in value) and not _ADDRESS.search(value):
        return value
    return f"{OPEN}{value}{CLOSE}"


def split_lines(text: str) -> list[str]:
    """The text's lines, each a whole text of its own: a value from the data
    that spans lines (a dilemma typed in paragraphs) is marked on each of its
    lines, so a renderer that takes a text line by line still escapes all of
    it (a line holding only half a mark would lose it, and its value would be
    read as markup)."""
    whole = _SPAN.sub(lambda m: OPEN + m.group(1).replace("\n", f"{CLOSE}\n{OPEN}") + CLOSE, text)
    return whole.split("\n")


def strip_marks(text: str) -> str:
    """The text with the marks removed: for plain-text fields and the console
    (a channel reference of ours as `#name`)."""
    if not text:
        return text
    return _RESERVED.sub("", _CHANNEL.sub(lambda m: "#" + (m.group(2) or m.group(1)), text))


Channel = Callable[[str, str], str]  # (conversation id, name or "") -> the renderer's text for it


def convert(
    text: str, template: Callable[[str], str], user: Callable[[str], str], channel: Channel | None = None
) -> str:
    """Apply `template` (the renderer's markup conversion) to our own text,
    `user` (its escaping function) to each marked value and `channel` to each
    channel reference of ours (by default the escaped text `#name`), and drop
    the marks. Values and references are held out while `template` runs, so
    it never sees (or escapes) them."""
    if not text:
        return text
    pieces: list[str] = []

    def hold(rendered: str) -> str:
        pieces.append(rendered)
        return f"{_HOLD_OPEN}{len(pieces) - 1}{_HOLD_CLOSE}"

    to_channel = channel or (lambda conversation, name: user("#" + (name or conversation)))
    shell = _SPAN.sub(lambda m: hold(user(m.group(1))), text.replace(_HOLD_OPEN, "").replace(_HOLD_CLOSE, ""))
    shell = _CHANNEL.sub(lambda m: hold(to_channel(m.group(1), m.group(2))), shell)
    shell = template(_STRAY.sub("", shell))
    return _HOLD.sub(lambda m: pieces[int(m.group(1))], shell)


def escape_marked(text: str, user: Callable[[str], str]) -> str:
    """Escape the marked values with `user`; the rest is left as it is."""
    return convert(text, lambda shell: shell, user)


def strip_all(value: Any) -> Any:
    """Every string in a JSON-like payload with its marks removed (a last
    pass, so no mark reaches a platform)."""
    if isinstance(value, str):
        return strip_marks(value)
    if isinstance(value, list):
        return [strip_all(v) for v in value]
    if isinstance(value, dict):
        return {k: strip_all(v) for k, v in value.items()}
    return value


# One of our own URLs (a calendar feed, a download): no space, no markup character.
_OWN_URL = re.compile(r"https?://[^\s\[\]()<>|*`]+")
# `[label](url)` in our own template text (`link`, the Teams file links).
LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^)\s]+)\)")


def link(url: str) -> str:
    """Our own URL as a link that keeps working on every platform: the
    template markup `[url](url)`, which Slack shows as `<url|url>`, Teams as
    a markdown link and the console as the bare URL, so it can be clicked or
    copied into a calendar. Only for a `Trusted` URL the bot made: anything
    else (a value from the data) comes back as it is, and is then marked and
    escaped like every value, never a link (the `link` template filter)."""
    if not isinstance(url, Trusted) or not _OWN_URL.fullmatch(url):
        return url
    return Trusted(f"[{url}]({url})")


def channel_link(conversation: str, name: str | None = None) -> str:
    """The bot's own reference to a conversation (`{{ channel | channel_link }}`,
    optionally with the channel's name for platforms that show text): Slack
    shows a channel link, Teams and the console `#name` (`convert`). Only for
    a `Trusted` id the bot has from the platform itself (the channel a signed
    command was run in): anything else comes back as it is, and is then
    marked and escaped like every value, never a link (as `link`)."""
    if not isinstance(conversation, Trusted) or not _CONVERSATION.fullmatch(conversation):
        return conversation
    return Trusted(f"{_CHANNEL_OPEN}{conversation}|{_RESERVED.sub('', name or '')}{_CHANNEL_CLOSE}")


# A conversation id as platforms write them (Slack C0123ABC, Teams 19:…@thread.tacv2): no space or markup.
_CONVERSATION = re.compile(r"[A-Za-z0-9][A-Za-z0-9:@._-]*")


def plain_links(shell: str) -> str:
    """`[label](url)` of our own text as plain text: the URL alone when the
    label is the URL, else `label (url)` (the console, plain-text fields)."""
    return LINK.sub(lambda m: m.group(2) if m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})", shell)


def break_urls(text: str) -> str:
    """A zero-width space after `://` and `www.`, so no client turns a typed
    address into a link."""
    return re.sub(r"(?i)(://|www\.)", lambda m: m.group(1)[0] + "\u200b" + m.group(1)[1:], text)
