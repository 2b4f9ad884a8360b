"""Logging for operators: a level, and plain text or one JSON object a line.

    MENTORBOT_LOG_LEVEL=DEBUG|INFO|WARNING|ERROR   ([log] level)
    MENTORBOT_LOG_FORMAT=text|json                 ([log] format)

A JSON line has `time` (UTC, ISO 8601), `level`, `logger`, `message`, and,
inside a turn, its `platform`, `tenant` and `request_id`; an exception adds
`exception` (the formatted traceback, in the same one line). APScheduler logs
at WARNING unless the level is DEBUG (otherwise it writes two INFO lines per
tick, about 5,760 a day while idle), and so do Alembic and aiohttp's access
log (a line per health probe). slack_sdk logs at INFO at most, even at
DEBUG (`-v`): its DEBUG lines hold every message body, with names and
e-mail addresses; `log.sdk_bodies = true` asks for them explicitly. The
access log (`AccessLog`) never shows a download or calendar link: they are
bearer links, masked as `/files/***`.

`console` is a chat on the terminal: its logs still go to standard error,
but only warnings and errors unless the level is DEBUG (`-v`), so no INFO
line lands between the lines of the conversation.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from urllib.parse import quote, unquote

from aiohttp.abc import AbstractAccessLogger

from bot.telemetry import TURN_TAGS

LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FORMATS = ("text", "json")
# WARNING unless the level is DEBUG; aiohttp.access would log every health
# probe (a container's HEALTHCHECK every 30 s), and the proxy logs requests.
QUIET = ("apscheduler", "alembic", "aiohttp.access")
NOISY = ("aiosqlite",)  # a DEBUG line per SQLite call: WARNING always
# At DEBUG slack_sdk logs every Web API call and response_url answer with its
# body and the answer's: messages, names, e-mail addresses. INFO at most,
# unless `log.sdk_bodies` asks for them too.
BODIES = ("slack_sdk",)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s%(turn)s"


class TurnTags(logging.Filter):
    """Adds the turn's platform, tenant and request id to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        tags = TURN_TAGS.get() or {}
        for key in ("platform", "tenant", "request_id"):
            if not hasattr(record, key):
                setattr(record, key, tags.get(key))
        record.turn = f" [{tags['platform']} {tags['tenant']} {tags['request_id']}]" if tags else ""
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("platform", "tenant", "request_id"):
            value = getattr(record, key, None)
            if value is not None:
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


# A download or calendar link: whoever holds it gets the file or the feed.
# One field (a path, a Referer) is masked at a time: all of it after the prefix.
_BEARER = re.compile(r"(?is)(/(?:files|calendar)/).*")


# What stays readable once the line is re-quoted (no space, quote or control character).
_SHOWN = "!#$%&'()*+,-./:;=?@[]_~"


def mask_links(text: str) -> str:
    """`text` with everything after `/files/` and `/calendar/` replaced by `***`.

    The server routes `/%66iles/...` and `/files%2F...` to the same file, and a
    browser reads `\\` as `/`: the text is percent-decoded until nothing
    changes and its backslashes read as slashes before the links are found,
    then quoted again so the decoding puts no line break or quote in the log."""
    while (decoded := unquote(text, errors="replace")) != text:
        text = decoded
    return quote(_BEARER.sub(r"\1***", text.replace("\\", "/")), safe=_SHOWN)


class AccessLog(AbstractAccessLogger):
    """aiohttp's access log line (`serve`), with the bearer links masked in
    the request line and the Referer, whatever the level: a log shipper or a
    colleague reading the log gets no working link."""

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request, response, time: float) -> None:
        version = request.version
        self.logger.info(
            '%s "%s %s HTTP/%d.%d" %d %d %.3fs "%s" "%s"',
            request.remote,
            request.method,
            mask_links(request.path_qs),
            version.major,
            version.minor,
            response.status,
            response.body_length,
            time,
            mask_links(request.headers.get("Referer", "-")),
            request.headers.get("User-Agent", "-"),
        )


def configure(level: str = "INFO", fmt: str = "text", *, stream=None, sdk_bodies: bool = False) -> None:
    """(Re)configure the root logger; safe to call again once the config is read.
    `sdk_bodies`: at DEBUG, let the loggers in `BODIES` write theirs too."""
    level = level.upper()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(TurnTags())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.DEBUG if level == "DEBUG" else logging.WARNING)
    for name in NOISY:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in BODIES:  # NOTSET: the root's level
        logging.getLogger(name).setLevel(logging.INFO if level == "DEBUG" and not sdk_bodies else logging.NOTSET)


def configure_from(env, *, verbose: bool = False, settings=None, chat: bool = False) -> None:
    """From the config's [log] settings once read, else from the environment
    (before the config is loaded, or when it could not be); `-v` means DEBUG.
    `chat` (the console): WARNING at least, unless DEBUG."""
    from bot.config import SCHEMA

    keys = SCHEMA["log"]
    level = settings.level if settings else env.get(keys["level"].env or "", keys["level"].default)
    fmt = settings.format if settings else env.get(keys["format"].env or "", keys["format"].default)
    if settings:
        bodies = settings.sdk_bodies
    else:  # only a clear yes (the config's own check has not run yet)
        bodies = env.get(keys["sdk_bodies"].env or "", "").strip().lower() in ("true", "1", "yes")
    level = "DEBUG" if verbose else (level.upper() if level.upper() in LEVELS else "INFO")
    if chat and level == "INFO":
        level = "WARNING"
    configure(level, fmt if fmt in FORMATS else "text", sdk_bodies=bodies)
