"""Every input is handled: text from a wide alphabet (all of Unicode's digit
and control categories, format and private-use characters, long strings,
huge numbers) at every command and every dialogue step never crashes a
handler. 400 examples by default, so the suite stays quick; `WIDE_EXAMPLES=10000`
runs the full 10 000 (5 000 command lines, 5 000 dialogue answers: about
3½ minutes on a shared 2-core machine)."""

from __future__ import annotations

import asyncio
import os
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
from tests.dialogs.script import ADEPT, MENTOR, type_raw
from tests.dialogs.script import line as script_line

load_all()
TOTAL = int(os.environ.get("WIDE_EXAMPLES", "400"))
COMMAND_EXAMPLES = TOTAL // 2
STEP_EXAMPLES = TOTAL - COMMAND_EXAMPLES

wide_char = st.characters(
    categories=[
        "Nd",
        "Nl",
        "No",
        "Cc",
        "Cf",
        "Co",
        "Zs",
        "Zl",
        "Zp",
        "Lu",
        "Ll",
        "Lo",
        "Mn",
        "Pd",
        "Ps",
        "Pe",
        "Po",
        "Sm",
        "So",
    ]
)
huge = st.integers(min_value=-(10**40), max_value=10**40).map(str)
wide = st.one_of(
    st.text(wide_char, max_size=30),
    huge,
    st.text(wide_char, min_size=1, max_size=3).map(lambda s: s * 2000),  # long
    st.sampled_from(["²", "³", "١٢", "１２", "\x00", "0" * 25, "9" * 25, "-1", "1e9", "NaN", "½", "Ⅻ", "\u202e12"]),
)
command_words = sorted(" ".join(words) for words in COMMANDS)
command_line = st.tuples(st.sampled_from(command_words), st.lists(wide, max_size=3)).map(
    lambda t: " ".join([t[0], *t[1]])
)
STEPS = [("adept", n) for n in range(1, len(ADEPT))] + [("mentor", n) for n in range(1, len(MENTOR))]


def _run(loop, coro):
    return loop.run_until_complete(coro)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    loop = asyncio.new_event_loop()
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('wide') / 'wide.db'}")
    _run(loop, upgrade(db))
    w = World(make_core(db, VirtualClock(datetime(2027, 1, 4, 8, tzinfo=UTC)), rate_limit=RateLimit.off()))
    for setup in (
        "program create Wide start=2027-01-19 end=2028-01-19",
        "org add Täby kommun",
        "org add Knivsta kommun",
        "org add Enköpings kommun",
        "event add kickoff 2027-01-19",
    ):
        _run(loop, w["Anna"].say(setup))
    yield w, loop
    _run(loop, db.dispose())
    loop.close()


def _check(replies, typed) -> None:
    kinds = [r.kind for r in replies]
    assert "errors/internal" not in kinds, f"{typed!r} crashed its handler"


@settings(
    max_examples=COMMAND_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(typed=command_line, who=st.sampled_from(["Anna", "Eva"]))
def test_every_command_with_any_argument(world, typed, who):
    w, loop = world
    _check(_run(loop, type_raw(w[who], typed)), typed)


@settings(
    max_examples=STEP_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(step=st.sampled_from(STEPS), typed=wide)
def test_every_dialogue_step_with_any_answer(world, step, typed):
    """A person waits at each step of each intake; whatever they type there
    is answered (they may move on, which is fine: the next example that
    picks them tries that step's successor)."""
    w, loop = world
    role, n = step
    chat = w[f"{role} at {n}"]
    script = ADEPT if role == "adept" else MENTOR
    if not getattr(chat, "_placed", False):
        for said, _ in script[:n]:
            _run(loop, chat.say(script_line(said, "sv")))
        chat._placed = True
    _check(_run(loop, type_raw(chat, typed)), typed)


@pytest.mark.parametrize("odd", ["²", "9" * 25, "a\x00b"], ids=["superscript two", "25 digits", "NUL"])
def test_the_inputs_that_used_to_crash_are_answered_at_every_command(world, odd):
    """The cases the fuzzing found, at every command, every time (not left to chance)."""
    w, loop = world
    for words in command_words:
        typed = f"{words} {odd}"
        _check(_run(loop, type_raw(w["Anna"], typed)), typed)
