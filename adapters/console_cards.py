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
pressed at the console, one of each that presses the same buttons, and
the question an open dialogue waits on), `kort N` shows card N again, and
from then on its numbers answer it.

A card's number in that list is its own (`NUMBERS`): given once, in the
order the cards came, kept for as long as the card waits, and never given
to another. So a number remembered from an earlier list shows that card or
says it no longer waits; it never shows whatever now stands at that place
in the list (the second trial's finding 1 registered someone for an event
they never chose that way).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from adapters.console import KEPT, Chat, keep_message
from adapters.console_render import card_ref, options, render_text, said
from bot import outbox
from bot.messages import Outbound
from bot.people import identity_of
from bot.store.models import Reminder, ReminderStatus

NEWEST = "newest-card"  # the key's end of the row that holds a person's newest card
NUMBERS = "card-numbers"  # the key's end of the row that holds the numbers given to a person's cards
LISTED = 10  # at most this many cards in `kort`
_ASKED = re.compile(r"^(?:kort|cards?)(?:\s+(\d{1,3}))?$", re.IGNORECASE)


@dataclass(frozen=True)
class Waiting:
    """A card still waiting for its answer, its number, and when it came."""

    message: Outbound
    at: datetime | None
    number: int = 0


def same_card(message: Outbound) -> str:
    """What makes two cards one in the list: the buttons they press (the
    checklist shown again after a tick, a newer nudge for the same pair);
    a card without buttons (a question that wants a typed answer) by what
    it says. Two checklists of two pairs press different buttons."""
    picks = options(message.card)
    if not picks:
        return card_ref(message)
    pressed = repr(sorted((p.action_id, p.value) for p in picks))
    return "press-" + hashlib.sha256(pressed.encode()).hexdigest()[:16]


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
        if message is not None and not await self.chat.still_waits(message):
            message = None  # answered since, or refused now (its program closed, its pair ended)
        self._remembered = card_ref(message) if message is not None else ""
        return message

    async def waiting(self, question: Outbound | None = None) -> list[Waiting]:
        """The cards still waiting, by their numbers: the cards others sent
        that were not pressed here, the newest card, and `question` (the one
        an open dialogue waits on), one of each that presses the same
        buttons, and of those only the ones that can still be answered
        (`Chat.still_waits`: a card whose program closed, whose pair ended,
        or that was answered by typing waits for nothing). A card seen for
        the first time gets the next number."""
        async with self.db.read() as session:
            rows = await self._rows(session)
        came: list[tuple[Outbound, datetime | None]] = []
        for row in reversed(rows):  # oldest first: they are numbered in the order they came
            message = self._message(row) if not (row.context or {}).get("answered") else None
            if message is not None and row.key != self._newest_key:
                came.append((message, row.created_at))
        newest = next((r for r in rows if r.key == self._newest_key), None)
        if newest is not None and (message := self._message(newest)) is not None:
            came.append((message, newest.created_at))
        if question is not None:
            came.append((question, None))
        found: dict[str, Waiting] = {}
        for message, at in reversed(came):  # the newest of the same card stands for it
            key = same_card(message)
            if key not in found:
                found[key] = Waiting(message, at)
        for key, waits in list(found.items()):  # the open dialogue's question waits; the others are tried
            if waits.message is not question and not await self.chat.still_waits(waits.message):
                del found[key]
        async with self.db.write() as session:
            book_row = (await session.exec(select(Reminder).where(Reminder.key == self._numbers_key))).first()
            book = dict((book_row.context or {}).get("numbers", {})) if book_row is not None else {}
            given = int((book_row.context or {}).get("given", 0)) if book_row is not None else 0
            for key in reversed(found):  # the oldest gets the lowest number
                if key not in book:
                    given += 1
                    book[key] = given
            numbers = {key: book[key] for key in found}  # a card that no longer waits keeps no number
            await self._keep_numbers(session, book_row, numbers, given)
        return sorted((Waiting(w.message, w.at, numbers[key]) for key, w in found.items()), key=lambda w: w.number)

    async def given(self) -> int:
        """The highest number given to this person's cards so far."""
        async with self.db.read() as session:
            row = (await session.exec(select(Reminder).where(Reminder.key == self._numbers_key))).first()
        return int((row.context or {}).get("given", 0)) if row is not None else 0

    @property
    def _numbers_key(self) -> str:
        return self.prefix + NUMBERS

    async def _keep_numbers(self, session, row: Reminder | None, numbers: dict[str, int], given: int) -> None:
        context = {"numbers": numbers, "given": given}
        if row is not None:
            if row.context != context:
                row.context = context
                session.add(row)
            return
        now = self.chat.core.clock.now()
        to = self.chat.address
        identity = await identity_of(session, str(to.platform), to.tenant, to.user or "")
        session.add(
            Reminder(
                key=self._numbers_key,
                kind=outbox.KIND,
                template=outbox.KIND,
                person_id=identity.person_id if identity else None,
                address=outbox.address_to_dict(to),
                context=context,
                due_at=now,
                sent_at=now,
                status=ReminderStatus.SENT,
                created_at=now,
            )
        )

    async def answered(self, card: Outbound) -> None:
        """A card pressed at the console is no longer listed as waiting,
        nor is any that presses the same buttons."""
        pressed = same_card(card)
        async with self.db.write() as session:
            for row in await self._rows(session):
                message = self._message(row)
                if row.key != self._newest_key and message is not None and same_card(message) == pressed:
                    row.context = {**row.context, "answered": True}
                    session.add(row)


def first_line(message: Outbound, width: int = 72) -> str:
    """A card in one line, for the list."""
    line = next((s.strip() for s in render_text(message).splitlines() if s.strip() and not s.startswith("==")), "")
    return line if len(line) <= width else line[: width - 1].rstrip() + "…"


def listing(locale: str, cards: list[Waiting], *, asked: int | None = None, gone: bool = False) -> str:
    """What `kort` shows: the waiting cards by their numbers, or that there
    are none; after `kort N` for no waiting card, first that card N no
    longer waits (`gone`: it had that number) or that there is no card N."""
    shown = cards[-LISTED:]  # the newest
    items = [(w.number, first_line(w.message), w.at.date() if w.at else None) for w in shown]
    return said(locale, "cards", items=items, asked=asked, gone=gone)


def told_at_start(locale: str, count: int) -> str:
    """The line at start-up that says how many earlier cards wait."""
    return said(locale, "cards_waiting", count=count)
