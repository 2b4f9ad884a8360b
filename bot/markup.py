"""Keeping what people type apart from the markup of our own templates.

Templates may format (`*bold*`, `[label](url)`); values from the data (names,
answers, reasons, organisation names) must never become a link, a mention or
formatting on any platform. The core stays platform-neutral: when a template
renders a plain string from the data, `bot.i18n` wraps it between two
invisible private-use characters (`mark`). Each renderer then turns the text
into its own markup with `convert`, escaping what is between the marks with
its one escaping function and dropping the marks; plain-text fields use
`strip_marks`. Input never carries the marks (`bot.inputs` strips them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

OPEN, CLOSE = "\ue000", "\ue001"  # around a value from the data
_HOLD_OPEN, _HOLD_CLOSE = "\ue002", "\ue003"  # placeholders while a renderer converts its markup
RESERVED = OPEN + CLOSE + _HOLD_OPEN + _HOLD_CLOSE
_SPAN = re.compile(f"{OPEN}([^{OPEN}{CLOSE}]*){CLOSE}")
_HOLD = re.compile(f"{_HOLD_OPEN}(\\d+){_HOLD_CLOSE}")
_RESERVED = re.compile(f"[{RESERVED}]")
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


def strip_marks(text: str) -> str:
    """The text with the marks removed: for plain-text fields and the console."""
    return _RESERVED.sub("", text) if text else text


def convert(text: str, template: Callable[[str], str], user: Callable[[str], str]) -> str:
    """Apply `template` (the renderer's markup conversion) to our own text
    and `user` (its escaping function) to each marked value, and drop the marks."""
    if not text:
        return text
    values: list[str] = []

    def hold(match: re.Match) -> str:
        values.append(match.group(1))
        return f"{_HOLD_OPEN}{len(values) - 1}{_HOLD_CLOSE}"

    shell = _SPAN.sub(hold, text.replace(_HOLD_OPEN, "").replace(_HOLD_CLOSE, ""))
    shell = template(shell.replace(OPEN, "").replace(CLOSE, ""))
    return _HOLD.sub(lambda m: user(values[int(m.group(1))]), shell)


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


def plain_links(shell: str) -> str:
    """`[label](url)` of our own text as plain text: the URL alone when the
    label is the URL, else `label (url)` (the console, plain-text fields)."""
    return LINK.sub(lambda m: m.group(2) if m.group(1) == m.group(2) else f"{m.group(1)} ({m.group(2)})", shell)


def break_urls(text: str) -> str:
    """A zero-width space after `://` and `www.`, so no client turns a typed
    address into a link."""
    return re.sub(r"(?i)(://|www\.)", lambda m: m.group(1)[0] + "\u200b" + m.group(1)[1:], text)
