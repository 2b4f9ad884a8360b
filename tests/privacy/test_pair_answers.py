"""A pair member's private answers ("is this a good fit?", "go on on your
own?") stay theirs: the other member's `mydata` file holds only their own
answers, never the partner's, while the pair's shared ticks stay in both."""

from __future__ import annotations

import json

import pytest
from sqlmodel import select

from bot.store.models import Person
from tests.life.helpers import started_year


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    return await started_year(sqlite_db, clock, request.param, {"sv": {}, "en": {}})


async def _my_data(chat) -> dict:
    reply = (await chat.say("mydata"))[0]
    (file,) = reply.files
    return json.loads(file.data)


async def _id(year, name: str) -> int:
    async with year.db.read() as s:
        return (await s.exec(select(Person.id).where(Person.name == name))).one()


async def test_mydata_holds_my_own_private_answers_and_not_my_partners(year):
    cecilia, frida = year["Cecilia"], year["Frida"]
    checklist = next(m for m in cecilia.inbox() if m.kind == "firstmeeting/checklist_intro")
    pair = checklist.card.blocks[-1].buttons[0].value
    await cecilia.click("agree.where", pair)  # a shared tick: both may read it
    await cecilia.say("met")
    await frida.choose(1, [m for m in frida.inbox() if m.kind == "firstmeeting/fit_question"])  # yes
    await frida.click("continue.yes", pair)  # she would go on; Cecilia has not answered
    frida_id, cecilia_id = str(await _id(year, "Frida")), str(await _id(year, "Cecilia"))

    (hers,) = (await _my_data(frida))["pairs"]
    assert hers["checks"]["fit"] == {frida_id: True} and hers["checks"]["continue"] == {frida_id: True}

    (cecilias,) = (await _my_data(cecilia))["pairs"]
    assert cecilias["checks"]["fit"] == {} and cecilias["checks"]["continue"] == {}
    assert cecilias["checks"]["agreement"] == {"where": int(cecilia_id)}
    assert "fit_asked" in cecilias["checks"]
