"""An invitation to a program that closes: the invited who never answered
hear at the close that it no longer holds (through the outbox, counted in
the coordinator's reply), and whatever they do afterwards (the old card's
buttons, a typed `join`, the consent question of an intake they had begun)
is answered that the program has closed, and signs nobody up. Swedish and
English."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import col, select

from bot.messages import Buttons, MessageRef, Outbound, Platform
from bot.outbox import address_from_dict, decode
from bot.ports import DeliveryError
from bot.store.models import DialogState, Enrollment, Person, Program, Reminder
from tests.core.harness import texts
from tests.life.helpers import Year

SAY = {
    "sv": {
        "closed": "*Mentorprogram 2027* är stängt innan det hann komma igång. 4 personer har fått besked om det.",
        "void": "*Mentorprogram 2027* har stängts, så inbjudan till det gäller inte längre och du behöver inte"
        " svara på den.",
        "notice": "*Mentorprogram 2027* har stängts innan det hann komma igång.",
        "refused": "Mentorprogram 2027 är avslutat, så det går inte att anmäla sig till det.",
        "join": ("gå med", "join", "gå med mentorprogram-2027"),
        "yes": "ja",
    },
    "en": {
        "closed": "*Mentorprogram 2027* is closed before it got going. 4 people have been told.",
        "void": "*Mentorprogram 2027* has been closed, so the invitation to it no longer holds and you don't need"
        " to answer it.",
        "notice": "*Mentorprogram 2027* has been closed before it got going.",
        "refused": "Mentorprogram 2027 has closed, so you can't sign up for it.",
        "join": ("join", "gå med", "join mentorprogram-2027"),
        "yes": "yes",
    },
}
TWO = {"Cecilia": ("adept", "Täby kommun", ["change"]), "Frida": ("mentor", "Knivsta kommun", ["change"])}
INVITED = ("Bo", "Dan")


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    """Cecilia and Frida signed up; Bo and Dan invited (their cards kept as
    `year.cards`), neither has answered. Nothing has happened yet."""
    y = Year(sqlite_db, clock, request.param)
    y.say = SAY[request.param]
    await y.start(announce=False, cohort=TWO)
    for name in INVITED:
        await y[name].say("help")
    invited = await y["Anna"].say("invite console:local:bo console:local:dan")
    assert invited[-1].kind == "commands/invited", texts(invited)
    y.cards = {name: y[name].inbox()[-1] for name in INVITED}
    return y


def _buttons(message) -> list[tuple[str, str]]:
    return [
        (b.action_id, b.value)
        for block in (message.card.blocks if message.card else ())
        if isinstance(block, Buttons)
        for b in block.buttons
    ]


async def _close(year: Year) -> str:
    asked = await year["Anna"].say("program close")
    return texts(await year["Anna"].choose(1, asked))


async def _enrollment(year: Year, name: str) -> Enrollment:
    async with year.db.read() as s:
        query = select(Enrollment).join(Person, Person.id == Enrollment.person_id).where(Person.name == name)
        return (await s.exec(query)).one()


async def _active_dialogues(year: Year) -> list[DialogState]:
    async with year.db.read() as s:
        return list((await s.exec(select(DialogState).where(DialogState.status == "active"))).all())


async def test_the_invited_hear_that_the_invitation_no_longer_holds_and_are_counted(year):
    closed = await _close(year)
    assert year.say["closed"] in closed, closed  # Cecilia and Frida, Bo and Dan
    for name in INVITED:
        assert texts(year[name].inbox()) == year.say["void"]
    for name in TWO:
        assert year.say["notice"] in texts(year[name].inbox())
    async with year.db.read() as s:  # each a row of the outbox, written in the close's turn
        rows = (await s.exec(select(Reminder).where(Reminder.template == "lifecycle/invitation_closed"))).all()
        invited = (await s.exec(select(Person.id).where(col(Person.name).in_(INVITED)))).all()
    assert sorted(r.person_id for r in rows) == sorted(invited), rows


async def test_the_old_card_and_a_typed_join_are_answered_that_the_program_closed(year):
    card = year.cards["Bo"]
    buttons = _buttons(card)
    assert [a for a, _ in buttons] == ["invite.join", "nomination.decline"], buttons
    assert {v for _, v in buttons} == {str((await _enrollment(year, "Bo")).id)} != {"1"}
    await _close(year)
    year["Bo"].inbox()
    for action_id, value in buttons:
        replies = await year["Bo"].click(action_id, value, on=card)
        assert [r.kind for r in replies] == ["dialogs/program_closed"], texts(replies)
        assert texts(replies) == year.say["refused"]
    for line in year.say["join"]:
        replies = await year["Bo"].say(line)
        assert texts(replies) == year.say["refused"], (line, texts(replies))
    assert (await _enrollment(year, "Bo")).status == "invited"  # not signed up, not declined: as it was
    assert await _active_dialogues(year) == []


async def test_an_intake_begun_before_the_close_signs_nobody_up_after_it(year):
    """Dan pressed Join and stands at the consent question when the program
    closes; his Yes afterwards is answered that it closed, and he is not
    signing up to it."""
    card = year.cards["Dan"]
    consent = await year["Dan"].click(*_buttons(card)[0], on=card)
    assert consent[-1].kind == "dialogs/ask/consent_adept", texts(consent)
    assert len(await _active_dialogues(year)) == 1
    await _close(year)
    assert texts(year["Dan"].inbox()) == year.say["void"]
    assert await _active_dialogues(year) == []
    replies = await year["Dan"].click(*_buttons(consent[-1])[0], on=consent[-1])  # Yes
    assert texts(replies) == year.say["refused"], texts(replies)
    assert (await _enrollment(year, "Dan")).status == "invited"


async def test_an_intake_left_open_by_an_earlier_close_is_ended_at_its_next_answer(year):
    """A program closed before closes ended intakes: Dan's consent question
    was left open. His typed yes is answered that the program closed, and
    ends it."""
    card = year.cards["Dan"]
    await year["Dan"].click(*_buttons(card)[0], on=card)
    async with year.db.write() as s:
        program = (await s.exec(select(Program))).one()
        program.status = "closed"  # as `program close` left it until now
        s.add(program)
    replies = await year["Dan"].say(year.say["yes"])
    assert texts(replies) == year.say["refused"], texts(replies)
    assert (await _enrollment(year, "Dan")).status == "invited"
    assert await _active_dialogues(year) == []


async def test_a_typed_yes_or_no_at_the_consent_question_the_close_ended_is_answered_as_its_buttons(year):
    """Dan stands at the consent question when `program close` ends his
    intake; typing yes (or no) afterwards gets what its buttons get: the
    program has closed, not "no question is waiting". Bo, who never began
    an intake, still hears that nothing waits."""
    card = year.cards["Dan"]
    consent = await year["Dan"].click(*_buttons(card)[0], on=card)
    assert consent[-1].kind == "dialogs/ask/consent_adept", texts(consent)
    await _close(year)
    year["Dan"].inbox()
    for line in (year.say["yes"], "nej" if year.locale == "sv" else "no"):
        replies = await year["Dan"].say(line)
        assert [r.kind for r in replies] == ["dialogs/program_closed"], (line, texts(replies))
        assert texts(replies) == year.say["refused"], texts(replies)
    assert (await _enrollment(year, "Dan")).status == "invited"
    assert await _active_dialogues(year) == []
    (nothing,) = await year["Bo"].say(year.say["yes"])
    assert nothing.kind == "core/no_open_question", nothing.text


MIDWAY = {
    "sv": "*Mentorprogram 2027* har stängts, så din anmälan till det avbryts och du behöver inte svara på fler frågor."
    " Jag skickar inga fler påminnelser om programmet.",
    "en": "*Mentorprogram 2027* has been closed, so your sign-up to it stops and you don't need to answer any more"
    " questions. I will send no more reminders about the program.",
}
THANKS = {"sv": "Tack för att du var med", "en": "Thank you for taking part"}


async def test_someone_in_the_middle_of_the_intake_is_not_thanked_for_taking_part(year):
    """The program ran (its kickoff was held) and Dan is halfway through his
    intake when it closes: he hears that his sign-up stops, not thanks for
    a year he never took part in; Cecilia, who did, is thanked."""
    await year["Anna"].say('event add kickoff 2027-01-19 13:00 place="Stadshuset"')
    await year.run_until(date(2027, 1, 25))
    card = year.cards["Dan"]
    consent = await year["Dan"].click(*_buttons(card)[0], on=card)
    asked = await year["Dan"].click(*_buttons(consent[-1])[0], on=consent[-1])  # Yes: the intake's first question
    assert (await _enrollment(year, "Dan")).status == "onboarding", texts(asked)
    for name in ("Dan", "Cecilia"):
        year[name].inbox()
    await _close(year)
    assert texts(year["Dan"].inbox()) == MIDWAY[year.locale]
    assert THANKS[year.locale] in texts(year["Cecilia"].inbox())
    assert await _active_dialogues(year) == []


async def _rows(year: Year, template: str) -> dict[str, Reminder]:
    """The outbox rows of `template`, by their reader's name."""
    async with year.db.read() as s:
        query = select(Person.name, Reminder).join(Person, Person.id == Reminder.person_id)
        found = await s.exec(query.where(Reminder.template == template, ~col(Reminder.key).startswith("console:")))
        return {name: row for name, row in found.all()}


