"""The narrow outbound port the core and the scheduler talk through.

Each platform adapter (Slack, Teams, console, the test recorder) implements
`OutboundPort`; `Delivery` routes a message to the port of its address's
platform, so a pair may have one member on Slack and the other on Teams.
"""

from __future__ import annotations

from typing import Protocol

from bot.messages import Address, MessageRef, Outbound, Platform, Sent


class DeliveryError(Exception):
    """A send failed. `retry_after` (seconds) is set when the platform said when
    to try again (HTTP 429); `permanent` when trying again cannot help (the
    user blocked the bot, the channel is gone); `unreachable` when the reason
    is the person (gone, deactivated, no DMs with bots): later sends to them
    wait until they write again; `unconfirmed` when the platform may have got
    the message all the same (a timeout after the request went out)."""

    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        permanent: bool = False,
        unreachable: bool = False,
        unconfirmed: bool = False,
    ):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.permanent = permanent
        self.unreachable = unreachable
        self.unconfirmed = unconfirmed


class OutboundPort(Protocol):
    platform: Platform

    async def send(self, to: Address, message: Outbound) -> Sent:
        """Post `message` at `to` (a DM is opened when only a user is given)."""

    async def update(self, ref: MessageRef, message: Outbound) -> None:
        """Replace a message already shown (after a click)."""

    # Optional: `async def find_sent(self, to, key) -> str | None`, the id of
    # a message with this outbox key already in `to` (checked before sending
    # again a row whose last send is unconfirmed).


class Delivery:
    """Routes outbound messages to the port of their platform."""

    def __init__(self, ports: dict[Platform, OutboundPort] | None = None):
        self._ports: dict[Platform, OutboundPort] = dict(ports or {})

    def register(self, port: OutboundPort) -> None:
        self._ports[port.platform] = port

    def port(self, platform: Platform) -> OutboundPort:
        try:
            return self._ports[platform]
        except KeyError:
            raise DeliveryError(f"no adapter for platform {platform!s}", permanent=True) from None

    async def send(self, to: Address, message: Outbound) -> Sent:
        return await self.port(to.platform).send(to, message)

    async def update(self, ref: MessageRef, message: Outbound) -> None:
        await self.port(ref.platform).update(ref, message)

    async def find_sent(self, to: Address, key: str) -> str | None:
        """The id of a message already posted at `to` with this outbox key,
        where the platform can tell (Slack message metadata); else None."""
        find = getattr(self.port(to.platform), "find_sent", None)
        return await find(to, key) if find is not None else None
