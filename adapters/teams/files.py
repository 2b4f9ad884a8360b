"""Files in Teams: a bot cannot put a file into a chat without the person's
consent card flow, so a message's files (an export, a chart, an .ics) are
offered as short-lived signed download links served by `mentorbot serve`
(`adapters/downloads.py`); the links are added to the message's text, and a
picture is also shown in the card (Teams fetches it from the link)."""

from __future__ import annotations

from dataclasses import replace

from bot.links import share_file
from bot.markup import Trusted
from bot.messages import Card, Image, Outbound, Text


class FileLinks:
    def __init__(self, runtime):
        self.runtime = runtime

    async def as_links(self, message: Outbound) -> Outbound:
        """`message` with its files turned into download links in the text."""
        if not message.files:
            return message
        runtime = self.runtime
        server = runtime.config.server
        # The file is the reader's (their `mydata`, their export): recorded as
        # theirs, so `forget` and `leave` delete it before the link expires.
        reader = message.outbox.reader if message.outbox is not None else None
        async with runtime.db.write() as session:
            # Our own signed links, not user text: trusted, so no renderer breaks them.
            links = [
                (
                    item.title or item.filename,
                    item.filename,
                    Trusted(
                        await share_file(
                            session, item, reader, runtime.clock.now(), server.base_url, server.link_secret
                        )
                    ),
                )
                for item in message.files
            ]
        locale = message.locale or runtime.config.bot.locale
        # The message's text is already rendered (its own values marked inside).
        text = runtime.core.translator.render(locale, "teams/file_links", text=Trusted(message.text), links=links)
        # Pictures (a report's chart) are shown in a card as well, from the same link.
        images = tuple(
            Image(url, title)
            for (title, _, url), item in zip(links, message.files)
            if item.media_type.startswith("image/")
        )
        card = message.card
        if images:
            card = Card(
                (*(card.blocks if card else (Text(text),)), *images),
                card.submit_id if card else None,
                card.submit_label if card else None,
            )
        return replace(message, text=text, card=card, files=())
