"""Which Slack workspace the bot is installed in: asked once, at start.

`auth.test` with the bot token names the workspace the token belongs to (and
its Enterprise Grid org). That workspace is the install's own: always let
in, and the only one until an organisation names others (`bot.tenants`).
The answer is held in memory for the life of the process, so no request
asks again; bolt, which would otherwise ask on the first request before that
request's ack, is handed the same answer. When Slack cannot say, or names
another workspace than `slack.team_id`, `serve` does not start (one
`ConfigError` line): a bot that does not know its own workspace would have
to let in anyone or no one.
"""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.authorization.async_single_team_authorization import AsyncSingleTeamAuthorization
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.config import ConfigError, SlackConfig


async def ask(client: AsyncWebClient, slack: SlackConfig) -> tuple[str, str, AsyncSlackResponse]:
    """(workspace id, Enterprise Grid org id or "", the `auth.test` answer);
    raises `ConfigError` naming the key to look at."""
    try:
        answer = await client.auth_test()
    except SlackApiError as exc:
        raise ConfigError(
            f"slack.bot_token: Slack refused it when asked which workspace it belongs to "
            f"(auth.test: {exc.response.get('error')}); copy the Bot User OAuth Token (xoxb-...) "
            "from the app's OAuth & Permissions page"
        ) from None
    except (SlackClientError, OSError, TimeoutError) as exc:
        raise ConfigError(
            f"slack.api_url: could not reach Slack at {slack.api_url} to learn which workspace the bot is "
            f"installed in (auth.test: {exc.__class__.__name__}); mentorbot lets in only that workspace "
            "and those an organisation names, so it does not start without it"
        ) from None
    team, enterprise = answer.get("team_id") or "", answer.get("enterprise_id") or ""
    if not team and not enterprise:
        raise ConfigError("slack.bot_token: auth.test named no workspace for it; expected a bot token (xoxb-...)")
    if slack.team_id and slack.team_id not in (team, enterprise):
        found = team + (f" (Enterprise Grid {enterprise})" if enterprise else "")
        raise ConfigError(
            f"slack.team_id: {slack.team_id}, but the bot token belongs to workspace {found}; "
            "give that workspace's token, or its id (env SLACK_TEAM_ID)"
        )
    return team, enterprise, answer


def hand_to_bolt(app: AsyncApp, answer: AsyncSlackResponse) -> None:
    """Bolt's single-workspace authorization asks `auth.test` on the first
    request, before that request's ack: it gets the start's answer instead
    (tests/slack/test_own_workspace.py counts the calls)."""
    for middleware in app._async_middleware_list:
        if isinstance(middleware, AsyncSingleTeamAuthorization) and middleware.auth_test_result is None:
            middleware.auth_test_result = answer
