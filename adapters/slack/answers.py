"""What Slack's answers mean for a send: which errors are final or about the
person, what a 429 pauses and for how long, when Slack accepted a post (its
`ts`), and the spacing of posts to one channel (`ChannelLimiter`). Used by
the outbound port (`adapters.slack.outbound`)."""

from __future__ import annotations

import math
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.ports import DeliveryError

# Errors that are about the person, not the message: later sends to them wait
# until they write to the bot again.
UNREACHABLE_ERRORS = frozenset(
    {"account_inactive", "cannot_dm_bot", "messages_tab_disabled", "user_disabled", "user_not_found"}
)
# Slack errors after which trying again cannot help.
PERMANENT_ERRORS = frozenset(
    {
        "account_inactive",
        "cannot_dm_bot",
        "channel_not_found",
        "invalid_auth",
        "is_archived",
        "messages_tab_disabled",
        "missing_scope",
        "msg_too_long",
        "no_text",
        "not_allowed_token_type",
        "not_authed",
        "not_in_channel",
        "restricted_action",
        "team_access_not_granted",
        "token_revoked",
        "user_disabled",
        "user_not_found",
        "user_not_in_channel",
        "users_list_not_supplied",
        "message_not_found",
        "cant_update_message",
        "edit_window_closed",
        "invalid_arguments",
        "ekm_access_denied",
        "too_many_users",
    }
)


class ChannelLimiter:
    """Spaces calls to one channel: on average one per `interval` seconds,
    with bursts of up to `burst` calls (a generic cell rate algorithm: each
    channel keeps the time its next call is "due"; concurrent senders to the
    same channel get successive slots)."""

    def __init__(self, interval: float = 1.0, burst: int = 1):
        self.interval = interval
        self.burst = max(1, burst)
        self._due: dict[str, float] = {}

    def reserve(self, channel: str, now: float, max_wait: float) -> float:
        """Seconds to wait before sending; raises `DeliveryError` if longer than `max_wait`."""
        due = self._due.get(channel, now)
        wait = max(0.0, due - (self.burst - 1) * self.interval - now)
        if wait > max_wait:
            raise DeliveryError(f"channel {channel} is busy", retry_after=wait)
        self._due[channel] = max(due, now) + self.interval
        self._prune(now)
        return wait

    def sent(self, channel: str, now: float) -> None:
        """Without bursts, space the next call from when this one was
        answered: Slack counts from when the message arrived, which is after
        the reservation."""
        if self.burst == 1:
            self._due[channel] = max(self._due.get(channel, 0.0), now + self.interval)

    def _prune(self, now: float) -> None:
        if len(self._due) > 50_000:  # forget channels that are idle again
            self._due = {k: v for k, v in self._due.items() if v > now}


def lane_of(method: str, channel: str | None) -> str:
    """What a 429 pauses: the conversation for posts to one, else the method."""
    return f"channel:{channel}" if channel and method.startswith("chat.") else method


def accepted_at(answer: dict[str, Any]) -> float | None:
    """When Slack accepted a posted message, by Slack's clock: its `ts`
    ("1732851234.123456") is the message's epoch time. None when missing or
    unreadable."""
    try:
        stamp = float(answer["ts"])
    except (KeyError, TypeError, ValueError):
        return None
    return stamp if math.isfinite(stamp) and stamp > 0 else None


def retry_after_of(headers) -> float:
    """Seconds from a `Retry-After` header (1 when missing or unreadable)."""
    raw = {k.lower(): v for k, v in (headers or {}).items()}.get("retry-after", "1")
    raw = raw[0] if isinstance(raw, list) else raw
    try:
        return max(float(raw), 0.0)
    except ValueError:
        return 1.0


def delivery_error(method: str, exc: SlackApiError) -> DeliveryError:
    response = exc.response
    status = getattr(response, "status_code", 0) or 0
    error = ""
    try:
        error = response.get("error", "") if response is not None else ""
    except (ValueError, AttributeError):
        error = ""
    if status >= 500:
        return DeliveryError(f"{method}: Slack answered HTTP {status}")
    return DeliveryError(
        f"{method}: {error or 'HTTP ' + str(status)}",
        permanent=error in PERMANENT_ERRORS,
        unreachable=error in UNREACHABLE_ERRORS,
    )