async def test_the_invitation_card_itself_says_it_no_longer_holds_and_loses_its_buttons(year):
    """At the close each invitation card still waiting for an answer is
    updated where it is shown (the platform's conversation and message id
    its row kept) to say the invitation no longer holds, with no buttons;
    no second note is posted under it. Should the update not be taken, the
    person's DM gets the words (the row's fallback)."""
    cards = await _rows(year, "commands/invitation")
    updated: list[tuple[MessageRef, Outbound]] = []
    update = year.port.update

    async def recording(ref: MessageRef, message: Outbound) -> None:
        updated.append((ref, message))
        await update(ref, message)

    year.port.update = recording  # type: ignore[method-assign]
    await _close(year)
    refs = {name: MessageRef(Platform.CONSOLE, f"dm:{name.lower()}", str(cards[name].message_id)) for name in INVITED}
    assert [ref for ref, _ in updated] == [refs["Bo"], refs["Dan"]], updated
    assert all(m.text == year.say["void"] and m.card is None for _, m in updated), updated
    assert {cards[name].message_id for name in INVITED} != {None}
    notes = await _rows(year, "lifecycle/invitation_closed")
    for name in INVITED:
        row = notes[name]
        message = decode(row.context["message"], address_from_dict(row.address))
        assert (message.replace, message.card, row.status) == (refs[name], None, "sent"), row
        assert [a["user"] for a in row.context["fallback"]] == [name.lower()], row.context
        assert texts(year[name].inbox()) == year.say["void"]  # the console prints the new words anew


