"""Free text at the end of a command (`Param(free=True)`: a broadcast, a
goal, an `unpair` reason, a nomination's reason) is kept exactly as typed:
an apostrophe ("don't", "Kalle's") is no unclosed quote, quotes inside it
stay, a broadcast keeps its lines, and words the grammar joins elsewhere
(`gå med`) are not touched. The words before it are read as before (quoted
names, `key=value`, `confirm=yes` after the text), and a quote that never
closes outside free text is still answered with how quotes are written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.commands import load_all
from bot.commands.arguments import parse_args
from bot.commands.registry import lookup_command
from bot.commands.words import tokenize
from bot.store.models import AuditLog, Pairing
from tests.core.cockpit import enroll, paired_world
from tests.core.harness import confirmed, pair_of, texts

load_all()
TODAY = date(2027, 3, 2)


def read(line: str) -> dict[str, object]:
    found = lookup_command(tokenize(line))
    assert found is not None, line
    command, rest = found
    return {k: v for k, v in parse_args(command, rest, TODAY).items() if v is not None}


@pytest.mark.parametrize(
    "line, expected",
    [
        ("broadcast all don't forget the kickoff", {"audience": "all", "text": "don't forget the kickoff"}),
        ("utskick alla Kalle's grupp ses i sal 3", {"audience": "alla", "text": "Kalle's grupp ses i sal 3"}),
        ("broadcast all Vi ska gå med i nätverket", {"audience": "all", "text": "Vi ska gå med i nätverket"}),
        ('broadcast org="Täby kommun" It\'s on', {"org": "Täby kommun", "text": "It's on"}),
        ("broadcast It's on org=Täby", {"org": "Täby", "text": "It's on"}),
        ('goal bli bättre på "svåra samtal"', {"text": 'bli bättre på "svåra samtal"'}),
        ("goal Kalle's sätt att leda", {"text": "Kalle's sätt att leda"}),
        ('goal "change how I delegate"', {"text": "change how I delegate"}),  # wholly quoted: the README's way
        ("goal change 2 Lisa's nya mål", {"n": "2", "text": "Lisa's nya mål"}),
        (
            "unpair 3 she's moving confirm=yes",
            {"pair": "3", "reason": "she's moving", "confirm": "yes"},
        ),
        (
            "unpair 3 'she'\"'\"'s moving' program=mentorprogram-2027",  # the line a button builds (shlex.quote)
            {"pair": "3", "reason": "she's moving", "program": "mentorprogram-2027"},
        ),
    ],
)
def test_free_text_is_read_as_typed(line, expected):
    assert read(line) == expected


def test_a_broadcast_keeps_its_lines_and_its_quotes():
    text = read('broadcast all Hej!\n\nKalle\'s  grupp:\n"Fika" kl. 15')["text"]
    assert text == 'Hej!\n\nKalle\'s grupp:\n"Fika" kl. 15'


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = await paired_world(sqlite_db, clock, request.param)
    await enroll(w, "David", "adept", "Knivsta kommun")
    return w


async def test_typed_in_chat(world, sqlite_db):
    anna, cecilia = world["Anna"], world["Cecilia"]
    (preview,) = await anna.say("broadcast adepts Don't forget: Kalle's room")
    assert preview.kind == "broadcast/preview"
    assert "Don't forget: Kalle's room" in "".join(getattr(b, "text", "") for b in preview.card.blocks)

    (added,) = await cecilia.say('goal bli bättre på "svåra samtal"')
    assert added.kind == "firstmeeting/goal_added", added.text
    async with sqlite_db.read() as s:
        (pair,) = (await s.exec(select(Pairing))).all()
    assert pair.goals == ['bli bättre på "svåra samtal"']

    n = await pair_of(sqlite_db, "Cecilia")
    await confirmed(anna, f"unpair {n} Cecilia's new job")  # Yes runs the line again with confirm=yes
    async with sqlite_db.read() as s:
        assert (await s.get(Pairing, n)).end_reason == "Cecilia's new job"

    # A quote that never closes outside free text: how quotes are written, as before
    # (an apostrophe inside a word, `Hej Kalle's`, is no quote: test_apostrophe_names).
    for line in ('invite "David', f"goal change \"1 {cecilia.name}'s goal", f'unpair "{n} moving', 'Hej "Kalle'):
        chat = cecilia if line.startswith("goal") else anna
        (refused,) = await chat.say(line)
        assert refused.kind == "errors/unbalanced_quotes", (line, texts([refused]))
    async with sqlite_db.read() as s:
        assert "broadcast drafted" in [a.action for a in (await s.exec(select(AuditLog))).all()]
