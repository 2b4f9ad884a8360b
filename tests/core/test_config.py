"""Config: defaults, the file, the environment, and one-line errors."""

from __future__ import annotations

import secrets
import tomllib
from pathlib import Path

import pytest

from bot.config import SCHEMA, ConfigError, load_config
from bot.links import signature, signed
from tests.core.harness import LINK_SECRET

ROOT = Path(__file__).resolve().parents[2]
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"  # a Teams bot's own tenant (Directory ID)


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(None, env={})
    assert config.database.url == "sqlite:///mentorbot.db"
    assert (config.server.host, config.server.port) == ("127.0.0.1", 3978)
    assert not config.slack.enabled and not config.teams.enabled and not config.teams.local_mode
    assert config.bot.locale == "sv" and config.bot.timezone == "Europe/Stockholm"


def test_example_file_documents_every_key_and_loads():
    example = ROOT / "config.example.toml"
    data = tomllib.loads(example.read_text(encoding="utf-8"))
    for section, keys in SCHEMA.items():
        assert set(data[section]) == set(keys), f"config.example.toml [{section}] differs from the schema"
        for key, spec in keys.items():
            if spec.env:
                assert spec.env in example.read_text(), f"{section}.{key}: env {spec.env} not documented"
    load_config(example, env={})


def test_environment_overrides_secrets(tmp_path):
    path = write(tmp_path, '[slack]\nbot_token = "xoxb-file"\nsigning_secret = "file"\n')
    config = load_config(path, env={"SLACK_BOT_TOKEN": "xoxb-env", "MENTORBOT_PORT": "8080"})
    assert config.slack.bot_token == "xoxb-env"
    assert config.slack.signing_secret == "file"
    assert config.server.port == 8080


@pytest.mark.parametrize(
    "text, env, names",
    [
        ("[server]\nprot = 1\n", {}, "server.prot"),
        ("[servr]\nport = 1\n", {}, "[servr]"),
        ('[server]\nport = "eighty"\n', {}, "server.port"),
        ('[bot]\ncoordinators = "anna"\n', {}, "bot.coordinators"),
        ('[bot]\nlocale = "de"\n', {}, "bot.locale"),
        ('[bot]\ntimezone = "Mars/Olympus"\n', {}, "bot.timezone"),
        ('[slack]\nbot_token = "xoxb-1"\n', {}, "slack.signing_secret"),
        ('[slack]\nsigning_secret = "s"\n', {}, "slack.bot_token"),
        ('[teams]\napp_id = "abc"\n', {}, "teams.app_password"),
        ("", {"MENTORBOT_PORT": "x"}, "server.port"),
        ('[server]\nhost = "0.0.0.0"\n[teams]\nlocal = true\n', {}, "teams.local"),
        ("[teams]\nlocal = true\n", {"MENTORBOT_HOST": "10.0.0.5"}, "teams.local"),
        ('[teams]\nlocal = true\napp_id = "a"\napp_password = "p"\n', {}, "teams.local"),
        ('[teams]\nlocal = "yes"\n', {}, "teams.local"),
        ("", {"MENTORBOT_TEAMS_LOCAL": "maybe"}, "teams.local"),
        ('[slack]\nbot_token = "xoxb-1"\nsigning_secret = "s"\nteam_id = "kommunerna"\n', {}, "slack.team_id"),
        # Teams on needs its own tenant, a multi-tenant registration and local mode too:
        ('[teams]\napp_id = "a"\napp_password = "p"\n', {}, "teams.tenant_id: missing"),
        ('[teams]\napp_id = "a"\napp_password = "p"\napp_type = "MultiTenant"\n', {}, "teams.tenant_id: missing"),
        ("[teams]\nlocal = true\n", {}, "teams.tenant_id: missing"),
        ('[teams]\napp_id = "a"\napp_password = "p"\ntenant_id = "contoso.se"\n', {}, "teams.tenant_id"),
        ("[server\n", {}, "not valid TOML"),
    ],
)
def test_bad_config_names_the_key_in_one_line(tmp_path, text, env, names):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text), env=env)
    message = str(err.value)
    assert names in message
    assert "\n" not in message