async def test_a_card_that_cannot_be_updated_is_followed_by_the_note(year):
    """Bo's card was sent before the conversation was kept with it (its row
    names none), Dan's row was erased: neither can be updated, and each
    gets the note as a message of its own."""
    cards = await _rows(year, "commands/invitation")
    async with year.db.write() as s:
        bo, dan = [await s.get(Reminder, cards[name].id) for name in INVITED]
        bo.address = {**bo.address, "conversation": None}
        dan.address, dan.context = None, {}
        s.add_all([bo, dan])
    await _close(year)
    notes = await _rows(year, "lifecycle/invitation_closed")
    for name in INVITED:
        row = notes[name]
        message = decode(row.context["message"], address_from_dict(row.address))
        assert (message.replace, row.context.get("fallback"), row.status) == (None, None, "sent"), row
        assert texts(year[name].inbox()) == year.say["void"]


async def test_a_card_the_platform_will_not_update_is_followed_by_the_note(year):
    """The platform refuses the update (the message was deleted): the row
    fails, and its fallback sends the same words to the person's DM as a
    message of its own, not as another update; nobody else is told."""

    async def refused(ref: MessageRef, message: Outbound) -> None:
        raise DeliveryError("chat.update: message_not_found", permanent=True)

    year.port.update = refused  # type: ignore[method-assign]
    await _close(year)
    notes = await _rows(year, "lifecycle/invitation_closed")
    assert {notes[name].status for name in INVITED} == {"failed"}
    await year.dispatcher.tick()
    for name in INVITED:
        (again,) = [m for to, m in year.sent.sent if to.user == name.lower()]
        assert (again.text, again.replace) == (year.say["void"], None), again
    async with year.db.read() as s:
        reports = (await s.exec(select(Reminder).where(Reminder.template == "scheduler/unreachable"))).all()
    assert reports == []
