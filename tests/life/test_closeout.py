"""The close-out: at the closing event each member is asked whether to go on
on their own; both yes makes the pair `continuing` (a warm goodbye with each
other's contact details), otherwise `completed`; the program is `closing`
once asked and closes without force when every pair has settled; after that
no nudge and no stall digest. Swedish and English."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.store.models import Pairing, Person, Program, Reminder
from tests.core.harness import texts
from tests.life.helpers import Year

SAY = {
    "sv": {
        "asked": "Vill du fortsätta träffa",
        "lovely": "Vad fint att ni fortsätter",
        "thanks": "Tack för året",
        "waiting": "har inte svarat på avslutningsfrågan",
        "closed": "är stängt",
        "settled": "Din mentor: Frida, Knivsta kommun (paret: fortsätter på egen hand).",
        "settled_no": "Din adept: David, Knivsta kommun (paret: genomfört).",
        "ended": "programmet avslutades 15 dec. 2027.",
        "on_your_own": "Ni som fortsätter på egen hand bestämmer själva när ni ses",
        "no_mentee": "ingen adept ännu",
        "home_continuing": "Ditt par med Frida fortsätter på egen hand: ni bestämmer själva när ni ses, "
        "och jag skickar inga fler påminnelser.",
        "home_completed": "Ditt par med David har genomfört programåret.",
        "home_soon": "Samordnaren matchar snart",
        "home_ended": "har avslutats",
    },
    "en": {
        "asked": "Do you want to go on meeting",
        "lovely": "How lovely that you two go on",
        "thanks": "Thank you for the year",
        "waiting": "have not answered the close-out question",
        "closed": "is closed",
        "settled": "Your pair: Frida, Knivsta kommun (continuing on their own).",
        "settled_no": "Your pair: David, Knivsta kommun (completed).",
        "ended": "the program ended on 15 Dec 2027.",
        "on_your_own": "Those of you going on on your own decide when you meet",
        "no_mentee": "no mentee yet",
        "home_continuing": "Your pair with Frida continues on its own: you decide when you meet, "
        "and I send no more reminders.",
        "home_completed": "Your pair with David has completed the program year.",
        "home_soon": "The coordinator will match you soon",
        "home_ended": "has ended",
    },
}


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    y = Year(sqlite_db, clock, request.param)
    await y.start(end="2027-12-15")
    await y["Anna"].say('event add closing 2027-12-14 15:00 place="Stadshuset"')
    async with sqlite_db.write() as s:
        frida = (await s.exec(select(Person).where(Person.name == "Frida"))).one()
        frida.email = "frida@knivsta.se"
        s.add(frida)
    y.say = SAY[request.param]
    return y


async def _statuses(db) -> dict[int, str]:
    async with db.read() as s:
        return {p.id: p.status for p in (await s.exec(select(Pairing))).all()}


def _question(year: Year, name: str):
    return next(m for at, to, m in year.sent.log if to.user == name.lower() and m.kind == "closeout/question")


async def test_one_pair_continues_one_completes_and_then_nothing_is_sent(year):
    await year.run_until(date(2027, 12, 15))
    asked = {to.user for _, to, m in year.sent.log if m.kind == "closeout/question"}
    assert asked == {"cecilia", "david", "erik", "frida", "gustav", "hanna"}
    assert year.say["asked"] in _question(year, "Cecilia").text
    async with year.db.read() as s:
        assert (await s.exec(select(Program))).one().status == "closing"

    await year["Cecilia"].choose(1, [_question(year, "Cecilia")])  # yes
    await year["Frida"].choose(1, [_question(year, "Frida")])  # yes
    goodbye = texts(year["Cecilia"].inbox())
    assert year.say["lovely"] in goodbye and "frida@knivsta.se" in goodbye
    await year["David"].choose(1, [_question(year, "David")])  # yes
    await year["Gustav"].choose(2, [_question(year, "Gustav")])  # no
    assert year.say["thanks"] in texts(year["David"].inbox())
    statuses = sorted((await _statuses(year.db)).values())
    assert statuses == ["announced", "completed", "continuing"]

    assert year.say["waiting"] in texts(await year["Anna"].say("program close"))  # Erik and Hanna
    await year["Erik"].choose(2, [_question(year, "Erik")])
    asked = await year["Anna"].say("program close")
    assert year.say["closed"] in texts(await year["Anna"].choose(1, asked))
    assert sorted((await _statuses(year.db)).values()) == ["completed", "completed", "continuing"]
    async with year.db.read() as s:
        pending = (await s.exec(select(Reminder).where(Reminder.status == "pending"))).all()
    assert pending == []
    await year.run_until(date(2028, 3, 1))
    late = [k for d, _, k in year.kinds_sent(date(2027, 12, 15)) if k in ("nudges/nudge", "scheduler/stall_digest")]
    assert late == []


async def test_a_stranger_cannot_answer_for_a_pair(year):
    await year.run_until(date(2027, 12, 15))
    value = _question(year, "Cecilia").card.blocks[-1].buttons[0].value
    replies = await year["Hanna"].click("continue.yes", value)
    assert [r.kind for r in replies] == ["errors/stale_action"]


async def test_after_the_closing_event_no_pair_is_nudged_or_reported_stalled(sqlite_db, clock):
    """The closing event (25 Nov) comes two weeks before the end date (10 Dec):
    "thank you for the year" goes out that evening, and from then on no pair,
    answered or not, gets "have you met?", and no stall digest names them."""
    year = Year(sqlite_db, clock, "sv")
    await year.start(end="2027-12-10")
    anna = year["Anna"]
    for line in ("program set nudge=21-22", 'event add closing 2027-11-25 14:00 place="Stadshuset"'):
        await anna.say(line)
    await year.run_until(date(2027, 10, 1))
    await year["David"].say("träffats 2027-10-01 90")  # 56 quiet days later, 26 November, David's pair stalls
    await year.run_until(date(2027, 11, 12))
    await year["Cecilia"].say("träffats 2027-11-12 90")  # her next round would be early December
    await year.run_until(date(2027, 12, 11))
    asked = sorted(day for day, _ in year.received("Cecilia", "closeout/question"))
    assert asked == [date(2027, 11, 25)]
    late = [
        (d, who, k)
        for d, who, k in year.kinds_sent(date(2027, 11, 25))
        if k in ("nudges/nudge", "scheduler/stall_digest")
    ]
    assert late == []
    before = [d for d, _, k in year.kinds_sent(date(2027, 1, 1)) if k == "scheduler/stall_digest"]
    assert before and max(before) < date(2027, 11, 25)  # Erik and Hanna, who never met, were reported
    async with year.db.read() as s:
        pending = (
            await s.exec(select(Reminder).where(Reminder.status == "pending", Reminder.kind.in_(("nudge", "digest"))))
        ).all()
    assert pending == []


async def _home_text(year: Year, name: str) -> str:
    (home,) = await year[name].say("home")
    return "\n".join(getattr(b, "text", "") for b in home.card.blocks)


async def test_status_shows_the_settled_pairs_and_after_the_end_that_the_program_ended(year):
    """After the close-out Cecilia and Frida go on on their own and Gustav's
    pair with David is done: until the end date their status shows the
    pairs so (not "no mentee yet"), and their home card too (not "the
    coordinator will match you soon"); the day after, that the program ended
    and that those who go on decide when they meet."""
    await year.run_until(date(2027, 12, 15))
    await year["Cecilia"].choose(1, [_question(year, "Cecilia")])  # yes
    await year["Frida"].choose(1, [_question(year, "Frida")])  # yes
    await year["Gustav"].choose(2, [_question(year, "Gustav")])  # no
    cecilia, gustav = texts(await year["Cecilia"].say("status")), texts(await year["Gustav"].say("status"))
    assert year.say["settled"] in cecilia and year.say["ended"] not in cecilia, cecilia
    assert year.say["settled_no"] in gustav and year.say["no_mentee"] not in gustav, gustav
    # Their home card says the same, not "the coordinator will match you soon".
    cecilia, gustav = await _home_text(year, "Cecilia"), await _home_text(year, "Gustav")
    assert year.say["home_continuing"] in cecilia and year.say["home_soon"] not in cecilia, cecilia
    assert year.say["home_completed"] in gustav and year.say["home_soon"] not in gustav, gustav
    assert year.say["home_ended"] not in cecilia + gustav
    await year.run_until(date(2027, 12, 16))
    cecilia, gustav = texts(await year["Cecilia"].say("status")), texts(await year["Gustav"].say("status"))
    assert year.say["ended"] in cecilia and year.say["on_your_own"] in cecilia, cecilia
    assert year.say["ended"] in gustav and year.say["settled_no"] in gustav, gustav
    assert year.say["on_your_own"] not in gustav and year.say["no_mentee"] not in gustav, gustav


AFTER = {
    "sv": {
        "notice": "är nu avslutat. Tack för att du var med!",
        "go_on": "Du och {} får gärna fortsätta",
        "met_continuing": "Ert programår i *Mentorprogram 2027* är avslutat, så jag loggar inga fler träffar. Ni"
        " fortsätter på egen hand och bestämmer själva när ni ses.",
        "met_completed": "*Mentorprogram 2027* är avslutat, så jag loggar inga fler träffar.",
        "met_free": "*Mentorprogram 2027* är avslutat, så jag loggar inga fler träffar. Ni får gärna fortsätta att"
        " träffas på egen hand om ni vill.",
    },
    "en": {
        "notice": "has now closed. Thank you for taking part!",
        "go_on": "You and {} are welcome to go on",
        "met_continuing": "Your program year in *Mentorprogram 2027* is over, so I log no more meetings. You go on"
        " on your own and decide yourselves when you meet.",
        "met_completed": "*Mentorprogram 2027* has closed, so I log no more meetings.",
        "met_free": "*Mentorprogram 2027* has closed, so I log no more meetings. You are welcome to go on meeting"
        " on your own if you want to.",
    },
}


async def test_closing_after_the_close_out_tells_only_those_it_did_not_say_goodbye_to(year):
    """The close-out said goodbye to the pairs that settled (Cecilia and
    Frida go on, David and Gustav are done): closing the program tells them
    nothing twice; Erik and Hanna, whose pair never settled (Hanna did not
    answer), hear that it closed and that they may go on on their own. `met`
    says each pair's year is over, and what became of it."""
    say = AFTER[year.locale]
    await year.run_until(date(2027, 12, 15))
    for name, pick in (("Cecilia", 1), ("Frida", 1), ("David", 1), ("Gustav", 2), ("Erik", 1)):
        await year[name].choose(pick, [_question(year, name)])
    assert texts(await year["Cecilia"].say("met")) == say["met_continuing"]  # closing, not yet closed
    for name in COHORT_NAMES:
        year[name].inbox()
    asked = await year["Anna"].say("program close force=yes")
    assert year.say["closed"] in texts(await year["Anna"].choose(1, asked))
    for name in ("Cecilia", "Frida", "David", "Gustav"):
        assert year[name].inbox() == [], name
    erik, hanna = texts(year["Erik"].inbox()), texts(year["Hanna"].inbox())
    assert say["notice"] in erik and say["go_on"].format("Hanna") in erik, erik
    assert say["notice"] in hanna and say["go_on"].format("Erik") in hanna, hanna
    assert texts(await year["Gustav"].say("met")) == say["met_completed"]
    assert texts(await year["Hanna"].say("met")) == say["met_free"]


COHORT_NAMES = ("Cecilia", "David", "Erik", "Frida", "Gustav", "Hanna")