def test_socket_mode_needs_no_signing_secret(tmp_path):
    config = load_config(write(tmp_path, '[slack]\nbot_token = "xoxb-1"\napp_token = "xapp-1"\n'), env={})
    assert config.slack.socket_mode


def test_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml", env={})


def test_teams_is_off_unless_configured_and_local_mode_only_when_asked_on_loopback(tmp_path):
    assert not load_config(write(tmp_path, '[server]\nhost = "0.0.0.0"\n'), env={}).teams.enabled
    keyed = {"MENTORBOT_LINK_SECRET": LINK_SECRET}  # Teams needs a key for its download links
    keyed["MICROSOFT_APP_TENANT_ID"] = TENANT  # and its own tenant
    local = load_config(write(tmp_path, "[teams]\nlocal = true\n"), env=keyed)
    assert local.teams.enabled and local.teams.local_mode
    from_env = load_config(write(tmp_path, ""), env={"MENTORBOT_TEAMS_LOCAL": "true", **keyed})
    assert from_env.teams.local_mode
    authenticated = load_config(write(tmp_path, '[teams]\napp_id = "a"\napp_password = "p"\n'), env=keyed)
    assert authenticated.teams.enabled and not authenticated.teams.local_mode


SHORT = "0123456789abcdefghijklmnopqrstu"  # 31 characters


@pytest.mark.parametrize(
    "text, env",
    [
        ("[teams]\nlocal = true\n", {"MICROSOFT_APP_TENANT_ID": TENANT}),
        ('[teams]\napp_id = "a"\napp_password = "p"\n', {"MICROSOFT_APP_TENANT_ID": TENANT}),
        (
            '[teams]\napp_id = "a"\napp_password = "p"\n[server]\nlink_secret = ""\n',
            {"MICROSOFT_APP_TENANT_ID": TENANT},
        ),
        (
            '[teams]\napp_id = "a"\napp_password = "p"\n',
            {"MENTORBOT_LINK_SECRET": SHORT, "MICROSOFT_APP_TENANT_ID": TENANT},
        ),
        ('[server]\npublic_url = "https://mentor.example.se"\n', {}),
        (f'[server]\nlink_secret = "{SHORT}"\n', {}),
        ('[server]\nlink_secret = "passwordpasswordpasswordpassword"\n', {}),
        ('[server]\nlink_secret = "' + "a" * 64 + '"\n', {}),
    ],
)
def test_a_missing_or_short_link_secret_stops_start_up_and_says_how_to_make_one(tmp_path, text, env):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text), env=env)
    message = str(err.value)
    assert message.startswith("server.link_secret:") and "\n" not in message
    assert "32" in message and "MENTORBOT_LINK_SECRET" in message
    assert 'python -c "import secrets; print(secrets.token_urlsafe(32))"' in message


def test_a_random_link_secret_of_any_usual_kind_is_taken(tmp_path):
    for secret in (secrets.token_urlsafe(32), secrets.token_hex(16), secrets.token_hex(32)):
        assert load_config(write(tmp_path, f'[server]\nlink_secret = "{secret}"\n'), env={}).server.signs_links


def test_without_teams_or_a_public_url_no_link_secret_means_no_calendar_feeds(tmp_path):
    slack_only = load_config(write(tmp_path, '[slack]\nbot_token = "xoxb-1"\nsigning_secret = "s"\n'), env={})
    assert not slack_only.server.signs_links
    keyed = load_config(write(tmp_path, ""), env={"MENTORBOT_LINK_SECRET": LINK_SECRET})
    assert keyed.server.signs_links


def test_links_are_never_signed_or_accepted_with_an_empty_key():
    assert not signed("", "file", "tok", "")
    with pytest.raises(ValueError):
        signature("", "file", "tok")
    assert signed(LINK_SECRET, "file", "tok", signature(LINK_SECRET, "file", "tok"))
    assert not signed(LINK_SECRET, "feed", "tok", signature(LINK_SECRET, "file", "tok"))
