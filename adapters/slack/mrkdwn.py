"""Template text and values from the data -> Slack mrkdwn.

Template text is light Markdown (`**bold**`, `[label](url)`); values from
the data arrive marked (`bot.markup`) and pass through `slack_escape`, the
one escaping function for them (no link, mention, channel ping or
formatting). The bot's own reference to a channel
(`bot.markup.channel_link`) is the one channel link a message can hold
(`<#C0123>`); it is never taken from text.
"""

from __future__ import annotations

import re

from bot.markup import break_urls, convert

_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)


_FORMATTING = re.compile(r"([*_~`])")


def _escape_entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_escape(value: str) -> str:
    """A value from the data as literal mrkdwn: `&`, `<`, `>` as entities (no
    link, mention or channel ping), formatting characters kept apart from
    their neighbours by zero-width spaces, typed addresses not linked."""
    return break_urls(_FORMATTING.sub("\u200b\\1\u200b", _escape_entities(value)))


# A Slack channel id (public C…, private G…): the only conversation a `<#…>` link is made for.
_SLACK_CHANNEL = re.compile(r"[CG][A-Z0-9]{2,}")


def _channel_link(conversation: str, name: str) -> str:
    """The bot's own channel reference as a Slack channel link, which Slack
    shows with the channel's current name; any other id as escaped text."""
    if _SLACK_CHANNEL.fullmatch(conversation):
        return f"<#{conversation}>"
    return slack_escape("#" + (name or conversation))


def _template_mrkdwn(text: str) -> str:
    escaped = _BOLD.sub(r"*\1*", _escape_entities(text))
    return _LINK.sub(lambda m: f"<{m.group(2).replace('&amp;', '&')}|{m.group(1)}>", escaped)


def mrkdwn(text: str) -> str:
    """Template text (light Markdown) -> Slack mrkdwn: `&`, `<`, `>` escaped,
    `**bold**` -> `*bold*`, `[label](url)` -> `<url|label>`, our own channel
    references -> `<#C…>`; values from the data through `slack_escape`."""
    if not text:
        return ""
    return convert(text, _template_mrkdwn, slack_escape, _channel_link)
