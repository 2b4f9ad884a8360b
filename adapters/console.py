"""The console adapter: chat with the real core and the real database in a
terminal, and the in-process test harness.

    chat = Chat(core, port, "Anna")
    replies = await chat.say("program show")
    await chat.click("invite.join", "3")      # a button on a card
    await chat.choose(2)                      # option 2 of the last card

Cards are shown as numbered choices; typing a bare number presses that
button of the newest card, until another card replaces it (`replaces_card`);
a number the card has no button for is typed text (a question that waits
for a typed number shows no numbered buttons). A real console session keeps
the newest card for the next one (`adapters.console_cards`).
Messages to other people land in `ConsolePort.inbox[user]`, and the session
that caused them shows each as "→ Anna: …" (`Chat.told`). A real console
session (`mentorbot console`) is one process per person, so its port also
keeps every message to a console person in the database (`keep=`): whoever
opens the console later sees what is waiting for them
(`adapters.console_session.waiting`). The chat's dispatcher sends what the
outbox has due the same way (`Chat.deliver_due`). A message to someone on
Slack or Teams stays in the outbox, where `serve` sends it.
"""

from __future__ import annotations

import itertools
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import sqlalchemy as sa

from adapters.console_render import Pick, card_ref, options, render_text, replaces_card
from bot import outbox
from bot.core import Core
from bot.inputs import parse_int
from bot.messages import (
    Actor,
    Address,
    Inbound,
    Kind,
    MessageRef,
    Outbound,
    Platform,
    Sent,
    Where,
)
from bot.people import identity_of, names_behind
from bot.ports import Delivery, DeliveryError
from bot.reminders.store import run
from bot.store.db import Database
from bot.store.models import Reminder, ReminderStatus
from bot.store.rows import table_of
from scheduler.dispatcher import Dispatcher
from scheduler.fastpath import send_turn

TENANT = "local"
OUTBOX = table_of(Reminder)


def user_id(name: str) -> str:
    """The console identity of `--as NAME`: one for the same visible name,
    whichever Unicode form the terminal gave (`bot.names`)."""
    return unicodedata.normalize("NFC", name.strip()).lower().replace(" ", ".")


_presses = itertools.count(1)


KEPT = outbox.KEPT_COPY  # key prefix of messages kept for a console person
# How long a due outbox row for someone on Slack or Teams waits after the
# console's dispatcher has looked at it (`serve` sends it meanwhile); more
# than nothing, so one tick never claims the same row twice.
LEFT_FOR_SERVE_S = 60.0


