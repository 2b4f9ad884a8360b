"""A coordinator, Helena, who types English only, runs an English and a
Swedish program in an English installation and takes part in neither
(a new-user trial in the console). What she met, each reproduced here."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.messages import Platform
from bot.ports import Delivery, DeliveryError
from scheduler.dispatcher import Dispatcher
from scheduler.drive import run_until
from tests.core.harness import World, make_core, texts, typed_cleanly
from tests.dialogs.script import MENTOR, run
from tests.life.helpers import Year
from tests.scheduler.helpers import RecordingPort

ENGLISH, SWEDISH = "mentoring-2027", "hostprogram-2027"


@pytest.fixture
async def world(sqlite_db, clock):
    w = World(make_core(sqlite_db, clock, locale="en", coordinators=("console:local:helena",)))
    w.db, w.clock = sqlite_db, clock
    await typed_cleanly(
        w["Helena"],
        (
            "program create Mentoring 2027 start=2027-01-19 end=2027-12-15",
            "program create Höstprogram 2027 start=2027-01-19 end=2027-12-15 locale=sv",
            *(f"org add {org} program={SWEDISH}" for org in ("Enköpings kommun", "Knivsta kommun", "Täby kommun")),
            f"org add Täby kommun program={ENGLISH}",
        ),
    )
    return w


async def test_status_points_a_coordinator_who_takes_part_in_nothing_to_home_and_program_show(world):
    """`status` told her "You are not taking part in a mentor program. Type
    `join` to join.", as if she were a newcomer: a coordinator is shown
    where her programs are (`home`, `program show`); `join` only as taking
    part herself."""
    (status,) = await world["Helena"].say("status")
    assert status.kind == "commands/status" and status.locale == "en", status.text
    assert status.text.startswith("You are not taking part in a mentor program."), status.text
    assert "`home`" in status.text and "`program show`" in status.text, status.text
    assert "Type `join` to join." not in status.text, status.text
    assert "To take part yourself, type `join`." in status.text, status.text  # it is open to her
    # In Swedish, with the Swedish words.
    await world["Helena"].say("language sv")
    (status,) = await world["Helena"].say("status")
    assert "`hem`" in status.text and "`program visa`" in status.text and "Vill du själv delta" in status.text


SHOWN_OVER = {
    "sv": {
        "closed": "Avslutat 1 juni 2027.",
        "archived": "Arkiverat (avslutat 1 juni 2027).",
        "heads": "Deltagare: 3 adepter och 3 mentorer deltog, 3 par",
        "running": "Deltagare: 3 adepter och 3 mentorer med i programmet, 3 par",
    },
    "en": {
        "closed": "Closed on 1 Jun 2027.",
        "archived": "Archived (closed on 1 Jun 2027).",
        "heads": "Participants: 3 mentees and 3 mentors took part, 3 pairs",
        "running": "Participants: 3 mentees and 3 mentors taking part, 3 pairs",
    },
}


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_program_show_says_a_program_is_closed_or_archived_and_who_took_part(sqlite_db, clock, locale):
    """`program show` of a closed program read as if it ran ("1 mentee and
    1 mentor taking part"): it says when it closed, or that it is archived,
    and who took part, in the past tense as `participants` does."""
    say, show = SHOWN_OVER[locale], "program visa" if locale == "sv" else "program show"
    year = Year(sqlite_db, clock, locale)
    await year.start()
    anna = year["Anna"]
    running = texts(await anna.say(f"{show} mentorprogram-2027"))
    assert say["running"] in running and say["closed"] not in running, running
    await year.run_until(date(2027, 6, 1))
    await anna.choose(1, await anna.say("program close mentorprogram-2027 force=yes"))
    closed = texts(await anna.say(f"{show} mentorprogram-2027"))
    assert say["closed"] in closed and say["heads"] in closed, closed
    await typed_cleanly(anna, ["program archive mentorprogram-2027"])
    archived = texts(await anna.say(f"{show} mentorprogram-2027"))
    assert say["archived"] in archived and say["heads"] in archived, archived


COHORT = {
    "sv": {
        "invited": "1 mentor från förra året bjuds in att vara kvar",
        "working": "Dina samordnarkommandon gäller nu det här programmet",
        "asked": "1 mentor från förra året har fått en fråga om att vara kvar.",
    },
    "en": {
        "invited": "1 mentor from last year is invited to stay on",
        "working": "Your coordinator commands now work on this program",
        "asked": "1 mentor from last year has been asked to stay on.",
    },
}


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_a_new_cohort_becomes_the_program_her_commands_work_on(sqlite_db, clock, locale):
    """`program create` switches the coordinator to the program it made and
    says so; `program new-cohort` did not (her next `program open` or
    `event add` went to last year's program), and it said "1 mentor from
    last year are invited". Now it switches, says the same line, and counts
    with the reader's plural rules."""
    say = COHORT[locale]
    year = Year(sqlite_db, clock, locale)
    await year.start(
        cohort={"Cecilia": ("adept", "Täby kommun", ["budget"]), "Frida": ("mentor", "Knivsta kommun", ["budget"])}
    )
    anna = year["Anna"]
    made = texts(await anna.say("program new-cohort mentorprogram-2027 Mentorprogram 2028 start=2028-01-18"))
    assert say["invited"] in made and say["working"] in made, made
    shown = texts(await anna.say("program show"))
    assert shown.startswith("*Mentorprogram 2028*") and "mentorprogram-2028` " in shown, (
        shown
    )  # the draft, and how to open it
    opened = texts(await anna.say("program open"))
    assert say["asked"] in opened and "Mentorprogram 2028" in opened, opened


async def test_a_coordinators_notes_are_in_her_own_language_and_a_participants_in_the_programs(world):
    """Helena's replies are English (the installation's; she takes part in
    nothing), also about the Swedish program; a note to her about it came in
    Swedish ("Eva Lind har anmält sig som mentor i Höstprogram 2027 men
    behöver ditt godkännande"). A note to a coordinator is in the language
    her replies are in; a participant's stays in the program's."""
    helena, eva = world["Helena"], world["Eva Lind"]
    script = [(line.replace("join role=mentor", f"join {SWEDISH} role=mentor"), asked) for line, asked in MENTOR]
    await run(eva, script, "sv")  # no nomination confirmed: she needs Helena's approval
    done = await eva.say("1")
    assert done[-1].kind == "dialogs/done" and done[-1].locale == "sv", texts(done)
    (told,) = helena.inbox()
    assert told.kind == "dialogs/coordinator_pending" and told.locale == "en", told.text
    assert told.text.startswith("Eva Lind has signed up as a mentor in Höstprogram 2027 but needs your approval")
    approved = await helena.say('approve-participant "Eva Lind"')
    assert approved[0].kind == "dialogs/approved_ok" and approved[0].locale == "en", texts(approved)
    (note,) = eva.inbox()  # a participant's note: the program's language, as before
    assert note.kind == "dialogs/approved" and note.locale == "sv", note.text

    # What the dispatcher tells her later about the Swedish program is hers too:
    # Eva cannot be reached with the reminder to finish a sign-up, and Helena hears of it.
    sent = RecordingPort(fail_for={"olle": DeliveryError("blocked the bot", permanent=True)}, clock=world.clock)
    dispatcher = Dispatcher(world.db, Delivery({Platform.CONSOLE: sent}), world.clock, world.core.config)
    olle = world["Olle"]
    await olle.say(f"join {SWEDISH} role=adept")
    await olle.say("ja")  # the intake is under way, and its reminder planned
    await run_until(dispatcher, world.clock, datetime(2027, 1, 20, tzinfo=UTC))
    (failure,) = [m for to, m in sent.sent if to.user == "helena"]
    assert failure.kind == "scheduler/unreachable" and failure.locale == "en", failure.text
    assert failure.text.startswith("I could not reach Olle in Höstprogram 2027"), failure.text
