"""Text a person types, at the core's door (`bot.inputs.clean_inbound`):
bidirectional controls never reach anyone else, right-to-left letters do."""

from __future__ import annotations

from sqlmodel import select

from bot.inputs import clean
from bot.store.models import Pairing
from tests.life.helpers import Year

# Embeddings, overrides and isolates: each reorders what follows it on screen.
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_clean_drops_the_bidirectional_controls_and_keeps_right_to_left_letters():
    assert clean("\u202egnp.exe\u202c") == "gnp.exe"
    assert clean("".join(f"{c}x" for c in BIDI)) == "x" * len(BIDI)
    names = "سارة الأحمد، דנה כהן \u200f(RLM)\u200e \u061c"  # letters of both scripts, and the marks
    assert clean(names) == names


async def _goals(db) -> list[str]:
    async with db.read() as session:
        return [g for p in (await session.exec(select(Pairing))).all() for g in p.goals or []]


async def test_a_goal_with_a_right_to_left_override_reaches_the_mentor_in_the_order_it_was_typed(sqlite_db, clock):
    world = Year(sqlite_db, clock, "en")
    await world.start()
    world["Hanna"].inbox()
    await world["Erik"].say("goal \u202egnp.exe\u202c and \u2067ليلى\u2069 \u202bדנה\u202c")
    (shared,) = world["Hanna"].inbox()
    assert "gnp.exe and ليلى דנה" in shared.text
    assert not set(BIDI) & set(shared.text)
    assert await _goals(sqlite_db) == ["gnp.exe and ليلى דנה"]
