"""A slash command's or a click's `response_url`: Slack takes answers there for
30 minutes, at most five of them. The core carries it as an address's `ref`
(`Inbound.in_place`); the outbound port answers through it while it lasts.

The URL comes in the request body, so it is used only when it is Slack's:
https on `hooks.slack.com` (GovSlack: `hooks.slack-gov.com`), or on the
origin (scheme, host and port) of the configured `slack.api_url` (a Slack
test server, the loopback fake in tests). Any other is ignored where the
request is read (`trusted_response_url`) and again where one is sent to (an
outbox row written before): the answer goes the way it goes without one."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from yarl import URL

from bot.messages import InPlace

log = logging.getLogger(__name__)

# A `response_url` takes answers for 30 minutes, at most five of them.
RESPONSE_URL_LIFETIME = timedelta(minutes=30)
RESPONSE_URL_USES = 5
# Where Slack's response_urls point (commercial Slack and GovSlack), over https only.
SLACK_HOOK_HOSTS = frozenset({"hooks.slack.com", "hooks.slack-gov.com"})
MAX_RESPONSE_URL = 2000  # characters; Slack's are about 100


def trusted_response_url(url: object, api_url: str) -> str | None:
    """`url` if it is one of Slack's response_urls (see the module's
    docstring), else None, with one log line saying it was ignored. The URL
    is read as aiohttp will read it to send (yarl); one with a user name, a
    password or anything unprintable is refused outright."""
    if not url:
        return None
    if not isinstance(url, str) or not _slack_origin(url, api_url):
        log.warning("a response_url that is not Slack's was ignored (%.80r); answering without it", url)
        return None
    return url


def _slack_origin(url: str, api_url: str) -> bool:
    if len(url) > MAX_RESPONSE_URL or not url.isascii() or not url.isprintable() or " " in url:
        return False
    try:
        parsed, api = URL(url), URL(api_url)
    except (ValueError, TypeError):
        return False
    if not parsed.is_absolute() or parsed.user is not None or parsed.password is not None or not parsed.host:
        return False
    if parsed.scheme == "https" and parsed.host in SLACK_HOOK_HOSTS and parsed.port == 443:
        return True
    return api.is_absolute() and (parsed.scheme, parsed.host, parsed.port) == (api.scheme, api.host, api.port)


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
