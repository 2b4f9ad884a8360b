"""A real console session (`mentorbot console`): one process per person,
several people taking turns on one database.

What others caused to be sent to this person while they were away was kept
for them (`adapters.console.ConsolePort(keep=...)`); `waiting` finds it, once.
After each turn, and at start-up, the session sends what the outbox has due
(a broadcast, a nudge) through the dispatcher, as `serve` would
(`Chat.deliver_due`), so it waits for its console recipients the same way.
Files that come with a message (an export, a report chart, a calendar) are
written into the session's folder (`save_files`) and shown by their path.
A bare number presses the newest card this person has seen: shown in this
session, or the newest of their last one, shown again at start
(`adapters.console_cards`); `kort`/`cards` brings back an earlier card.
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

from sqlmodel import col, select

from adapters.console import KEPT, Chat, told_text
from adapters.console_cards import Cards, asked, listing, same_card, told_at_start
from adapters.console_render import banner, render_text, said
from bot import outbox
from bot.messages import Outbound
from bot.people import reader_locale
from bot.private_files import private_folder, write_private
from bot.store.db import Database
from bot.store.models import Reminder

QUIT = ("quit", "exit", "avsluta")
FILES = "mentorbot-files"  # the default folder, beside an SQLite database


def safe_name(filename: str) -> str:
    """A file name that stays inside the folder: no separators, no leading
    dot (a program's name, part of an export's name, was typed by someone)."""
    name = re.sub(r"[^\w.\- ]", "-", filename).strip(". ")
    return name or "file"


def save_files(message: Outbound, folder: Path) -> list[Path]:
    """Write each file of `message` into `folder`; a name already taken gets
    a suffix (`report-2.png`), so an earlier file is never overwritten."""
    saved: list[Path] = []
    for item in message.files:
        name = Path(safe_name(item.filename))
        for n in range(1, 10_000):
            path = folder / (name.name if n == 1 else f"{name.stem}-{n}{name.suffix}")
            try:
                write_private(path, item.data)  # exclusive: fails if it exists, even under a race
            except FileExistsError:
                continue
            saved.append(path)
            break
    return saved


def show(message: Outbound, folder: Path | None) -> None:
    """Print a message; with a folder, its files are saved there first and
    shown by their path."""
    if folder is not None and message.files:
        private_folder(folder)
        print(render_text(message, save_files(message, folder)))
    else:
        print(render_text(message))


async def waiting(db: Database, chat: Chat) -> list[Outbound]:
    """What others caused to be sent to this console person and they have not
    seen yet, oldest first; from now on it counts as seen. A message that
    `forget` erased (it named the person who left: its context is emptied)
    is skipped: nothing of it is left to show, not even that it was there."""
    prefix = f"{KEPT}{chat.actor.user_id}:"
    async with db.write() as session:
        rows = (
            await session.exec(
                select(Reminder)
                .where(col(Reminder.key) >= prefix, col(Reminder.key) < prefix[:-1] + ";")
                .order_by(col(Reminder.id))
            )
        ).all()
        unseen = [r for r in rows if r.context and r.context.get("message") and not r.context.get("seen")]
        # Decoded before they count as seen: a message that cannot be shown stays unseen.
        messages = [outbox.decode(r.context["message"], chat.address) for r in unseen]
        for row in unseen:
            row.context = {**row.context, "seen": True}
            session.add(row)
    return messages


async def show_waiting(chat: Chat, files: Path | None = None) -> list[Outbound]:
    """Print what waited for this person (`waiting`) and return it."""
    arrived = await waiting(chat.core.db, chat)
    for message in arrived:
        show(message, files)
    return arrived


async def catch_up(chat: Chat, files: Path | None = None, *, caused_after: int) -> list[Outbound]:
    """Send what the outbox has due, print what this person's last turn sent
    to others ("→ Anna: …": the rows made after `caused_after`; the rest was
    not theirs, and waits for its reader) and what waits for this person;
    returns the latter (a card among it is the newest one shown, so its
    numbers answer it)."""
    for name, message in await chat.deliver_due(caused_after=caused_after):
        print(told_text(name, message))
    return await show_waiting(chat, files)


async def start(chat: Chat, cards: Cards, locale: str, files: Path | None = None) -> None:
    """What a session opens with: what waited for this person; else the
    newest card of their last session, shown again (its numbers answer it,
    as they did then); else the question an open dialogue waits on (an
    intake left halfway); and how many earlier cards still wait (`kort`)."""
    arrived = await catch_up(chat, files, caused_after=await chat.newest_row())  # others' rows are not shown
    before = await cards.from_before()
    question = await chat.open_question()
    chat.last = arrived
    if chat.newest_card() is None and before is not None:
        print(said(locale, "shown_again"))
        show(before, files)
        chat.last = [before]
    elif not arrived and question is not None:
        print(said(locale, "question_again"))
        show(question, files)
        chat.last = [question]
    await cards.remember()
    shown = {same_card(m) for m in chat.last}
    earlier = [w for w in await cards.waiting(question) if same_card(w.message) not in shown]
    if earlier:
        print(told_at_start(locale, len(earlier)))


async def show_card(chat: Chat, cards: Cards, locale: str, number: int | None, files: Path | None = None) -> None:
    """`kort`: the cards still waiting, by their numbers; `kort N`: card N
    again, the newest card from now on (its numbers answer it). A number
    that no waiting card has shows the list, saying that card N no longer
    waits or that there is no card N: never another card."""
    found = await cards.waiting(await chat.open_question())
    card = next((w.message for w in found if w.number == number), None)
    if card is None:
        gone = number is not None and 1 <= number <= await cards.given()
        print(listing(locale, found, asked=number, gone=gone))
        return
    show(card, files)
    chat.last = [card]
    await cards.remember()


async def repl(
    chat: Chat, files: Path | None = None
) -> None:  # pragma: no cover - interactive (tests run it as a process)
    """Read lines from the terminal until EOF or `quit`; files go into `files`."""
    cards = Cards(chat)
    locale = await reader_locale(chat.core.db, chat.actor, chat.core.config)
    print(banner(locale, chat.name))
    await start(chat, cards, locale, files)
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, lambda: input("> "))
        if line.strip().lower() in QUIT:
            return
        if not line.strip():  # an empty line (Enter pressed twice) says nothing: no help text, no answer
            continue
        arrived = await show_waiting(chat, files)  # sent by another console session meanwhile
        is_cards, number = asked(line)
        if is_cards:
            before = chat.last
            await show_card(chat, cards, await reader_locale(chat.core.db, chat.actor, chat.core.config), number, files)
            if chat.last is before:
                chat.last = before + arrived
        else:
            await typed(chat, cards, line, arrived, files)
        await cards.remember()
        sys.stdout.flush()


async def typed(chat: Chat, cards: Cards, line: str, arrived: list[Outbound], files: Path | None) -> None:
    """One line for the core. `arrived`: what another console session sent
    while the line was typed, shown just now: the line was not meant for it
    (a number in it is for the card seen before), but its card is the newest
    once the line is handled, unless the line's own replies bring one."""
    before = chat.last
    mark = await chat.newest_row()
    replies = await chat.say(line)
    if chat.pressed is not None:
        await cards.answered(chat.pressed)
    for message in replies:
        show(message, files)
    for name, message in chat.told:
        print(told_text(name, message))
    if chat.last is before:
        chat.last = before + arrived
    chat.last = chat.last + await catch_up(chat, files, caused_after=mark)  # what this turn queued leaves now
