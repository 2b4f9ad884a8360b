"""A slash command's or a click's `response_url`: Slack takes answers there for
30 minutes, at most five of them. The core carries it as an address's `ref`
(`Inbound.in_place`); the outbound port answers through it while it lasts."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from bot.messages import InPlace

# A `response_url` takes answers for 30 minutes, at most five of them.
RESPONSE_URL_LIFETIME = timedelta(minutes=30)
RESPONSE_URL_USES = 5


def response_url_handle(url: str, received: datetime, uses: int = RESPONSE_URL_USES) -> InPlace:
    """A slash command's or a click's `response_url`, received at `received`,
    as the core's handle for answering in place (`Inbound.in_place`)."""
    expires = received + RESPONSE_URL_LIFETIME
    return InPlace(
        ref=json.dumps({"response_url": url, "expires_at": expires.isoformat()}), expires_at=expires, uses=uses
    )


def response_url_of(ref: str | None) -> tuple[str, datetime] | None:
    """The `response_url` and its expiry in an address's `ref`, if it holds one."""
    if not ref or not ref.startswith("{"):
        return None
    try:
        data = json.loads(ref)
        return str(data["response_url"]), datetime.fromisoformat(data["expires_at"])
    except (ValueError, KeyError, TypeError):
        return None
