"""The checks a configuration passes before anything starts (`bot.config`
builds it, then calls `validate`): each failure is a `ConfigError` of one
line naming the key, what was wrong and what would be right."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from bot.config import Config, TeamsConfig


class ConfigError(Exception):
    """One line naming the key and what would be right."""


# A Slack workspace (T...) or Enterprise Grid organisation (E...) id, and a
# Microsoft Entra tenant id (a GUID).
SLACK_TEAM = re.compile(r"^[TE][A-Z0-9]{2,20}$")
TEAMS_TENANT = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def validate(config: Config) -> None:
    if config.log.level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"log.level: expected DEBUG, INFO, WARNING or ERROR, got {config.log.level!r}")
    if config.log.format not in ("text", "json"):
        raise ConfigError(f'log.format: expected "text" or "json", got {config.log.format!r}')
    override = config.bot.templates_override
    if override and not Path(override).is_dir():
        raise ConfigError(
            f"bot.templates_override: {override!r} is not a folder; it should hold sv/ and en/ "
            "with files named like the installed templates (e.g. sv/nudges/nudge.j2)"
        )
    if config.bot.locale not in ("sv", "en"):
        raise ConfigError(f'bot.locale: expected "sv" or "en", got {config.bot.locale!r}')
    try:
        ZoneInfo(config.bot.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f'bot.timezone: {config.bot.timezone!r} is not an IANA time zone; e.g. "Europe/Stockholm"'
        ) from None
    privacy = config.privacy
    for key in ("answers_days", "processed_event_days", "outbox_days", "audit_days", "people_days"):
        if not 0 <= getattr(privacy, key) <= 3650:
            raise ConfigError(f"privacy.{key}: expected a number of days from 0 to 3650, got {getattr(privacy, key)}")
    if privacy.free_text_from not in ("close", "match"):
        raise ConfigError(f'privacy.free_text_from: expected "close" or "match", got {privacy.free_text_from!r}')
    if not 1 <= privacy.purge_hours <= 168:
        raise ConfigError(f"privacy.purge_hours: expected 1-168 hours, got {privacy.purge_hours}")
    if not 0 <= config.server.port <= 65535:
        raise ConfigError(f"server.port: expected 0-65535, got {config.server.port}")
    slack = config.slack
    if slack.enabled and not (slack.signing_secret or slack.app_token):
        raise ConfigError(
            "slack.signing_secret: missing; with slack.bot_token set, give a signing secret "
            "(env SLACK_SIGNING_SECRET) for HTTP, or slack.app_token (env SLACK_APP_TOKEN) for Socket Mode"
        )
    if (slack.signing_secret or slack.app_token) and not slack.enabled:
        raise ConfigError("slack.bot_token: missing; Slack needs a bot token (env SLACK_BOT_TOKEN), xoxb-...")
    if not slack.command.startswith("/"):
        raise ConfigError(f'slack.command: expected a slash command like "/mentor", got {slack.command!r}')
    if slack.team_id and not SLACK_TEAM.match(slack.team_id):
        raise ConfigError(
            f"slack.team_id: expected a workspace id like T0123ABCD (or an Enterprise Grid org id, E...), "
            f"got {slack.team_id!r}"
        )
    teams = config.teams
    if teams.app_id and not teams.app_password:
        raise ConfigError(
            "teams.app_password: missing; with teams.app_id set, give the client secret (env MICROSOFT_APP_PASSWORD)"
        )
    if teams.local and teams.app_id:
        raise ConfigError(
            "teams.local: true together with teams.app_id; local mode means no authentication, "
            "so remove teams.local when the bot has an app id"
        )
    if teams.local and not config.server.loopback:
        raise ConfigError(
            f"teams.local: true while server.host is {config.server.host!r}; Teams without authentication "
            "runs only on a loopback address (127.0.0.1), so set teams.app_id and teams.app_password instead"
        )
    if teams.app_type and teams.app_type not in ("MultiTenant", "SingleTenant"):
        raise ConfigError(f'teams.app_type: expected "MultiTenant" or "SingleTenant", got {teams.app_type!r}')
    check_teams_tenant(teams)
    _check_link_secret(config)


def check_teams_tenant(teams: TeamsConfig) -> None:
    """Teams lets in the bot's own tenant and those an organisation names,
    nobody else (`bot.tenants`): with Teams on, single- or multi-tenant or
    local, it has to know its own."""
    if not teams.enabled:
        return
    if not teams.tenant_id:
        own = (
            "the tenant id your test client sends (its conversation.tenantId; env MICROSOFT_APP_TENANT_ID)"
            if teams.local_mode
            else "the Directory (tenant) ID of the bot's Azure registration, multi-tenant ones too "
            "(env MICROSOFT_APP_TENANT_ID; Azure portal: the Azure Bot's Configuration page, App Tenant ID, "
            "or Microsoft Entra ID > Overview > Tenant ID)"
        )
        raise ConfigError(
            f"teams.tenant_id: missing; Teams lets in only the bot's own tenant until an organisation names "
            f"others, so give {own}"
        )
    if not TEAMS_TENANT.match(teams.tenant_id):
        raise ConfigError(
            "teams.tenant_id: expected the Directory (tenant) ID, a GUID like "
            f"72f988bf-86f1-41af-91ab-2d7cd011db47, got {teams.tenant_id!r}"
        )


MIN_LINK_SECRET = 32  # characters; `secrets.token_urlsafe(32)` gives 43
# Different characters a key must hold: a random one has many (token_urlsafe
# about 30, 32 hex digits 9 or more in all but about one in ten million),
# a typed pattern few ("aaaa…" 1, "passwordpassword…" 7).
MIN_LINK_SECRET_VARIETY = 8
MAKE_LINK_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


def _check_link_secret(config: Config) -> None:
    """Download and calendar links are bearer links signed with
    `server.link_secret`: a guessable key would let anyone make one. It is
    needed when Teams is on (its files are download links) or
    `server.public_url` says browsers are to reach the server, and it turns
    calendar feeds on when set; whenever it is needed or set, it is long."""
    secret = config.server.link_secret
    if config.teams.enabled:
        need = "Teams is on and its files are download links signed with it"
    elif config.server.public_url:
        need = "server.public_url is set for download and calendar links, which are signed with it"
    elif secret:
        need = "it signs download and calendar links"
    else:
        return  # no links to sign: calendar feeds are off
    if not secret:
        problem = "missing"
    elif len(secret) < MIN_LINK_SECRET:
        problem = f"too short ({len(secret)} characters)"
    elif len(set(secret)) < MIN_LINK_SECRET_VARIETY:
        problem = f"not random (only {len(set(secret))} different characters)"
    else:
        return
    raise ConfigError(
        f"server.link_secret: {problem}; {need}, so give at least {MIN_LINK_SECRET} random characters "
        f"(env MENTORBOT_LINK_SECRET), made for example with: {MAKE_LINK_SECRET}"
    )
