"""A program's end: `program close` (confirm; refuses while pairs are live
unless forced), and after the end date no nudge and no stall notice; a bare
`pause` ("until the program ends") gets no nudge on the closing day."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.store.models import Pairing, Person, Program, Reminder
from tests.core.harness import enroll, texts
from tests.life.helpers import Year

SAY = {
    "sv": {
        "not_sent": "3 par i *Mentorprogram 2027* är fortfarande igång, och avslutningsfrågan (om paren vill"
        " fortsätta träffas på egen hand) har inte skickats ännu: den går ut 14 dec. 2027, efter avslutningsträffen."
        " Stänger du nu skickas inga fler påminnelser, frågan skickas aldrig och paren markeras som avslutade.",
        "never_asked": "3 par som fortfarande är igång markeras som avslutade, och avslutningsfrågan skickas aldrig.",
        "confirm": "Vill du stänga",
        "kept": "fortsätter som förut",
        "closed": "är stängt",
        "archived": "är arkiverat",
        "paused": "paus",
        "invited": "2 personer som är inbjudna men inte har anmält sig än får besked om att inbjudan inte längre"
        " gäller.",
        "onboarding": "1 person som är mitt i sin anmälan får besked om att programmet är stängt",
    },
    "en": {
        "not_sent": "3 pairs in *Mentorprogram 2027* are still running, and the close-out question (whether the"
        " pairs want to go on meeting on their own) has not been sent yet: it goes out on 14 Dec 2027, after the"
        " closing event. If you close now, no more reminders are sent, the question is never sent and the pairs"
        " are marked completed.",
        "never_asked": "3 pairs still running are marked completed, and the close-out question is never sent.",
        "confirm": "Do you want to close",
        "kept": "carries on as before",
        "closed": "is closed",
        "archived": "is archived",
        "paused": "pause",
        "invited": "2 people invited who have not signed up yet are told the invitation no longer holds.",
        "onboarding": "1 person in the middle of signing up is told the program has closed",
    },
}


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    y = Year(sqlite_db, clock, request.param)
    y.say = SAY[request.param]
    return y


async def _program(db) -> Program:
    async with db.read() as s:
        return (await s.exec(select(Program))).one()


async def test_program_close_asks_and_refuses_while_pairs_are_live_unless_forced(year):
    await year.start()
    anna = year["Anna"]
    await anna.say('event add closing 2027-12-14 15:00 place="Stadshuset"')
    # Before the closing event the close-out question has not gone out: the
    # answer says so, when it will, and what closing now would mean.
    refused = texts(await anna.say("program close"))
    assert year.say["not_sent"] in refused
    assert (await _program(year.db)).status == "active"
    asked = await anna.say("program close force=yes")
    assert year.say["confirm"] in texts(asked) and year.say["never_asked"] in texts(asked)
    assert year.say["kept"] in texts(await anna.choose(2, asked))
    assert (await _program(year.db)).status == "active"
    assert year.say["closed"] in texts(await anna.choose(1, asked))
    program = await _program(year.db)
    assert program.status == "closed" and program.closed_at == year.clock.now()
    async with year.db.read() as s:
        assert {p.status for p in (await s.exec(select(Pairing))).all()} == {"completed"}
        assert (await s.exec(select(Reminder).where(Reminder.status == "pending"))).all() == []
    assert year.say["archived"] in texts(await anna.say("program archive mentorprogram-2027"))
    assert (await _program(year.db)).status == "archived"


async def test_the_close_question_names_open_invitations_and_sign_ups_under_way(year):
    """A program that has not started, with people invited (who have not
    signed up) and one in the middle of her intake: the question says what
    closing means for them, before anything is done."""
    cohort = {"Cecilia": ("adept", "Täby kommun", ["change"]), "Frida": ("mentor", "Knivsta kommun", ["change"])}
    await year.start(announce=False, cohort=cohort)
    for name, status in (("Gustav", "invited"), ("Hanna", "invited"), ("David", "onboarding")):
        await enroll(year.db, year.clock, 1, name, "adept", "Täby kommun", ["change"], status=status)
    asked = await year["Anna"].say("program close")
    assert year.say["confirm"] in texts(asked), texts(asked)
    assert year.say["invited"] in texts(asked) and year.say["onboarding"] in texts(asked), texts(asked)
    assert (await _program(year.db)).status == "active"


async def test_a_participant_cannot_close_a_program(year):
    await year.start(announce=False)
    replies = await year["Cecilia"].say("program close force=yes")
    assert [r.kind for r in replies] == ["errors/not_coordinator"]
    program = await _program(year.db)
    replies = await year["Cecilia"].click("program.close.confirm", f"{program.id}:force")
    assert [r.kind for r in replies] == ["errors/not_coordinator"]
    assert (await _program(year.db)).status == "active"


async def test_after_the_end_no_nudge_or_stall_and_a_bare_pause_lasts_to_the_end(year):
    end = date(2027, 12, 15)  # a Wednesday: the closing day
    await year.start(end=end.isoformat())
    await year.run_until(date(2027, 11, 1))
    assert year.received("Cecilia", "nudges/nudge")  # the year had nudges
    assert year.say["paused"] in texts(await year["Cecilia"].say("pause")).lower()
    async with year.db.read() as s:  # the planner plans none (not even on the closing day) ...
        planned = (
            await s.exec(
                select(Reminder).where(
                    Reminder.status == "pending", Reminder.kind == "nudge", Reminder.subject == "pair:1"
                )
            )
        ).all()
    assert planned == []
    await year.run_until(date(2028, 2, 15))
    assert [d for d, _ in year.received("Cecilia", "nudges/nudge") if d >= date(2027, 11, 1)] == []
    assert [d for d, _ in year.received("Frida", "nudges/nudge") if d >= date(2027, 11, 1)] == []
    late = [
        (d, who, kind) for d, who, kind in year.kinds_sent(end) if kind in ("nudges/nudge", "scheduler/stall_report")
    ]
    assert late == []


TOLD = {
    "sv": {
        "closed": "*Mentorprogram 2027* är stängt. 7 personer har fått besked om det.",
        "notice": "*Mentorprogram 2027* är nu avslutat. Tack för att du var med!",
        "go_on": "Du och {} får gärna fortsätta att träffas på egen hand om ni vill",
        "met": "*Mentorprogram 2027* är avslutat, så jag loggar inga fler träffar. Ni får gärna fortsätta att träffas"
        " på egen hand om ni vill.",
        "not_matched": "När ni har matchats",
    },
    "en": {
        "closed": "*Mentorprogram 2027* is closed. 7 people have been told.",
        "notice": "*Mentorprogram 2027* has now closed. Thank you for taking part!",
        "go_on": "You and {} are welcome to go on meeting on your own if you want to",
        "met": "*Mentorprogram 2027* has closed, so I log no more meetings. You are welcome to go on meeting on your"
        " own if you want to.",
        "not_matched": "Once you have been matched",
    },
}


async def test_closing_early_tells_each_participant_in_their_language_and_met_says_it_closed(year):
    """Closed with force before the close-out: everyone taking part hears it,
    each in their own language (Cecilia reads English in a Swedish program,
    and the other way round); those in a running pair that they may go on
    on their own, Vera (never matched) only that it closed, Ulla (left)
    nothing. Afterwards `met` says the program closed, not "once you have
    been matched"."""
    other = "en" if year.locale == "sv" else "sv"
    await year.start()
    await enroll(year.db, year.clock, 1, "Vera", "adept", "Täby kommun", ["budget"])
    await enroll(year.db, year.clock, 1, "Ulla", "adept", "Täby kommun", ["budget"], status="left")
    async with year.db.write() as s:
        cecilia = (await s.exec(select(Person).where(Person.name == "Cecilia"))).one()
        cecilia.locale = other
        s.add(cecilia)
    asked = await year["Anna"].say("program close force=yes")
    assert TOLD[year.locale]["closed"] in texts(await year["Anna"].choose(1, asked))
    frida = texts(year["Frida"].inbox())
    assert TOLD[year.locale]["notice"] in frida and TOLD[year.locale]["go_on"].format("Cecilia") in frida, frida
    cecilia = texts(year["Cecilia"].inbox())
    assert TOLD[other]["notice"] in cecilia and TOLD[other]["go_on"].format("Frida") in cecilia, cecilia
    vera = texts(year["Vera"].inbox())
    assert TOLD[year.locale]["notice"] in vera and TOLD[year.locale]["go_on"].format("")[:6] not in vera, vera
    assert year["Ulla"].inbox() == []
    met = texts(await year["David"].say("met"))
    assert met == TOLD[year.locale]["met"], met
    met = texts(await year["Cecilia"].say("met"))
    assert TOLD[other]["met"] == met and TOLD[other]["not_matched"] not in met, met


