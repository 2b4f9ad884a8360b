"""deploy/ checked statically (no container engine runs here): the compose
file's structure, the Dockerfile's promises (hadolint where installed), the
systemd unit, the proxy examples; and every config key has an environment
variable, since a container is configured by its environment."""

from __future__ import annotations

import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.config import SCHEMA, build_config
from tests.core.harness import LINK_SECRET

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ENV_NAMES = {spec.env for keys in SCHEMA.values() for spec in keys.values() if spec.env}
ROUTES = ("/slack/events", "/api/messages")


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments) with continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n\s*", " ", (DEPLOY / "Dockerfile").read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def env_names_in(text: str) -> set[str]:
    return set(re.findall(r"\b((?:MENTORBOT|SLACK|MICROSOFT)_[A-Z_]+)\b", text))


# ----------------------------------------------------------------- compose


def test_compose_runs_the_bot_on_postgresql_with_a_volume():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    db, bot = compose["services"]["db"], compose["services"]["bot"]
    assert db["image"].startswith("postgres:")
    volume = db["volumes"][0].split(":")[0]
    assert volume in compose["volumes"] and db["volumes"][0].endswith(":/var/lib/postgresql/data")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert (DEPLOY / bot["build"]["context"] / bot["build"]["dockerfile"]).resolve() == DEPLOY / "Dockerfile"
    assert bot["environment"]["MENTORBOT_DATABASE_URL"].startswith("postgresql://mentorbot:")
    assert "@db:5432/mentorbot" in bot["environment"]["MENTORBOT_DATABASE_URL"]
    assert all(port.startswith("127.0.0.1:") for port in bot["ports"])  # the proxy is the way in
    assert all(policy == "unless-stopped" for policy in (db["restart"], bot["restart"]))


def test_every_variable_the_deploy_files_set_is_one_mentorbot_reads():
    for name in ("compose.yaml", "mentorbot.env.example", "Dockerfile", "systemd/mentorbot.service"):
        unknown = env_names_in((DEPLOY / name).read_text(encoding="utf-8")) - ENV_NAMES - {"MENTORBOT_CONFIG"}
        assert not unknown, f"deploy/{name} sets {unknown}, which config.py does not read"


# --------------------------------------------------------------- Dockerfile