class Elsewhere:
    """The console's stand-in port for Slack and Teams: it sends nothing, and
    the row goes back to the outbox unsent, no attempt used, for `serve`."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    async def send(self, to: Address, message: Outbound) -> Sent:
        raise DeliveryError("not reachable from the console; serve sends it", retry_after=LEFT_FOR_SERVE_S)

    async def update(self, ref: MessageRef, message: Outbound) -> None:
        raise DeliveryError("not reachable from the console; serve sends it", retry_after=LEFT_FOR_SERVE_S)


class ConsolePort:
    """The console's outbound port: records every message by recipient, and
    with `keep` (a database) also keeps DMs for people not at this console."""

    platform = Platform.CONSOLE

    def __init__(self, keep: Database | None = None, clock=None) -> None:
        self.inbox: dict[str, list[Outbound]] = defaultdict(list)
        self.channels: dict[str, list[Outbound]] = defaultdict(list)
        self.sent: list[tuple[Address, Outbound]] = []
        self._ids = itertools.count(1)
        self.keep, self.clock = keep, clock

    async def send(self, to: Address, message: Outbound) -> Sent:
        self.sent.append((to, message))
        if to.where == Where.DM and to.user:
            self.inbox[to.user].append(message)
            conversation = f"dm:{to.user}"
            if self.keep is not None:
                await keep_message(self.keep, self.clock, to, message)
        else:
            conversation = to.conversation or "channel"
            self.channels[conversation].append(message)
        return Sent(MessageRef(Platform.CONSOLE, conversation, str(next(self._ids))))

    async def update(self, ref: MessageRef, message: Outbound) -> None:
        """Printed lines cannot change: the new words are shown anew where the
        message they update was (a person's DM: their inbox, and kept for
        them when they are not at this console)."""
        user = ref.conversation.removeprefix("dm:") if ref.conversation.startswith("dm:") else None
        to = Address(Platform.CONSOLE, TENANT, ref.conversation, user, Where.DM if user else Where.CHANNEL)
        self.sent.append((to, message))
        if user:
            self.inbox[user].append(message)
            if self.keep is not None:
                await keep_message(self.keep, self.clock, to, message)
        else:
            self.channels[ref.conversation].append(message)


@dataclass
class Chat:
    """One person at the console, talking to the real core."""

    core: Core
    port: ConsolePort
    name: str
    where: Address | None = None
    last: list[Outbound] = field(default_factory=list)
    # What the last turn sent to other people: (their name, the message).
    told: list[tuple[str, Outbound]] = field(default_factory=list)
    # The card the last line pressed by its number (None: it pressed none).
    pressed: Outbound | None = None
    _recording: object = field(default=None, repr=False, compare=False)

    @property
    def actor(self) -> Actor:
        return Actor(Platform.CONSOLE, TENANT, user_id(self.name), display_name=self.name)

    @property
    def address(self) -> Address:
        return self.where or Address(Platform.CONSOLE, TENANT, f"dm:{user_id(self.name)}", user_id(self.name))

    async def _send(self, inbound: Inbound) -> list[Outbound]:
        out = await self.core.handle(inbound)
        replies: list[Outbound] = []
        self.told = []

        def mine(message: Outbound) -> bool:
            return message.to is None or (message.to.user == self.actor.user_id and message.to.where == Where.DM)

        names = await recipient_names(self.core.db, [m.to for m in out if not mine(m) and m.to is not None])

        async def send(message: Outbound) -> Sent:
            if message.shows_answered and message.replace is not None:  # printed lines cannot change
                return Sent(message.replace)
            if message.to is None or mine(message):
                replies.append(message)
                return Sent(MessageRef(Platform.CONSOLE, f"dm:{self.actor.user_id}", str(len(replies))))
            self.told.append((names[message.to], message))
            if message.to.platform != Platform.CONSOLE:  # someone on Slack or Teams: `serve` sends it
                raise DeliveryError("not reachable from the console", retry_after=0.0)
            if message.replace is not None:  # a message of theirs, updated
                await self.port.update(message.replace, message)
                return Sent(message.replace)
            return await self.port.send(message.to, message)

        await send_turn(self._dispatcher(), out, send)
        if replaces_card(inbound, replies):
            self.last = replies
        return replies

    def _dispatcher(self):
        """Records this chat's sends in the outbox (as the server's adapters
        do), and sends what the outbox has due (`deliver_due`)."""
        if self._recording is None:
            ports = {Platform.CONSOLE: self.port, Platform.SLACK: Elsewhere(Platform.SLACK)}
            ports[Platform.TEAMS] = Elsewhere(Platform.TEAMS)
            self._recording = Dispatcher(
                self.core.db, Delivery(ports), self.core.clock, self.core.config, worker=self.core.worker
            )
        return self._recording

    async def deliver_due(self, *, caused_after: int | None = None) -> list[tuple[str, Outbound]]:
        """Send the outbox rows that are due (a broadcast, a nudge) as `serve`
        does, through the dispatcher: to a console person by this port, which
        keeps it until they open the console; rows for Slack or Teams stay for
        `serve`. Returns what went to others, by name (this person's own come
        through `waiting`); with `caused_after` (`newest_row`, read before
        this person's turn) only the rows that turn made: a nudge or digest
        that fell due meanwhile is not theirs to see."""
        before = len(self.port.sent)
        await self._dispatcher().tick()
        sent = [
            (to, message)
            for to, message in self.port.sent[before:]
            if message.replace is None
            and not (to.where == Where.DM and to.user == self.actor.user_id)
            and (caused_after is None or (message.outbox is not None and message.outbox.id > caused_after))
        ]
        names = await recipient_names(self.core.db, [to for to, _ in sent])
        return [(names[to], message) for to, message in sent]

    async def newest_row(self) -> int:
        """The id of the newest outbox row: rows made after it were made since."""
        async with self.core.db.read() as session:
            return (await run(session, sa.select(sa.func.coalesce(sa.func.max(OUTBOX.c.id), 0)))).scalar_one()

    async def say(self, text: str, *, event_id: str | None = None) -> list[Outbound]:
        """Type a line. A bare number picks that option of the newest card
        (`newest_card`), when it has one of that number; anything else is typed."""
        self.pressed = None
        stripped = text.strip()
        number = parse_int(stripped, low=1, high=len(self._picks(self.last)))
        if number is not None:
            return await self.choose(number, self.last)
        return await self._send(Inbound(self.actor, self.address, Kind.TEXT, text=text, event_id=event_id))

    async def open_question(self) -> Outbound | None:
        """The question this person's open dialogue waits on (an intake left
        halfway), as it asks it; nothing is sent or written."""
        return await self.core.open_question(Inbound(self.actor, self.address, Kind.TEXT, text=""))

    async def command(self, text: str) -> list[Outbound]:
        """The same as a slash command (`/mentor text`)."""
        return await self._send(Inbound(self.actor, self.address, Kind.COMMAND, text=text))

    async def click(
        self, action_id: str, value: str = "", *, event_id: str | None = None, on: Outbound | None = None
    ) -> list[Outbound]:
        """Press a button. `on` is the card it is on (pressing the same button
        of the same card twice is a double click); without it, a card of its own."""
        card_id = card_ref(on) if on is not None else f"click-{next(_presses)}"
        return await self._send(
            Inbound(
                self.actor,
                self.address,
                Kind.ACTION,
                action_id=action_id,
                value=value,
                event_id=event_id,
                message=MessageRef(Platform.CONSOLE, self.address.conversation or "", card_id),
            )
        )

    async def submit(self, action_id: str, values: dict) -> list[Outbound]:
        return await self._send(Inbound(self.actor, self.address, Kind.FORM, action_id=action_id, values=values))

    def _card(self, source: list[Outbound] | None = None) -> Outbound | None:
        candidates = source if source is not None else self.port.inbox.get(self.actor.user_id, [])[-1:] + self.last
        for message in reversed(candidates):
            if options(message.card):
                return message
        return None

    def newest_card(self) -> Outbound | None:
        """The card whose numbers a bare number presses now."""
        return self._card(self.last)

    def _picks(self, source: list[Outbound] | None = None) -> list[Pick]:
        card = self._card(source)
        return options(card.card) if card is not None else []

    async def choose(self, number: int, source: list[Outbound] | None = None) -> list[Outbound]:
        card = self._card(source)
        picks = options(card.card) if card is not None else []
        if not 1 <= number <= len(picks):
            raise ValueError(f"no option {number}; the card has {len(picks)}")
        pick = picks[number - 1]
        self.pressed = card
        return await self.click(pick.action_id, pick.value, on=card)

    async def still_waits(self, card: Outbound) -> bool:
        """Whether a card that came earlier can still be answered: its first
        button (what it asks: Yes, I'm coming, join) would be taken now, not
        refused as stale (`Core.would_take`; nothing is pressed)."""
        picks = options(card.card)
        if not picks:
            return True
        ref = MessageRef(Platform.CONSOLE, self.address.conversation or "", card_ref(card))
        first = Inbound(self.actor, self.address, Kind.ACTION, action_id=picks[0].action_id, value=picks[0].value)
        return await self.core.would_take(replace(first, message=ref))

    def inbox(self) -> list[Outbound]:
        """Messages others caused to be sent to this person (and clears them)."""
        messages = list(self.port.inbox.get(self.actor.user_id, []))
        self.port.inbox[self.actor.user_id] = []
        return messages


def told_text(name: str, message: Outbound) -> str:
    """A message to someone else, as the session that caused it shows it."""
    return f"→ {name}: " + render_text(message).replace("\n", "\n    ")


async def recipient_names(db: Database, addresses: Sequence[Address]) -> dict[Address, str]:
    """Who messages went to, by name (a channel by its id; someone the bot
    does not know by their user id): the people of a whole turn, an
    announcement to every pair, in one read."""
    names = {to: f"#{to.conversation or '?'}" for to in addresses if to.where != Where.DM or not to.user}
    people = {to: (str(to.platform), to.tenant, to.user or "") for to in addresses if to not in names}
    if people:
        async with db.read() as session:
            known = await names_behind(session, set(people.values()))
        names.update((to, known.get(key, key[2])) for to, key in people.items())
    return names


async def keep_message(
    db: Database, clock, to: Address, message: Outbound, *, key: str | None = None, seen: bool = False
) -> None:
    """Keep a console person's message until they open the console (`seen`:
    one they have seen, kept under `key` for `adapters.console_cards`)."""
    if clock is None:
        raise ValueError("keeping a console message needs the port's clock (ConsolePort(keep=db, clock=...))")
    now = clock.now()
    async with db.write() as session:
        identity = await identity_of(session, str(to.platform), to.tenant, to.user or "")
        session.add(
            Reminder(
                key=key or f"{KEPT}{to.user}:{uuid.uuid4().hex}",
                kind=outbox.KIND,
                template=message.kind or outbox.KIND,
                person_id=identity.person_id if identity else None,
                address=outbox.address_to_dict(to),
                context={"message": outbox.encode(message), "seen": seen},
                due_at=now,
                sent_at=now,
                status=ReminderStatus.SENT,
                created_at=now,
            )
        )


async def setup_person(core: Core, chat: Chat, *, org: str | None = None, coordinator: bool = False) -> None:
    """Console start-up: the person's organisation and, if asked, coordinator
    rights (the console is local, so whoever runs it owns the database)."""
    from sqlmodel import select

    from bot.people import person_for_actor
    from bot.programs import org_name, organisation_named
    from bot.store.models import AuditLog, Coordinator, Organisation

    async with core.db.write() as session:
        person, _ = await person_for_actor(session, chat.actor, core.clock.now())
        if org:
            found = await organisation_named(session, org)  # `--org "solna stad"` is Solna stad
            if found is None:
                found = Organisation(name=org_name(org))
                session.add(found)
                await session.flush()
            person.organisation_id = found.id
            session.add(person)
        if (
            coordinator
            and not (await session.exec(select(Coordinator).where(Coordinator.key == chat.actor.key))).first()
        ):
            session.add(Coordinator(key=chat.actor.key, added_by="console", created_at=core.clock.now()))
            session.add(
                AuditLog(
                    at=core.clock.now(),
                    actor=chat.actor.key,
                    action="coordinator add",
                    detail={"via": "console --coordinator"},
                )
            )
