"""A program's numbers have bounds that fit a one-year mentor program: a
value outside them is refused with an answer that names the setting, the
value and the allowed range, in the reader's language, and nothing is
changed. `help` and the README list the same bounds as the grammar."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from bot.commands import load_all
from bot.commands.registry import COMMANDS
from bot.store.models import Program
from tests.core.harness import confirmed, program_world, texts
from tests.core.test_templates import ROOT

# (typed, Swedish answer, English answer): exactly what the coordinator reads.
OUT_OF_RANGE = [
    (
        "program ändra påminnelser=20-25 maxantal=0",
        "`0` går inte (maxantal): det ska vara mellan 1 och 5 adepter.",
        "`0` is out of bounds (max_capacity): it must be between 1 and 5 mentees.",
    ),
    (
        "program set max_capacity=99999",
        "`99999` går inte (maxantal): det ska vara mellan 1 och 5 adepter.",
        "`99999` is out of bounds (max_capacity): it must be between 1 and 5 mentees.",
    ),
    (
        "program set nudge=-5-10",
        "`-5-10` går inte (påminnelser): båda talen ska vara mellan 7 och 60 dagar.",
        "`-5-10` is out of bounds (nudge): both numbers must be between 7 and 60 days.",
    ),
    (
        "program set nudge=1-1",
        "`1-1` går inte (påminnelser): båda talen ska vara mellan 7 och 60 dagar.",
        "`1-1` is out of bounds (nudge): both numbers must be between 7 and 60 days.",
    ),
    (
        "program set stall_days=0",
        "`0` går inte (dagar_utan_möte): det ska vara mellan 28 och 180 dagar.",
        "`0` is out of bounds (stall_days): it must be between 28 and 180 days.",
    ),
    (
        "program set first_nudge=100000",
        "`100000` går inte (första_påminnelsen): det ska vara mellan 1 och 60 dagar.",
        "`100000` is out of bounds (first_nudge): it must be between 1 and 60 days.",
    ),
    (
        "program set mentor_years=0",
        "`0` går inte (mentorår): det ska vara mellan 2 och 40 år.",
        "`0` is out of bounds (mentor_years): it must be between 2 and 40 years.",
    ),
    (
        "program set mentor_years=100",
        "`100` går inte (mentorår): det ska vara mellan 2 och 40 år.",
        "`100` is out of bounds (mentor_years): it must be between 2 and 40 years.",
    ),
    (  # a whole number, only out of range: not "not a whole number"
        "program set mentor_years=-1",
        "`-1` går inte (mentorår): det ska vara mellan 2 och 40 år.",
        "`-1` is out of bounds (mentor_years): it must be between 2 and 40 years.",
    ),
    (
        "program set adept_months=0-200",
        "`0-200` går inte (adeptmånader): båda talen ska vara mellan 1 och 120 månader.",
        "`0-200` is out of bounds (adept_months): both numbers must be between 1 and 120 months.",
    ),
    (
        "program create Ettårigt start=2027-02-01 end=2028-01-31 nudge=1-1",
        "`1-1` går inte (påminnelser): båda talen ska vara mellan 7 och 60 dagar.",
        "`1-1` is out of bounds (nudge): both numbers must be between 7 and 60 days.",
    ),
]


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    return await program_world(sqlite_db, clock, request.param)


async def _settings(db) -> list[tuple]:
    async with db.read() as s:
        return [
            (
                p.nudge_min_days,
                p.nudge_max_days,
                p.first_nudge_days,
                p.stall_days,
                p.adept_min_months,
                p.adept_max_months,
                p.mentor_min_years,
                p.mentor_max_capacity,
            )
            for p in (await s.exec(select(Program))).all()
        ]


@pytest.mark.parametrize("line, sv, en", OUT_OF_RANGE, ids=[o[0] for o in OUT_OF_RANGE])
async def test_a_value_out_of_range_is_refused_naming_the_setting_value_and_range(world, sqlite_db, line, sv, en):
    before = await _settings(sqlite_db)
    replies = await world["Anna"].say(line)
    assert [(r.kind, r.text) for r in replies] == [("errors/out_of_range", sv if world.locale == "sv" else en)]
    assert await _settings(sqlite_db) == before  # nothing half-written, no second program


async def test_every_wrong_setting_is_named_in_one_answer_and_none_is_changed(world, sqlite_db):
    before = await _settings(sqlite_db)
    async with sqlite_db.read() as s:
        zone_before = (await s.exec(select(Program.timezone))).one()
    line = "program set nudge=14-21 tz=Mars/Base mentor_years=1 quiet=13-01..13-02 locale=fr colour=red"
    (reply,) = await world["Anna"].say(line)
    assert reply.kind == "errors/several", reply.text
    wrong = {
        "sv": (
            "`Mars/Base` är ingen tidszon",
            "`1` går inte (mentorår)",
            "`13-01..13-02` är ingen period",
            "`fr` finns inte att välja (språk)",
            "känner inte till `colour=`",
        ),
        "en": (
            "`Mars/Base` is not a time zone",
            "`1` is out of bounds (mentor_years)",
            "`13-01..13-02` is not a period",
            "`fr` is not one of the choices (locale)",
            "has no option `colour=`",
        ),
    }[world.locale]
    assert all(w in reply.text for w in wrong), reply.text
    assert reply.text.count("\n• ") == len(wrong)  # one line each
    assert {"sv": "Jag har inte gjort något", "en": "I have done nothing"}[world.locale] in reply.text
    async with sqlite_db.read() as s:
        assert (await s.exec(select(Program.timezone))).one() == zone_before
    assert await _settings(sqlite_db) == before  # not even the right nudge=14-21


async def test_one_wrong_setting_is_answered_alone(world, sqlite_db):
    (reply,) = await world["Anna"].say("program set nudge=14-21 tz=Mars/Base")
    assert reply.kind == "errors/bad_timezone"
    assert (await world["Anna"].say("program set tz=Europe/Oslo quiet=07-01..07-31"))[0].kind == (
        "commands/program_settings"
    )


async def test_values_at_the_bounds_are_kept(world, sqlite_db):
    line = "program set nudge=7-60 first_nudge=60 stall_days=28 adept_months=1-120 mentor_years=40 max_capacity=5"
    assert (await world["Anna"].say(line))[0].kind == "commands/program_settings"
    assert await _settings(sqlite_db) == [(7, 60, 60, 28, 1, 120, 40, 5)]


async def test_text_that_is_no_number_is_still_told_so(world):
    (reply,) = await world["Anna"].say("program set mentor_years=fem")
    assert reply.kind == "errors/bad_number"


async def test_help_lists_the_bounds_in_the_readers_words(world):
    text = texts(await world["Anna"].say("help program"))
    assert {
        "sv": "(tillåtet: påminnelser 7–60 dagar, första_påminnelsen 1–60 dagar, dagar_utan_möte 28–180 dagar, "
        "adeptmånader 1–120 månader, mentorår 2–40 år, maxantal 1–5 adepter)",
        "en": "(allowed: nudge 7–60 days, first_nudge 1–60 days, stall_days 28–180 days, "
        "adept_months 1–120 months, mentor_years 2–40 years, max_capacity 1–5 mentees)",
    }[world.locale] in text


def test_the_readme_lists_the_bounds_the_grammar_has():
    load_all()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)=` \| [^|]+ \| ([0-9]+–[0-9]+) ", readme, re.M)}
    for words in (("program", "create"), ("program", "set")):
        for p in COMMANDS[words].bounded:
            assert rows.get(p.name) == "{}–{}".format(*p.bounds), p.name


NO_LETTERS = {
    "sv": "Namnet `🚀` har ingen bokstav eller siffra",
    "en": "The name `🚀` has no letter or digit",
}


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_a_programs_short_name_comes_from_its_words_and_a_name_without_any_is_refused(sqlite_db, clock, locale):
    """Probe 2, item 24: `program create 🚀 …` was given the short name
    `program`. An emoji is left out of the short name; a name with no letter
    or digit is refused, saying why; a name in another script keeps its letters."""
    world = await program_world(sqlite_db, clock, locale)
    anna = world["Anna"]
    refused = await anna.say("program create 🚀 start=2027-02-01 end=2027-12-01")
    assert [r.kind for r in refused] == ["errors/name_without_letters"], texts(refused)
    assert NO_LETTERS[locale] in refused[0].text
    await anna.say("program create 🚀 Kronoberg 2028 start=2028-02-01 end=2028-12-01")
    await anna.say("program create Программа start=2028-02-01 end=2028-12-01")
    async with sqlite_db.read() as s:
        slugs = [p.slug for p in (await s.exec(select(Program).order_by(Program.id))).all()]
    assert slugs == ["mentorprogram-2027", "kronoberg-2028", "программа"]


LENGTH = {
    "sv": {
        "short": "*Kort* blir bara 9 dagar långt (1–10 feb. 2027), och ett mentorprogram brukar vara ungefär ett år."
        " Paren brukar ses var 3–4:e vecka och påminns var 21–28:e dag,",
        "long": "*Lång* blir 8 år långt (",
        "long_why": "Längre än ungefär två år är ovanligt",
        "started": "skulle också ha börjat",
    },
    "en": {
        "short": "*Kort* would be only 9 days long (1\u2009–\u200910 Feb 2027), and a mentor program usually lasts about a year."
        " Pairs usually meet every 3–4 weeks and are reminded every 21–28 days,",
        "long": "*Lång* would be 8 years long (",
        "long_why": "Longer than about two years is unusual",
        "started": "would also have started",
    },
}


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_a_program_much_shorter_or_longer_than_a_year_is_asked_about_first(sqlite_db, clock, locale):
    """`program create Kort start=2027-02-01 end=2027-02-10` (9 days: no pair
    would get a 21–28-day nudge) and one of 8 years were created silently.
    Now each is asked about first, saying why, and only Yes creates it; a
    year-long one is created at once."""
    say = LENGTH[locale]
    world = await program_world(sqlite_db, clock, locale)
    anna = world["Anna"]
    for line, doubt in (
        ("program create Kort start=2027-02-01 end=2027-02-10", say["short"]),
        ("program create Lång start=2027-02-01 end=2035-02-10", say["long"]),
    ):
        asked = await anna.say(line)
        assert [r.kind for r in asked] == ["commands/program_length_confirm"], texts(asked)
        assert doubt in asked[0].text and say["started"] not in asked[0].text, asked[0].text
    assert say["long_why"] in asked[0].text
    async with sqlite_db.read() as s:
        assert [p.slug for p in (await s.exec(select(Program))).all()] == ["mentorprogram-2027"]
    await confirmed(anna, "program create Kort start=2027-02-01 end=2027-02-10")
    await confirmed(anna, "program create Lång start=2027-02-01 end=2035-02-10")
    # Short and started before today: one question says both.
    asked = await anna.say("program create Sent start=2026-12-01 end=2027-01-20")
    assert [r.kind for r in asked] == ["commands/program_length_confirm"] and say["started"] in asked[0].text
    created = await anna.say("program create Helår start=2027-02-01 end=2028-01-31")
    assert [r.kind for r in created] == ["commands/program_created"], texts(created)
    async with sqlite_db.read() as s:
        slugs = [p.slug for p in (await s.exec(select(Program).order_by(Program.id))).all()]
    assert slugs == ["mentorprogram-2027", "kort", "lang", "helar"]
