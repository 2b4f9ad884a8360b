"""The neutral vocabulary every adapter speaks with the core.

Inbound events come from a person somewhere (a DM, a channel, a group chat);
outbound messages are text with an optional card made of a small set of
blocks. Adapters render cards for their platform (Block Kit, Adaptive Cards,
numbered console choices); an action coming back carries the same ids on every
platform. Nothing here knows about Slack or Teams.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Platform(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"
    CONSOLE = "console"


class Where(StrEnum):
    """The kind of conversation a message arrived in or is sent to."""

    DM = "dm"
    CHANNEL = "channel"
    GROUP = "group"


@dataclass(frozen=True)
class Actor:
    """A person as a platform knows them; profile fields are hints for prefill."""

    platform: Platform
    tenant: str  # Slack team id, Teams tenant id, "local" for the console
    user_id: str
    display_name: str | None = None
    email: str | None = None
    locale: str | None = None  # platform locale, e.g. "sv-SE"
    timezone: str | None = None

    @property
    def key(self) -> str:
        """The stable identity key, also used in `bot.coordinators`."""
        return f"{self.platform}:{self.tenant}:{self.user_id}"


@dataclass(frozen=True)
class Address:
    """Where a message goes: a person's DM, a channel or a group chat.

    `ref` is an opaque platform string (a Teams conversation reference as JSON,
    for instance) that the adapter stored and can use for a later send.
    """

    platform: Platform
    tenant: str
    conversation: str | None = None  # channel / chat id; None = open a DM with `user`
    user: str | None = None
    where: Where = Where.DM
    thread: str | None = None
    ref: str | None = None


@dataclass(frozen=True)
class MessageRef:
    """A message a platform already shows, so it can be updated later."""

    platform: Platform
    conversation: str
    message_id: str


# --------------------------------------------------------------------- cards


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Fields:
    """Label/value pairs shown side by side where the platform can."""

    items: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Button:
    action_id: str
    label: str
    value: str = ""
    style: str | None = None  # None, "primary" or "danger"


@dataclass(frozen=True)
class Buttons:
    buttons: tuple[Button, ...]


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class Choice:
    """A single or multi choice; submitting it sends an Action with `action_id`."""

    action_id: str
    label: str
    options: tuple[Option, ...]
    multi: bool = False
    selected: tuple[str, ...] = ()


@dataclass(frozen=True)
class Input:
    """A text input inside a form card; submitted with the card's submit button."""

    input_id: str
    label: str
    placeholder: str = ""
    multiline: bool = False
    initial: str = ""


@dataclass(frozen=True)
class Image:
    """A picture at a URL the reader's client can fetch (a report's chart in
    Teams, behind its download link); shown as its `alt` text where a platform
    cannot show pictures."""

    url: str
    alt: str


Block = Heading | Text | Fields | Buttons | Choice | Input | Image


@dataclass(frozen=True)
class Card:
    blocks: tuple[Block, ...]
    # For a card with Input blocks: the action id its submit button sends.
    submit_id: str | None = None
    submit_label: str | None = None


# ------------------------------------------------------------------ inbound


class Kind(StrEnum):
    TEXT = "text"  # a typed message (DM, mention with the mention stripped)
    COMMAND = "command"  # a slash command; text is what follows the command name
    ACTION = "action"  # a button click or a choice made on a card
    FORM = "form"  # a card's inputs submitted together
    OPENED = "opened"  # the bot's home / a personal install was opened


@dataclass(frozen=True)
class InPlace:
    """A platform's handle for answering where the person spoke, given with
    the inbound (Slack's `response_url`): opaque to the core, good until
    `expires_at` and for at most `uses` answers. The replies that may use it
    carry it in their outbox row (the address's `ref`); whoever sends such a
    row uses it while it is good and the person's DM once it is not."""

    ref: str
    expires_at: datetime
    uses: int