async def test_the_answer_to_the_close_question_is_in_the_questions_language(sqlite_db, clock):
    """An English program closed by a coordinator of a Swedish installation:
    the question is in her language, not the program's (a coordinator's
    replies do not follow the program she works on), and so is what follows
    the press."""
    year = Year(sqlite_db, clock, "sv")
    anna = year["Anna"]
    await anna.say("program create English Pilot start=2027-01-19 end=2027-12-15 locale=en")
    asked = await anna.say("program close force=yes")
    assert "Vill du stänga *English Pilot*?" in texts(asked)
    assert "*English Pilot* är stängt innan det hann komma igång." in texts(await anna.choose(1, asked))


NEVER_RAN = {
    "sv": {
        "closed": "*Mentorprogram 2027* är stängt innan det hann komma igång. 2 personer har fått besked om det."
        " Arkivera det med `program arkivera` när ni inte behöver det längre.",
        "notice": "*Mentorprogram 2027* har stängts innan det hann komma igång. Jag skickar inga fler påminnelser"
        " om programmet.",
        "thanks": ("Tack för året", "Tack för att du var med"),
        "ran": "*Mentorprogram 2027* är stängt. 2 personer har fått besked om det. Tack för året!",
    },
    "en": {
        "closed": "*Mentorprogram 2027* is closed before it got going. 2 people have been told. Archive it with"
        " `program archive` when you no longer need it.",
        "notice": "*Mentorprogram 2027* has been closed before it got going. I will send no more reminders about"
        " the program.",
        "thanks": ("Thank you for the year", "Thank you for taking part"),
        "ran": "*Mentorprogram 2027* is closed. 2 people have been told. Thank you for the year!",
    },
}
TWO = {"Cecilia": ("adept", "Täby kommun", ["change"]), "Frida": ("mentor", "Knivsta kommun", ["change"])}


