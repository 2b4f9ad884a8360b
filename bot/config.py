"""Configuration: a TOML file, secrets from the environment, strict checking.

Every key is declared once in `SCHEMA` (section, key, type, default, env var);
`config.example.toml` documents them all and a test keeps the two in step.
A wrong key, a wrong type or a missing secret raises `ConfigError` with one
line that names the key and says what is expected.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from ipaddress import ip_address
from pathlib import Path
from typing import Any

from bot.config_checks import (  # noqa: F401 (re-exported: the checks and their error live there)
    SLACK_TEAM,
    TEAMS_TENANT,
    ConfigError,
    check_teams_tenant,
    validate,
)


@dataclass(frozen=True)
class Key:
    type: type
    default: Any
    env: str | None = None
    doc: str = ""


SCHEMA: dict[str, dict[str, Key]] = {
    "database": {
        "url": Key(
            str, "sqlite:///mentorbot.db", "MENTORBOT_DATABASE_URL", "sqlite:///PATH or postgresql://USER@HOST/DB"
        ),
    },
    "server": {
        "host": Key(str, "127.0.0.1", "MENTORBOT_HOST", "address to bind"),
        "port": Key(int, 3978, "MENTORBOT_PORT", "TCP port"),
        "public_url": Key(
            str,
            "",
            "MENTORBOT_PUBLIC_URL",
            "https://... where people's browsers reach serve (download and calendar links)",
        ),
        "link_secret": Key(
            str,
            "",
            "MENTORBOT_LINK_SECRET",
            "signs download and calendar links; at least 32 random characters; required with Teams or public_url",
        ),
    },
    "slack": {
        "bot_token": Key(str, "", "SLACK_BOT_TOKEN", "xoxb-...; Slack is on when set"),
        "signing_secret": Key(str, "", "SLACK_SIGNING_SECRET", "for HTTP mode"),
        "app_token": Key(str, "", "SLACK_APP_TOKEN", "xapp-...; Socket Mode when set"),
        "api_url": Key(str, "https://slack.com/api/", "SLACK_API_URL", "Web API base URL"),
        "command": Key(str, "/mentor", "MENTORBOT_SLACK_COMMAND", "the slash command"),
        "team_id": Key(
            str,
            "",
            "SLACK_TEAM_ID",
            "T...: the workspace the bot token must belong to; start-up stops when Slack names another",
        ),
    },
    "teams": {
        "app_id": Key(str, "", "MICROSOFT_APP_ID", "Azure bot app id; Teams is authenticated when set"),
        "app_password": Key(str, "", "MICROSOFT_APP_PASSWORD", "client secret"),
        "tenant_id": Key(
            str, "", "MICROSOFT_APP_TENANT_ID", "the bot registration's home tenant (Directory ID); required with Teams"
        ),
        "app_type": Key(str, "", "MICROSOFT_APP_TYPE", "SingleTenant (default) or MultiTenant (older registrations)"),
        "local": Key(
            bool,
            False,
            "MENTORBOT_TEAMS_LOCAL",
            "true: Teams WITHOUT authentication, only on a loopback server.host (Agents Playground)",
        ),
    },
    "bot": {
        "locale": Key(str, "sv", "MENTORBOT_LOCALE", "sv or en"),
        "timezone": Key(str, "Europe/Stockholm", "MENTORBOT_TIMEZONE", "IANA time zone"),
        "coordinators": Key(
            list, [], "MENTORBOT_COORDINATORS", "identity keys or e-mail addresses (env: comma-separated)"
        ),
        "templates_override": Key(
            str,
            "",
            "MENTORBOT_TEMPLATES_OVERRIDE",
            "a folder whose sv/ and en/ files replace templates of the same name",
        ),
    },
    "log": {
        "level": Key(str, "INFO", "MENTORBOT_LOG_LEVEL", "DEBUG, INFO, WARNING or ERROR"),
        "format": Key(str, "text", "MENTORBOT_LOG_FORMAT", "text, or json (one object a line)"),
        "sdk_bodies": Key(
            bool,
            False,
            "MENTORBOT_LOG_SDK_BODIES",
            "true: at DEBUG, slack_sdk logs every call with its body (messages, names, e-mail addresses)",
        ),
    },
    "privacy": {
        "answers_days": Key(
            int, 30, "MENTORBOT_PRIVACY_ANSWERS_DAYS", "intake and survey answers: days after the program ends"
        ),
        "free_text_from": Key(
            str,
            "close",
            "MENTORBOT_PRIVACY_FREE_TEXT_FROM",
            '"close" or "match": when the answers_days of free text start',
        ),
        "processed_event_days": Key(
            int, 7, "MENTORBOT_PRIVACY_PROCESSED_EVENT_DAYS", "platform event ids kept to ignore retries"
        ),
        "outbox_days": Key(
            int, 90, "MENTORBOT_PRIVACY_OUTBOX_DAYS", "finished reminder rows: days after the program ends"
        ),
        "audit_days": Key(int, 365, "MENTORBOT_PRIVACY_AUDIT_DAYS", "audit rows: days after the program ends"),
        "people_days": Key(
            int, 90, "MENTORBOT_PRIVACY_PEOPLE_DAYS", "people with no program: days after their last program ends"
        ),
        "purge_hours": Key(int, 6, "MENTORBOT_PRIVACY_PURGE_HOURS", "how often the scheduler runs the retention purge"),
    },
}


@dataclass(frozen=True)
class DatabaseConfig:
    url: str = "sqlite:///mentorbot.db"


@dataclass(frozen=True)
class ServerConfig:
    host: str = "127.0.0.1"
    port: int = 3978
    public_url: str = ""  # empty: http://host:port
    link_secret: str = ""

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def signs_links(self) -> bool:
        """Download and calendar links are offered only with a key to sign them."""
        return bool(self.link_secret)

    @property
    def loopback(self) -> bool:
        if self.host == "localhost":
            return True
        try:
            return ip_address(self.host).is_loopback
        except ValueError:
            return False


@dataclass(frozen=True)
class SlackConfig:
    bot_token: str = ""
    signing_secret: str = ""
    app_token: str = ""
    api_url: str = "https://slack.com/api/"
    command: str = "/mentor"
    team_id: str = ""  # empty: whichever workspace the bot token belongs to (`auth.test` at start)

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token)

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)


@dataclass(frozen=True)
class TeamsConfig:
    app_id: str = ""
    app_password: str = ""
    tenant_id: str = ""
    app_type: str = ""
    local: bool = False

    @property
    def enabled(self) -> bool:
        """Teams is on with an app id (authenticated), or in explicit local mode."""
        return bool(self.app_id) or self.local

    @property
    def local_mode(self) -> bool:
        """No authentication: only with `teams.local = true` and no app id."""
        return self.local and not self.app_id


@dataclass(frozen=True)
class BotSettings:
    locale: str = "sv"
    timezone: str = "Europe/Stockholm"
    coordinators: tuple[str, ...] = ()
    templates_override: str = ""


@dataclass(frozen=True)
class LogSettings:
    level: str = "INFO"
    format: str = "text"
    sdk_bodies: bool = False  # at DEBUG, slack_sdk's own DEBUG lines too (they hold message bodies)


@dataclass(frozen=True)
class PrivacySettings:
    """Retention periods (PRIVACY.md names them); enforced by `bot.privacy.retention`."""

    answers_days: int = 30
    free_text_from: str = "close"  # "close": the program's end; "match": the pair's announcement
    processed_event_days: int = 7
    outbox_days: int = 90
    audit_days: int = 365
    people_days: int = 90
    purge_hours: int = 6


@dataclass(frozen=True)
class Config:
    database: DatabaseConfig = field(default_factory=DatabaseConfig)
    server: ServerConfig = field(default_factory=ServerConfig)
    slack: SlackConfig = field(default_factory=SlackConfig)
    teams: TeamsConfig = field(default_factory=TeamsConfig)
    bot: BotSettings = field(default_factory=BotSettings)
    log: LogSettings = field(default_factory=LogSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    source: str = "built-in defaults"


_SECTIONS = {
    "database": DatabaseConfig,
    "server": ServerConfig,
    "slack": SlackConfig,
    "teams": TeamsConfig,
    "bot": BotSettings,
    "log": LogSettings,
    "privacy": PrivacySettings,
}
_TYPE_WORDS = {str: "a string", int: "a whole number", list: "a list of strings", bool: "true or false"}
_BOOL_WORDS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _coerce(name: str, spec: Key, value: Any, origin: str) -> Any:
    if spec.type is bool and isinstance(value, str) and origin == "env":
        if value.strip().lower() not in _BOOL_WORDS:
            raise ConfigError(f"{name}: expected {_TYPE_WORDS[bool]}, got {value!r} (from the environment)")
        return _BOOL_WORDS[value.strip().lower()]
    if spec.type is list and isinstance(value, str) and origin == "env":
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if spec.type is int and isinstance(value, str) and origin == "env":
        try:
            return int(value)
        except ValueError:
            raise ConfigError(f"{name}: expected {_TYPE_WORDS[int]}, got {value!r} (from the environment)") from None
    if (spec.type is int and isinstance(value, bool)) or not isinstance(value, spec.type):
        raise ConfigError(f"{name}: expected {_TYPE_WORDS[spec.type]}, got {type(value).__name__} {value!r}")
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise ConfigError(f'{name}: expected {_TYPE_WORDS[list]}, e.g. ["slack:T0123:U0456"]')
        return tuple(value)
    return value


def build_config(data: Mapping[str, Any], env: Mapping[str, str], source: str) -> Config:
    for section in data:
        if section not in SCHEMA:
            raise ConfigError(f"[{section}]: unknown section; expected one of {', '.join(SCHEMA)}")
    sections: dict[str, Any] = {}
    for section, keys in SCHEMA.items():
        raw = data.get(section, {})
        if not isinstance(raw, dict):
            raise ConfigError(f"[{section}]: expected a table of keys")
        for key in raw:
            if key not in keys:
                raise ConfigError(f"{section}.{key}: unknown key; [{section}] takes {', '.join(keys)}")
        values = {}
        for key, spec in keys.items():
            name = f"{section}.{key}"
            if spec.env and env.get(spec.env):
                values[key] = _coerce(name, spec, env[spec.env], "env")
            elif key in raw:
                values[key] = _coerce(name, spec, raw[key], "file")
            else:
                values[key] = tuple(spec.default) if spec.type is list else spec.default
        sections[section] = _SECTIONS[section](**values)
    config = Config(**sections, source=source)
    validate(config)
    return config


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read `path` (else env MENTORBOT_CONFIG, else ./config.toml; built-in
    defaults when that is absent)."""
    env = os.environ if env is None else env
    if path is None and env.get("MENTORBOT_CONFIG"):
        path = env["MENTORBOT_CONFIG"]
    explicit = path is not None
    path = Path(path) if path is not None else Path("config.toml")
    if not path.exists():
        if explicit:
            raise ConfigError(f"--config: {path} does not exist; copy config.example.toml to start")
        return build_config({}, env, "built-in defaults")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None
    return build_config(data, env, str(path))