def test_dockerfile_slim_non_root_upgrade_then_serve_with_a_healthcheck():
    steps = dockerfile()
    bases = [args for op, args in steps if op == "FROM"]
    assert bases and all(re.match(r"python:3\.\d+-slim", base) for base in bases)
    final = steps[max(i for i, (op, _) in enumerate(steps) if op == "FROM") :]
    users = [args for op, args in final if op == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    (health,) = [args for op, args in final if op == "HEALTHCHECK"]
    assert "/healthz" in health
    (cmd,) = [args for op, args in final if op == "CMD"]
    words = " ".join(shlex.split(cmd.strip("[]").replace(",", " ")))
    assert re.search(r"mentorbot db upgrade && exec mentorbot serve", words)
    installs = [args for op, args in steps if op == "RUN" and re.search(r"pip install [^&]*-r ", args)]
    assert installs and all("--require-hashes" in args for args in installs)


def test_everything_the_dockerfile_copies_exists_and_passes_the_ignore_file():
    allowed = {
        line.strip("!/ ")
        for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    for op, args in dockerfile():
        if op == "COPY" and "--from=" not in args:
            *sources, _ = args.split()
            for source in sources:
                assert (ROOT / source).exists(), source
                assert any(source == a or source.startswith(a.rstrip("/") + "/") for a in allowed), source


HADOLINT = shutil.which("hadolint", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")


@pytest.mark.skipif(
    HADOLINT is None, reason="hadolint is not installed (requirements/test.txt installs it on Linux x86_64)"
)
def test_hadolint_finds_nothing():
    result = subprocess.run([HADOLINT, "--no-color", str(DEPLOY / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# ------------------------------------------------------------ systemd, proxy


def test_the_systemd_unit_reads_an_environment_file_and_upgrades_before_serving():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(DEPLOY / "systemd" / "mentorbot.service")
    service = unit["Service"]
    assert service["EnvironmentFile"].startswith("/etc/")
    assert service["ExecStartPre"].endswith("mentorbot db upgrade")
    assert service["ExecStart"].endswith("mentorbot serve")
    assert service["User"] not in ("root", "0") and service["NoNewPrivileges"] == "yes"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


@pytest.mark.parametrize("name", ["Caddyfile", "nginx.conf"])
def test_the_proxy_examples_pass_the_webhooks_and_keep_metrics_inside(name):
    text = (DEPLOY / "proxy" / name).read_text(encoding="utf-8")
    for route in ROUTES:
        assert route.strip("/") in text
    assert "127.0.0.1:3978" in text
    assert re.search(r"(respond|return) 404", text)  # everything else (/metrics, /readyz) stays inside


@pytest.mark.parametrize(
    ("name", "header", "body", "upstream_idle"),
    [
        ("Caddyfile", r"read_header (\d+)s", r"read_body (\d+)s", r"keepalive (\d+)s"),
        ("nginx.conf", r"client_header_timeout (\d+)s;", r"client_body_timeout (\d+)s;", r"keepalive_timeout (\d+)s;"),
    ],
)
def test_the_proxy_examples_hold_slow_clients(name, header, body, upstream_idle):
    """mentorbot's own server has no connection cap (README: Reverse proxy):
    the proxy gives headers and body a few seconds each, and closes an idle
    connection to mentorbot before mentorbot does."""
    from adapters.server import CONNECTION_IDLE

    text = (DEPLOY / "proxy" / name).read_text(encoding="utf-8")
    for pattern in (header, body):
        found = re.search(pattern, text)
        assert found and 0 < int(found.group(1)) <= 15, f"{name}: no short {pattern}"
    idle = [int(seconds) for seconds in re.findall(upstream_idle, text)]
    assert idle and all(seconds < CONNECTION_IDLE for seconds in idle)


# -------------------------------------------------------------- environment


def test_every_config_key_can_come_from_the_environment():
    samples = {str: "x", int: "4000", bool: "false", list: "slack:T1:U1, anna@taby.se"}
    for section, keys in SCHEMA.items():
        for key, spec in keys.items():
            assert spec.env, f"{section}.{key} has no environment variable"
    for section, keys in SCHEMA.items():
        for key, spec in keys.items():
            env = {spec.env: samples[spec.type]}
            valid = {
                ("server", "host"): "0.0.0.0",
                ("slack", "command"): "/mentorprogram",
                ("slack", "api_url"): "http://127.0.0.1:9/api/",
                ("slack", "team_id"): "T0123ABCD",
                ("bot", "locale"): "en",
                ("bot", "timezone"): "Europe/Helsinki",
                ("log", "level"): "DEBUG",
                ("log", "format"): "json",
                ("teams", "app_type"): "MultiTenant",
                ("database", "url"): "sqlite:///x.db",
                ("privacy", "free_text_from"): "match",
                ("privacy", "answers_days"): "40",
                ("privacy", "purge_hours"): "4",
                ("bot", "templates_override"): "templates",
                ("server", "link_secret"): LINK_SECRET,
            }
            if section == "privacy" and spec.type is int:
                env = {spec.env: "40"}
            if (section, key) in valid:
                env = {spec.env: valid[(section, key)]}
            if section == "slack" and key in ("bot_token", "signing_secret"):
                env = {SCHEMA["slack"]["bot_token"].env: "xoxb-1", SCHEMA["slack"]["signing_secret"].env: "s"}
            if section == "slack" and key == "app_token":
                env = {SCHEMA["slack"]["bot_token"].env: "xoxb-1", spec.env: "xapp-1"}
            if section == "teams" and key in ("app_id", "app_password"):
                env = {
                    SCHEMA["teams"]["app_id"].env: "a",
                    SCHEMA["teams"]["app_password"].env: "p",
                    SCHEMA["teams"]["tenant_id"].env: "72f988bf-86f1-41af-91ab-2d7cd011db47",  # its own tenant
                }
            if (section, key) in (("teams", "app_id"), ("teams", "app_password"), ("server", "public_url")):
                env[SCHEMA["server"]["link_secret"].env] = LINK_SECRET  # links need a key to sign them
            config = build_config({}, env, "test")
            got = getattr(getattr(config, section), key)
            expected = env[spec.env]
            if spec.type is bool:
                expected = False
            elif spec.type is int:
                expected = int(expected)
            if spec.type is list:
                expected = tuple(part.strip() for part in expected.split(","))
            assert got == expected, f"{section}.{key} from {spec.env}"