@dataclass(frozen=True)
class Inbound:
    actor: Actor
    where: Address  # where it happened; replies go here
    kind: Kind
    text: str = ""
    action_id: str | None = None
    value: str | None = None
    values: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict)
    event_id: str | None = None  # platform id for dedupe of retries
    message: MessageRef | None = None  # the card that was clicked, if any
    in_place: InPlace | None = None  # how to answer in place, while it lasts

    def facts(self) -> str:
        """What a log line may say about the event: its kind, action, platform
        and request id, never who sent it or what they wrote."""
        return f"{self.kind.value} action={self.action_id!r} on {self.where.platform.value} request={self.event_id!r}"


# ----------------------------------------------------------------- outbound


@dataclass(frozen=True)
class OutboxRef:
    """The outbox row a message was written to in the turn that decided it:
    its id and unique key, and the address the dispatcher sends it to if the
    adapter's send right after the commit does not happen (a crash, a 429)."""

    id: int
    key: str
    address: Address
    # The one person it is for (the row's `person_id`), when there is one:
    # what is made for them on its way out (a download link) is theirs, so
    # `forget` and `leave` can find it.
    reader: int | None = None


@dataclass(frozen=True)
class Attachment:
    """A file that goes with a message (a report chart, an export, an .ics).

    `data` holds the bytes; adapters upload it where the platform takes files
    (Slack) or offer it another way (Teams: a consent card or a short-lived
    signed link). Renderers that cannot show a file name it in the text."""

    filename: str
    media_type: str
    data: bytes = b""
    title: str = ""


@dataclass(frozen=True)
class Outbound:
    """A message the core wants shown.

    The renderer contract (every adapter keeps it):
    - `text` is the notification and the fallback: what a push notification,
      a screen reader's summary or a client without cards shows.
    - `card`, when there is one, is the body: everything the person reads and
      clicks is in its blocks, so a renderer shows the card's blocks and not
      `text` above them. The core puts the question, the notes and the answer
      options of a message into its card.
    - Each renderer shows each piece once: no block is rendered twice, and a
      fallback made from the card does not repeat `text` next to it.
    - A message without a card shows `text`.

    `to=None` means "reply where the inbound came from"; otherwise the address
    of someone else (a pair intro, a nominee's invitation, the program channel).
    `ephemeral` asks for a reply only the actor sees where the platform can.
    `replace` asks the adapter to update that message instead of posting anew
    (after a click, so buttons cannot be pressed twice).
    """

    text: str
    card: Card | None = None
    to: Address | None = None
    ephemeral: bool = False
    replace: MessageRef | None = None
    # Why the core sent it (template name); used in transcripts and summaries.
    kind: str = ""
    # The reader's language, for the few words an adapter adds itself
    # (a menu's "Choose", a form's "Send"); None = the installation default.
    locale: str | None = None
    # Set on every message the core decided: the outbox row it lives in.
    # Adapters send it and report the outcome (scheduler.fastpath); only a
    # "working on it" note before a slow command has none.
    outbox: OutboxRef | None = None
    # Its outbox row keeps nothing once sent (no address, no text): the
    # answer to `forget`, which goes to an account that no longer exists.
    transient: bool = False
    # Files that go with the message (uploaded after the text is posted).
    files: tuple[Attachment, ...] = ()
    # The core's answer when it did not do what was asked (a wrong or stale
    # button, a refusal, a flood): a clicked card is not shown as answered.
    refused: bool = False
    # The answer to a press on one row of a list card (the stall digest, a
    # row of buttons per pair): the card is not shown as answered, its other
    # rows are still to press (`bot.commands.registry.action(keeps_card=...)`).
    keeps_clicked: bool = False
    # Only an earlier card shown answered (a Yes/No question answered by
    # typing, `bot.asked.answered_in_place`): an update of `replace`, which
    # a client that cannot change what it showed (the console) leaves out.
    shows_answered: bool = False
    # A reply meant for the room it was asked in (`channel`'s confirmation
    # to the channel it names). Any other reply in a channel or group is for
    # the asker alone (`bot.core`: made ephemeral).
    public: bool = False


@dataclass(frozen=True)
class Sent:
    """What a platform answered for a send: enough to update the message later,
    and when the platform accepted it, by its own clock (epoch seconds), where
    it says so (Slack's `ts`); the dispatcher paces a conversation from that
    moment (`scheduler.pace`)."""

    ref: MessageRef | None
    accepted_at: float | None = None