async def test_a_program_closed_before_it_got_going_thanks_nobody_for_the_year(year):
    """Created, two signed up, and closed before any pair was announced or
    any event held (its kickoff is two weeks away): neither the coordinator
    nor the two are thanked for a year that never was."""
    said = NEVER_RAN[year.locale]
    await year.start(announce=False, cohort=TWO)
    await year["Anna"].say('event add kickoff 2027-01-19 13:00 place="Stadshuset"')
    for name in TWO:
        year[name].inbox()  # the new event
    asked = await year["Anna"].say("program close")
    closed = texts(await year["Anna"].choose(1, asked))
    assert closed == said["closed"], closed
    for name in TWO:
        notice = texts(year[name].inbox())
        assert notice == said["notice"], notice
    assert not any(thanks in closed for thanks in said["thanks"])


async def test_a_program_whose_kickoff_was_held_ran(year):
    """No pair yet, but the kickoff was held: the program ran, and the
    close thanks them as before."""
    said = NEVER_RAN[year.locale]
    await year.start(announce=False, cohort=TWO)
    await year["Anna"].say('event add kickoff 2027-01-19 13:00 place="Stadshuset"')
    await year.run_until(date(2027, 1, 25))
    asked = await year["Anna"].say("program close")
    assert said["ran"] in texts(await year["Anna"].choose(1, asked))
    assert said["thanks"][1] in texts(year["Cecilia"].inbox())
