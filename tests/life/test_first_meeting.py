"""The first meeting: the agreement checklist after the announcement, the
adept's goals (at most three, only the pair sees them, `forget` removes
them), and "is this a good fit?" after the first logged meeting, where a
"no" reaches the coordinator at once with buttons. Swedish and English."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.messages import Buttons
from bot.store.models import AuditLog, Pairing
from tests.core.harness import texts
from tests.life.helpers import started_year

SAY = {
    "sv": {
        "intro": "Inför ert första möte",
        "ticked": "är avklarat. 4 punkter kvar",
        "shared": "har skrivit ett mål",
        "too_many": "redan 3 mål",
        "fit": "Är det här ett bra par för dig?",
        "notice": "tycker inte att paret",
        "ended": "är avslutat",
        "no_pair": "Mål skrivs av adepten",
    },
    "en": {
        "intro": "Before your first meeting",
        "ticked": "is done. 4 items left",
        "shared": "has written a goal",
        "too_many": "already have 3 goals",
        "fit": "Is this a good pair for you?",
        "notice": "does not think the pair",
        "ended": "has ended",
        "no_pair": "Goals are written by the mentee",
    },
}


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    return await started_year(sqlite_db, clock, request.param, SAY)


def _buttons(message) -> list[str]:
    return [b.action_id for block in message.card.blocks if isinstance(block, Buttons) for b in block.buttons]


async def _pair(db, pairing_id: int) -> Pairing:
    async with db.read() as s:
        return await s.get(Pairing, pairing_id)


async def test_checklist_goals_and_a_good_fit_no_reaching_the_coordinator(year):
    say, cecilia, frida, anna = year.say, year["Cecilia"], year["Frida"], year["Anna"]
    checklist = next(m for m in cecilia.inbox() if m.kind == "firstmeeting/checklist_intro")
    assert say["intro"] in checklist.text and len(_buttons(checklist)) == 5
    assert any(m.kind == "firstmeeting/checklist_intro" for m in frida.inbox())
    pair_id = int(checklist.card.blocks[-1].buttons[0].value)
    ticked = await cecilia.click("agree.confidentiality", str(pair_id))
    assert say["ticked"] in texts(ticked) and "agree.confidentiality" not in _buttons(ticked[0])

    # Goals: the adept writes them, her mentor is told, a fourth is refused, the mentor cannot write one.
    for goal in ("Leda genom en omorganisation", "Bli tryggare i lönesamtal", "Hinna reflektera"):
        await cecilia.say(f"goal {goal}")
    assert say["shared"] in texts(frida.inbox())
    assert say["too_many"] in texts(await cecilia.say("goal Ett fjärde mål"))
    assert say["no_pair"] in texts(await frida.say("goal Mitt eget mål"))
    listed = texts(await frida.say("goals")).splitlines()  # each goal on a numbered line of its own
    assert listed[1:] == ["1. Leda genom en omorganisation", "2. Bli tryggare i lönesamtal", "3. Hinna reflektera"]
    assert "Hinna reflektera" not in texts(await year["David"].say("goals"))
    async with year.db.read() as s:  # the audit log keeps that a goal was added, never its words
        details = [a.detail for a in (await s.exec(select(AuditLog).where(AuditLog.action == "goal added"))).all()]
    assert details and all("Leda" not in str(d) for d in details)

    # The first logged meeting asks each member privately; a second one does not ask again.
    mine = await cecilia.say("met")
    assert say["fit"] in texts(mine)
    fit = [m for m in frida.inbox() if m.kind == "firstmeeting/fit_question"]
    assert len(fit) == 1 and _buttons(fit[0]) == ["fit.yes", "fit.no"]
    await frida.choose(2, fit)  # "no"
    notice = [m for m in anna.inbox() if m.kind == "firstmeeting/fit_no_notice"]
    assert len(notice) == 1 and say["notice"] in notice[0].text and "Frida" in notice[0].text
    assert _buttons(notice[0]) == ["fitcheck.talk", "fitcheck.rematch", "fitcheck.keep"]
    assert "Leda" not in notice[0].text  # the goals stay with the pair
    assert [m.kind for m in cecilia.inbox()] == []  # Cecilia is not told Frida's answer
    refused = await year["David"].click("fitcheck.rematch", notice[0].card.blocks[-1].buttons[1].value)
    assert [r.kind for r in refused] == ["errors/not_coordinator"]
    assert say["ended"] in texts(await anna.choose(2, notice))
    assert (await _pair(year.db, pair_id)).status == "ended"


async def test_forget_removes_the_adepts_goals(year):
    cecilia = year["Cecilia"]
    await cecilia.say("goal Leda genom en omorganisation")
    asked = await cecilia.say("forget")
    await cecilia.choose(1, asked)
    async with year.db.read() as s:
        assert [p.goals for p in (await s.exec(select(Pairing))).all()] == [[], [], []]
