"""Build a core on a real database with console people for transcript tests."""

from __future__ import annotations

from bot.config import BotSettings, Config
from bot.core import Core
from adapters.console import Chat, ConsolePort


def make_core(db, clock, *, locale: str = "sv", coordinators=("console:local:anna",), rate_limit=None) -> Core:
    """`rate_limit=RateLimit.off()` for property tests that type faster than any person."""
    config = Config(bot=BotSettings(locale=locale, coordinators=tuple(coordinators)))
    return Core(db, config, clock, rate_limit=rate_limit)


def texts(messages) -> str:
    return "\n".join(m.text for m in messages)


class World:
    """A core, a recording port, and people by name."""

    def __init__(self, core: Core):
        self.core = core
        self.port = ConsolePort()
        self._chats: dict[str, Chat] = {}

    def __getitem__(self, name: str) -> Chat:
        if name not in self._chats:
            self._chats[name] = Chat(self.core, self.port, name)
        return self._chats[name]
