"""Cards across console sessions: the same rule for a bare number in every
session, and a way back to a card that came earlier.

A bare number presses that button of the newest card (`Chat.say`). A real
console session is one process, so without help the newest card would end
with it: a `1` typed in the next session, meant for the card last seen, was
a typed answer to the open question instead (a third-miss card's *Ask the
coordinator* stored as "1 year"). So the console keeps each person's newest
card in the database (`remember`) and shows it again when they start
(`from_before`), so its numbers answer it there too.

A card that others sent (an invitation, a nudge, the first meeting's
question) and that another card replaced can no longer be reached by its
numbers. `kort`/`cards` lists the cards still waiting (`waiting`: not
pressed at the console, the newest of each kind), `kort N` shows card N
again, and from then on its numbers answer it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from adapters.console import KEPT, Chat, keep_message
from adapters.console_render import card_ref, options, render_text, said
from bot import outbox
from bot.messages import Outbound
from bot.store.models import Reminder

NEWEST = "newest-card"  # the key's end of the row that holds a person's newest card
LISTED = 10  # at most this many cards in `kort`
_ASKED = re.compile(r"^(?:kort|cards?)(?:\s+(\d{1,3}))?$", re.IGNORECASE)


@dataclass(frozen=True)
class Waiting:
    """A card still waiting for its answer, and when it came."""

    message: Outbound
    at: datetime | None


def asked(line: str) -> tuple[bool, int | None]:
    """Whether the line is the console's `kort` (or `kort N`), and the N."""
    found = _ASKED.match(line.strip())
    if found is None:
        return False, None
    return True, int(found.group(1)) if found.group(1) else None


class Cards:
    """One console person's cards in the database."""

    def __init__(self, chat: Chat) -> None:
        self.chat = chat
        self.db = chat.core.db
        self.prefix = f"{KEPT}{chat.actor.user_id}:"
        self._remembered: str | None = None

    @property
    def _newest_key(self) -> str:
        return self.prefix + NEWEST

    async def _rows(self, session) -> list[Reminder]:
        return list(
            (
                await session.exec(
                    select(Reminder)
                    .where(col(Reminder.key) >= self.prefix, col(Reminder.key) < self.prefix[:-1] + ";")
                    .order_by(col(Reminder.id).desc())
                )
            ).all()
        )

    def _message(self, row: Reminder) -> Outbound | None:
        data = (row.context or {}).get("message")
        if not data or not data.get("card"):
            return None
        message = outbox.decode(data, self.chat.address)
        return message if options(message.card) and message.replace is None else None

    async def remember(self) -> None:
        """Keep the newest card (the one a bare number presses now) for the
        next session; none, when the last turn left none."""
        card = self.chat.newest_card()
        ref = card_ref(card) if card is not None else ""
        if ref == self._remembered:
            return
        async with self.db.write() as session:
            row = (await session.exec(select(Reminder).where(Reminder.key == self._newest_key))).first()
            if row is not None:
                await session.delete(row)
        if card is not None:
            await keep_message(self.db, self.chat.core.clock, self.chat.address, card, key=self._newest_key, seen=True)
        self._remembered = ref

    async def from_before(self) -> Outbound | None:
        """The newest card of this person's last session, if one was left."""
        async with self.db.read() as session:
            row = (await session.exec(select(Reminder).where(Reminder.key == self._newest_key))).first()
            message = self._message(row) if row is not None else None
        self._remembered = card_ref(message) if message is not None else ""
        return message

    async def waiting(self) -> list[Waiting]:
        """The cards still waiting, newest first: the newest card, then the
        cards others sent that were not pressed here, the newest of each
        kind (an older nudge is behind the newer one), at most `LISTED`."""
        async with self.db.read() as session:
            rows = await self._rows(session)
        rows.sort(key=lambda r: r.key != self._newest_key)  # the newest card first
        found: list[Waiting] = []
        refs: set[str] = set()
        kinds: set[str] = set()
        for row in rows:
            if (row.context or {}).get("answered"):
                continue
            message = self._message(row)
            if message is None or card_ref(message) in refs or (row.key != self._newest_key and message.kind in kinds):
                continue
            refs.add(card_ref(message))
            if row.key != self._newest_key:
                kinds.add(message.kind)
            found.append(Waiting(message, row.created_at))
            if len(found) == LISTED:
                break
        return found

    async def answered(self, card: Outbound) -> None:
        """A card pressed at the console is no longer listed as waiting."""
        ref = card_ref(card)
        async with self.db.write() as session:
            for row in await self._rows(session):
                message = self._message(row)
                if row.key != self._newest_key and message is not None and card_ref(message) == ref:
                    row.context = {**row.context, "answered": True}
                    session.add(row)


def first_line(message: Outbound, width: int = 72) -> str:
    """A card in one line, for the list."""
    line = next((s.strip() for s in render_text(message).splitlines() if s.strip() and not s.startswith("==")), "")
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def listing(locale: str, cards: list[Waiting]) -> str:
    """What `kort` shows: the waiting cards by number, or that there are none."""
    items = [(n, first_line(w.message), w.at.date() if w.at else None) for n, w in enumerate(cards, 1)]
    return said(locale, "cards", items=items)


def told_at_start(locale: str, count: int) -> str:
    """The line at start-up that says how many earlier cards wait."""
    return said(locale, "cards_waiting", count=count)
