"""The Home tab: a neutral card from the core, published with `views.publish`.

When someone opens the bot's Home tab the core is asked for its `home`
answer (an `Inbound` of kind OPENED). Until the core has a `home` command,
the tab shows what `status` says, which every participant can run; the
Slack-only footer says how to reach the commands.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from adapters.slack.render import home_view
from bot.commands.registry import COMMANDS
from bot.messages import Card, Inbound, Kind, Outbound, Text

OPENED = Kind.OPENED


def home_inbound(inbound: Inbound) -> Inbound:
    """What to ask the core for: its `home` when it has one, else `status`."""
    if ("home",) in COMMANDS:
        return replace(inbound, kind=Kind.OPENED)
    return replace(inbound, kind=Kind.COMMAND, text="status")


async def build(core, inbound: Inbound, locale: str) -> dict[str, Any]:
    messages = await core.view(home_inbound(inbound))
    shown = [m for m in messages if m.to is None and m.replace is None]
    blocks = []
    texts = []
    for message in shown:
        if message.text:
            texts.append(message.text)
        if message.card is not None:
            if texts:
                blocks.append(Text("\n\n".join(texts)))
                texts = []
            blocks.extend(message.card.blocks)
    footer = core.translator.render(locale, "slack/home_footer", command=core.config.slack.command)
    texts.append(footer)
    blocks.append(Text("\n\n".join(texts)))
    return home_view(Outbound(text="", card=Card(blocks=tuple(blocks))), locale)
