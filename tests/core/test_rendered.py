"""Real core output, rendered by every platform's renderer: a real intake
(adept and mentor), the coordinator's draft, the announcement and a pair
reminder from the scheduler, in Swedish and English.

- No rendered message shows the same block twice (the renderer contract in
  `bot.messages.Outbound`: the text is the notification, the card the body).
- Golden files pin what Slack and Teams receive for these messages. They are
  never written by a normal run: a difference fails. After a deliberate
  change, write them with `WRITE_GOLDEN=1 .venv/bin/python -m pytest
  tests/core/test_rendered.py` (that run fails too, saying what it wrote),
  read the diff, and commit it.
"""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.console_render import render_text
from adapters.slack.render import message_payload
from adapters.teams.render import message_activity
from bot.messages import Outbound
from bot.ports import Delivery
from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.dialogs.conftest import COORDINATOR, make_world
from tests.dialogs.script import ADEPT, MENTOR, line

GOLDEN = Path(__file__).parent / "golden"
WORTH_CHECKING = 25  # shorter paragraphs ("Ja", a name) may well repeat


async def conversation(world, locale: str) -> dict[str, Outbound]:
    """Every message of a short program, by a stable name."""
    seen: dict[str, Outbound] = {}

    def keep(prefix: str, messages) -> None:
        for n, message in enumerate(messages):
            seen[f"{prefix}.{n}.{message.kind.replace('/', '_')}"] = message

    for who, script in (("Anna", ADEPT), ("Bo", MENTOR)):
        chat = world.chat(who)
        for number, (typed, _asked) in enumerate(script):
            keep(f"{who}.{number:02d}", await chat.say(line(typed, locale)))
        keep(f"{who}.confirm", await chat.say("1"))
    hanna = world.chat(COORDINATOR)
    keep("Hanna.approve", await hanna.say("approve-participant Bo"))
    keep("Hanna.match", await hanna.say("match"))
    keep("Hanna.approve_pairs", await hanna.say("match approve"))
    keep("Hanna.announce", await hanna.say("match announce"))
    keep("Anna.inbox", world.chat("Anna").inbox())
    keep("Bo.inbox", world.chat("Bo").inbox())
    dispatcher = Dispatcher(world.db, Delivery({world.port.platform: world.port}), world.core.clock, world.core.config)
    before = len(world.port.sent)
    await run_until(dispatcher, world.core.clock, world.core.clock.now() + timedelta(days=40))
    keep("scheduler", [m for _, m in world.port.sent[before:] if m.kind == "nudges/nudge"][:1])
    return seen


def paragraphs(texts) -> list[str]:
    found = []
    for text in texts:
        found += [p.strip() for p in re.split(r"\n", text or "") if len(p.strip()) >= WORTH_CHECKING]
    return found


def slack_texts(payload) -> list[str]:
    blocks = payload.get("blocks")
    if not blocks:
        return [payload["text"]]
    found = []
    for block in blocks:
        if block.get("text"):
            found.append(block["text"]["text"])
        found += [f["text"] for f in block.get("fields", [])]
    return found


def teams_texts(activity) -> list[str]:
    if not activity.get("attachments"):
        return [activity["text"]]
    body = activity["attachments"][0]["content"]["body"]
    return [b["text"] for b in body if b.get("type") == "TextBlock"]


def repeated(texts) -> list[str]:
    items = paragraphs(texts)
    return sorted({p for p in items if items.count(p) > 1})


@pytest.fixture(params=["sv", "en"])
async def rendered(request, sqlite_db, clock):
    world = await make_world(sqlite_db, clock, locale=request.param)
    return request.param, await conversation(world, request.param)


async def test_no_rendered_message_repeats_a_block(rendered):
    locale, messages = rendered
    assert len(messages) > 25 and any(m.card for m in messages.values())
    assert any(k.startswith("scheduler") for k in messages), "no pair reminder was sent"
    for name, message in messages.items():
        assert repeated(slack_texts(message_payload(message, locale))) == [], f"Slack repeats in {name}"
        assert repeated(teams_texts(message_activity(message, locale))) == [], f"Teams repeats in {name}"
        assert repeated([render_text(message)]) == [], f"console repeats in {name}"


async def test_real_output_matches_the_golden_files(rendered):
    locale, messages = rendered
    pinned = {name: message for name, message in messages.items() if message.card is not None or "\n" in message.text}
    written, differs = [], []
    for name, message in sorted(pinned.items()):
        for platform, value in (
            ("slack", message_payload(message, locale)),
            ("teams", message_activity(message, locale)),
        ):
            path = GOLDEN / platform / locale / f"{name}.json"
            text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
            if os.environ.get("WRITE_GOLDEN"):
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                written.append(path.name)
            elif not path.exists() or path.read_text(encoding="utf-8") != text:
                differs.append(f"{platform}/{locale}/{path.name}")
    assert not written, f"wrote {len(written)} golden files; review the diff and run again without WRITE_GOLDEN"
    assert not differs, f"rendered output differs from the golden files: {differs}"
