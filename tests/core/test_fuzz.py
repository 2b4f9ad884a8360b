"""Whatever a person types, the core answers in words and never with a crash."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import VirtualClock
from bot.commands import load_all
from bot.commands.registry import COMMANDS
from bot.ratelimit import RateLimit
from bot.store.db import Database
from bot.store.migrate import upgrade
from tests.core.harness import World, make_core

load_all()
WORDS = sorted(
    {w for c in COMMANDS for w in c}
    | {
        "program=",
        "start=",
        "end=",
        "place=",
        "audience=",
        "2027-01-19",
        "2027-02-30",
        "13:00",
        "25:61",
        '"',
        "'",
        "=",
        "<@U123>",
        "console:local:x",
        "å",
        "🙂",
        "--",
        "nudge=1-2",
    }
)
token = st.one_of(st.sampled_from(WORDS), st.text(min_size=1, max_size=12))
line = st.lists(token, min_size=0, max_size=7).map(" ".join)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    loop = asyncio.new_event_loop()
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}")
    loop.run_until_complete(upgrade(db))
    w = World(make_core(db, VirtualClock(datetime(2027, 1, 4, 8, tzinfo=UTC)), rate_limit=RateLimit.off()))
    loop.run_until_complete(w["Anna"].say("program create Fuzz start=2027-01-19 end=2028-01-19"))
    loop.run_until_complete(w["Anna"].say("event add kickoff 2027-01-19"))
    yield w, loop
    loop.run_until_complete(db.dispose())
    loop.close()


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=line, who=st.sampled_from(["Anna", "Eva"]))
def test_any_line_gets_an_answer_not_a_crash(world, text, who):
    w, loop = world
    replies = loop.run_until_complete(w[who].say(text))
    assert replies, f"no answer to {text!r}"
    kinds = [r.kind for r in replies]
    assert "errors/internal" not in kinds, f"{text!r} crashed the core"
    assert all(r.text.strip() for r in replies)
