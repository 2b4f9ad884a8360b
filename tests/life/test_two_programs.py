"""A participant in two running programs: no command picks one silently.

A command that changes something (join, leave, pause, resume) asks which,
with a card whose buttons carry the program ids (not positions) and the
typed form `program=SLUG`; one that shows something (status, calendar)
shows them all; where only one program is relevant it is used. A pause is
one program's, and ends with that program at the latest. Olof (Solna stad)
is a mentor in Alfa (ends 10 Dec 2027) and Beta (ends 15 Jun 2028); a third
program, Täby's, is open to neither him nor Gunilla (Sundbybergs stad, in
Beta only), and makes the program ids differ from the positions."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.messages import Buttons
from bot.store.models import Enrollment, EnrollmentStatus, Organisation, Person, Program
from tests.core.harness import World, enroll, make_core, texts, typed_cleanly

SETUP = (
    "program create Täby 2027 start=2027-01-19 end=2027-12-15",
    "program create Alfa 2027 start=2027-01-19 end=2027-12-10",
    "program create Beta 2027 start=2027-09-01 end=2028-06-15",
    "org add Täby kommun program=taby-2027",
    "org add Solna stad program=alfa-2027",
    "org add Solna stad program=beta-2027",
    "org add Sundbybergs stad program=beta-2027",
)
SAY = {
    "sv": {
        "which": "vilket menar du?",
        "typed_leave": "`lämna program=beta-2027`",
        "typed_join": "`gå med roll=mentor program=beta-2027`",
        "typed_pause": "`pausa till=2027-11-01 program=alfa-2027`",
        "paused_alfa": "Pausat i Alfa 2027 till programmets slut, 10 dec. 2027",
        "status_alfa": "pausad till 10 dec. 2027",
        "status_paused": "pausad till",
        "leave_beta": "Vill du verkligen lämna Beta 2027?",
        "coordinator_only": "program välj",
        "resumed_beta": "Välkommen tillbaka till Beta 2027!",
    },
    "en": {
        "which": "which one do you mean?",
        "typed_leave": "`leave program=beta-2027`",
        "typed_join": "`join role=mentor program=beta-2027`",
        "typed_pause": "`pause until=2027-11-01 program=alfa-2027`",
        "paused_alfa": "Paused in Alfa 2027 until the program ends, 10 Dec 2027",
        "status_alfa": "paused until 10 Dec 2027",
        "status_paused": "paused until",
        "leave_beta": "Do you really want to leave Beta 2027?",
        "coordinator_only": "program use",
        "resumed_beta": "Welcome back to Beta 2027!",
    },
}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = World(make_core(sqlite_db, clock, locale=request.param))
    await typed_cleanly(w["Anna"], SETUP)
    w.db, w.say_ = sqlite_db, SAY[request.param]
    async with sqlite_db.read() as s:
        w.ids = {p.slug: p.id for p in (await s.exec(select(Program))).all()}
    assert w.ids["alfa-2027"] != 1 and w.ids["beta-2027"] != 2  # ids, not positions among Olof's programs
    w.clock, w.locale_sv = clock, request.param == "sv"
    return w


async def _olof_in(world, *slugs: str, status: str = EnrollmentStatus.ACTIVE) -> None:
    for slug in slugs:
        await enroll(world.db, world.clock, world.ids[slug], "Olof", "mentor", "Solna stad", ["budget"], status=status)


async def _enrollments(world, name: str) -> dict[str, Enrollment]:
    async with world.db.read() as s:
        person = (await s.exec(select(Person).where(Person.name == name))).one()
        rows = (await s.exec(select(Enrollment, Program).join(Program).where(Enrollment.person_id == person.id))).all()
    return {p.slug: e for e, p in rows}


def _buttons(reply) -> list[tuple[str, str, str]]:
    return [
        (b.action_id, b.label, b.value)
        for block in reply.card.blocks
        if isinstance(block, Buttons)
        for b in block.buttons
    ]


def _which(world, replies, command: str, *slugs: str, extra: str = "") -> None:
    """The question which program: one button per program, its id as the value."""
    (question,) = replies
    assert question.kind == "commands/which_program" and world.say_["which"] in question.text
    assert world.say_["coordinator_only"] not in question.text
    names = {"alfa-2027": "Alfa 2027", "beta-2027": "Beta 2027"}
    suffix = f":{extra}" if extra else ""
    assert _buttons(question) == [(f"pick.{command}", names[s], f"{world.ids[s]}{suffix}") for s in slugs]


async def test_join_takes_the_one_program_open_to_him_that_he_is_not_in(world):
    await _olof_in(world, "alfa-2027")
    replies = await world["Olof"].say("gå med roll=mentor" if world.locale_sv else "join role=mentor")
    assert replies[-1].kind == "dialogs/ask/consent_mentor" and "Beta 2027" in texts(replies)
    assert set(await _enrollments(world, "Olof")) == {"alfa-2027", "beta-2027"}


async def test_join_asks_which_when_several_programs_are_open_and_a_button_answers(world):
    olof = world["Olof"]
    await olof.say("status")  # known to the bot, in neither program yet
    async with world.db.write() as s:
        person = (await s.exec(select(Person).where(Person.name == "Olof"))).one()
        person.organisation_id = (await s.exec(select(Organisation.id).where(Organisation.name == "Solna stad"))).one()
        s.add(person)
    line = "gå med roll=mentor" if world.locale_sv else "join role=mentor"
    asked = await olof.say(line)
    _which(world, asked, "join", "alfa-2027", "beta-2027", extra="mentor")
    assert world.say_["typed_join"] in asked[0].text
    assert await _enrollments(world, "Olof") == {}  # asking changed nothing
    started = await olof.click("pick.join", f"{world.ids['beta-2027']}:mentor", on=asked[0])
    assert started[-1].kind == "dialogs/ask/consent_mentor" and "Beta 2027" in texts(started)
    assert list(await _enrollments(world, "Olof")) == ["beta-2027"]
    assert (await _enrollments(world, "Olof"))["beta-2027"].role == "mentor"


async def test_gunilla_joins_the_one_program_her_organisation_is_in_without_coordinator_words(world):
    gunilla = world["Gunilla"]
    await gunilla.say("status")
    async with world.db.write() as s:
        person = (await s.exec(select(Person).where(Person.name == "Gunilla"))).one()
        person.organisation_id = (
            await s.exec(select(Organisation.id).where(Organisation.name == "Sundbybergs stad"))
        ).one()
        s.add(person)
    replies = await gunilla.say("gå med" if world.locale_sv else "join")
    assert replies[-1].kind == "dialogs/ask/consent_adept" and "Beta 2027" in texts(replies)
    assert world.say_["coordinator_only"] not in texts(replies)
    assert list(await _enrollments(world, "Gunilla")) == ["beta-2027"]


async def test_someone_whose_organisation_is_not_known_is_asked_in_participant_words(world):
    replies = await world["Gunilla"].say("gå med" if world.locale_sv else "join")
    (question,) = replies
    assert question.kind == "commands/which_program" and world.say_["coordinator_only"] not in question.text
    assert {v for _, _, v in _buttons(question)} == {str(i) for i in world.ids.values()}


async def test_leave_asks_which_and_leaves_only_the_one_pressed(world):
    await _olof_in(world, "alfa-2027", "beta-2027")
    olof = world["Olof"]
    asked = await olof.say("lämna" if world.locale_sv else "leave")
    _which(world, asked, "leave", "alfa-2027", "beta-2027")
    assert world.say_["typed_leave"] in asked[0].text
    (confirm,) = await olof.click("pick.leave", str(world.ids["beta-2027"]), on=asked[0])
    assert world.say_["leave_beta"] in confirm.text
    await olof.click("leave.confirm", str(world.ids["beta-2027"]), on=confirm)
    states = {slug: e.status for slug, e in (await _enrollments(world, "Olof")).items()}
    assert states == {"alfa-2027": EnrollmentStatus.ACTIVE, "beta-2027": EnrollmentStatus.LEFT}
    # One program left: `leave` means it, and asks only Yes or No.
    (only,) = await olof.say("lämna" if world.locale_sv else "leave")
    assert only.kind == "commands/leave_confirm" and "Alfa 2027" in only.text


async def test_leave_takes_program_as_typed(world):
    await _olof_in(world, "alfa-2027", "beta-2027")
    (confirm,) = await world["Olof"].say("lämna program=beta-2027" if world.locale_sv else "leave program=beta-2027")
    assert world.say_["leave_beta"] in confirm.text
    assert [b[2] for b in _buttons(confirm)] == [str(world.ids["beta-2027"])] * 2
    refused = await world["Olof"].say("lämna program=taby-2027" if world.locale_sv else "leave program=taby-2027")
    assert refused[0].kind == "errors/program_not_among" and "`alfa-2027`, `beta-2027`" in refused[0].text


async def test_a_pause_is_one_programs_and_ends_with_it(world):
    await _olof_in(world, "alfa-2027", "beta-2027")
    olof = world["Olof"]
    asked = await olof.say("pausa" if world.locale_sv else "pause")
    _which(world, asked, "pause", "alfa-2027", "beta-2027")
    assert {s: e.paused_until for s, e in (await _enrollments(world, "Olof")).items()} == {
        "alfa-2027": None,
        "beta-2027": None,
    }
    (paused,) = await olof.click("pick.pause", str(world.ids["alfa-2027"]), on=asked[0])
    assert world.say_["paused_alfa"] in paused.text
    mine = await _enrollments(world, "Olof")
    assert (mine["alfa-2027"].paused_until, mine["beta-2027"].paused_until) == (date(2027, 12, 10), None)
    (status,) = await olof.say("status")
    lines = status.text.split("\n")
    alfa, beta = (next(line for line in lines if name in line) for name in ("Alfa 2027", "Beta 2027"))
    assert world.say_["status_alfa"] in alfa and world.say_["status_paused"] not in beta
    # A date past the program's end is the end; the typed form carries the date.
    asked = await olof.say("pausa till 2027-11-01" if world.locale_sv else "pause until 2027-11-01")
    _which(world, asked, "pause", "alfa-2027", "beta-2027", extra="2027-11-01")
    assert world.say_["typed_pause"] in asked[0].text
    await olof.say(
        "pausa till 2028-09-01 program=beta-2027" if world.locale_sv else "pause 2028-09-01 program=beta-2027"
    )
    assert (await _enrollments(world, "Olof"))["beta-2027"].paused_until == date(2028, 6, 15)


async def test_resume_asks_which_when_both_are_paused_and_takes_the_only_paused_one(world):
    await _olof_in(world, "alfa-2027", "beta-2027")
    olof = world["Olof"]
    for slug in ("alfa-2027", "beta-2027"):
        await olof.say(f"pausa program={slug}" if world.locale_sv else f"pause program={slug}")
    asked = await olof.say("återuppta" if world.locale_sv else "resume")
    _which(world, asked, "resume", "alfa-2027", "beta-2027")
    (resumed,) = await olof.click("pick.resume", str(world.ids["beta-2027"]), on=asked[0])
    assert world.say_["resumed_beta"] in resumed.text
    mine = await _enrollments(world, "Olof")
    assert mine["alfa-2027"].paused_until is not None and mine["beta-2027"].paused_until is None
    (only,) = await olof.say("återuppta" if world.locale_sv else "resume")
    assert only.kind == "commands/resumed" and "Alfa 2027" in only.text
    assert all(e.paused_until is None for e in (await _enrollments(world, "Olof")).values())


async def test_a_button_for_a_program_not_the_pressers_is_stale(world):
    await _olof_in(world, "alfa-2027", "beta-2027")
    replies = await world["Olof"].click("pick.leave", str(world.ids["taby-2027"]))
    assert [r.kind for r in replies] == ["errors/stale_action"]
    replies = await world["Olof"].click("pick.pause", f"{world.ids['alfa-2027']}:not-a-date")
    assert [r.kind for r in replies] == ["errors/stale_action"]
    assert all(e.paused_until is None for e in (await _enrollments(world, "Olof")).values())


async def test_calendar_sends_every_program_of_his(world):
    await _olof_in(world, "alfa-2027", "beta-2027")
    replies = await world["Olof"].say("kalender" if world.locale_sv else "calendar")
    assert [f.filename for r in replies for f in r.files] == ["alfa-2027.ics", "beta-2027.ics"]
    assert "Alfa 2027" in replies[0].text and "Beta 2027" in replies[1].text
    (one,) = await world["Olof"].say("kalender program=beta-2027" if world.locale_sv else "calendar program=beta-2027")
    assert [f.filename for f in one.files] == ["beta-2027.ics"]


async def test_the_home_cards_pause_button_pauses_the_program_it_is_under(world):
    await _olof_in(world, "alfa-2027", "beta-2027")
    olof = world["Olof"]
    (home,) = await olof.say("home")
    mine = await _enrollments(world, "Olof")
    pauses = [b for b in _buttons(home) if b[0] == "home.pause"]
    assert sorted(v for _, _, v in pauses) == sorted(str(e.id) for e in mine.values())
    (paused,) = await olof.click("home.pause", str(mine["beta-2027"].id), on=home)
    assert paused.kind == "commands/paused" and "Beta 2027" in paused.text
    mine = await _enrollments(world, "Olof")
    assert (mine["alfa-2027"].paused_until, mine["beta-2027"].paused_until) == (None, date(2028, 6, 15))
