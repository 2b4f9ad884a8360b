"""A mentor out of the matching pool (paused, waiting for approval, full) is
named when they are the one who fits an adept left without a mentor, instead
of a reason that blames the organisation rule or the exclusions; the adept is
told kindly, without anyone's name. An adept out of the pool (paused, waiting
for approval) is named in the draft as left out, with why and nothing else.
Swedish and English, through the console."""

from __future__ import annotations

import pytest

from bot.store.models import EnrollmentStatus
from tests.core.cockpit import announce, cockpit_world, enroll
from tests.core.harness import confirmed, pair_of, texts

SAY = {
    "sv": {
        "paused": "den enda mentorn som passar har ingen plats just nu: David är pausad till 19 jan. 2028",
        "two": "de 2 mentorer som passar har ingen plats just nu: David är pausad till 19 jan. 2028; "
        "Gustav väntar på ditt godkännande",
        "full": "den enda mentorn som passar har ingen plats just nu: David har fullt (1 av 1)",
        "rule": "ingen mentor uppfyller regeln",
        "excluded": "uteslutna",
        "notice": "mentorerna som passar dig kan inte ta emot någon adept just nu",
        "left_out": "Inte med i förslaget:\n• Eva är pausad till 19 jan. 2028\n• Frans väntar på ditt godkännande",
    },
    "en": {
        "paused": "the one mentor who fits has no place right now: David is paused until 19 Jan 2028",
        "two": "the 2 mentors who fit have no place right now: David is paused until 19 Jan 2028; "
        "Gustav is waiting for your approval",
        "full": "the one mentor who fits has no place right now: David is full (1 of 1)",
        "rule": "no mentor meets the rule",
        "excluded": "excluded",
        "notice": "the mentors who fit you cannot take a mentee right now",
        "left_out": "Left out of this draft:\n• Eva is paused until 19 Jan 2028\n• Frans is waiting for your approval",
    },
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = await cockpit_world(sqlite_db, clock, request.param)
    w.say = SAY[request.param]
    # Eva's only mentor from another organisation is David; Bertil may have either.
    await w["Anna"].say("org add Vallentuna kommun")
    await enroll(w, "Bertil", "adept", "Vallentuna kommun")
    await enroll(w, "Eva", "adept", "Knivsta kommun")
    await enroll(w, "Cecilia", "mentor", "Knivsta kommun")
    await enroll(w, "David", "mentor", "Täby kommun")
    return w


def _card_text(messages) -> str:
    return "\n".join(b.text for m in messages if m.card for b in m.card.blocks if hasattr(b, "text"))


def _line(draft: str, name: str) -> str:
    return next(line for line in draft.splitlines() if line.startswith(f"• {name}: "))


async def test_a_paused_mentor_is_named_and_matched_once_back(world):
    anna, say = world["Anna"], world.say
    await world["David"].say("pause")  # until the program ends, 2028-01-19
    eva = _line(_card_text(await anna.say("match")), "Eva")
    assert say["paused"] in eva and say["rule"] not in eva
    # Announced as it is: Eva hears that the mentors who fit have no place now, and no name.
    await anna.say("match approve")
    await anna.say("match announce")
    notice = texts(world["Eva"].inbox())
    assert say["notice"] in notice and "David" not in notice
    await world["David"].say("resume")
    assert "• Eva:" not in _card_text(await anna.say("match"))


async def test_mentors_waiting_for_approval_are_named_too(world):
    await enroll(world, "Gustav", "mentor", "Täby kommun", status=EnrollmentStatus.PENDING)
    await world["David"].say("pause")
    eva = _line(_card_text(await world["Anna"].say("match")), "Eva")
    assert world.say["two"] in eva


async def test_a_full_mentor_is_named_not_called_excluded(world):
    anna, say = world["Anna"], world.say
    await announce(world)  # Bertil with Cecilia, Eva with David
    await confirmed(anna, f"unpair {await pair_of(world.core.db, 'Bertil')} byter tjänst")
    bertil = _line(_card_text(await anna.say("match")), "Bertil")
    assert say["full"] in bertil and say["excluded"] not in bertil


async def test_adepts_out_of_the_pool_are_named_as_left_out_of_the_draft(world):
    anna, say = world["Anna"], world.say
    await enroll(world, "Frans", "adept", "Täby kommun", status=EnrollmentStatus.PENDING)
    await world["Eva"].say("pause")  # until the program ends, 2028-01-19
    draft = _card_text(await anna.say("match"))
    assert say["left_out"] in draft, draft
    left_out = draft[draft.index(say["left_out"]) :].split("\n\n")[0]
    assert "Knivsta" not in left_out and "Täby" not in left_out  # the name and why, nothing more
    await world["Eva"].say("resume")
    assert say["left_out"].split("\n")[1] not in _card_text(await anna.say("match"))
