"""A program as the coordinator and the participants see it, while it runs
and once it is closed and archived: a mentor with two adepts has both in
every view, and a program that is over shows each person with the pairs
they had (completed, ended), nobody as waiting for a match, and the same
counts in the report, the participants list and the export. Swedish and
English."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from bot.markup import strip_marks
from bot.store.models import EnrollmentStatus
from tests.core.harness import confirmed, enroll, texts
from tests.life.helpers import Year

# Frida (Knivsta, two places) is the only mentor for the two adepts from
# Täby; Hanna (Täby) the only one for Erik (Knivsta).
COHORT = {
    "Cecilia": ("adept", "Täby kommun", ["conflict"], 1),
    "David": ("adept", "Täby kommun", ["staffing"], 1),
    "Erik": ("adept", "Knivsta kommun", ["change"], 1),
    "Frida": ("mentor", "Knivsta kommun", ["conflict", "staffing"], 2),
    "Hanna": ("mentor", "Täby kommun", ["change"], 1),
}

SAY = {
    "sv": {
        "frida_running": "Frida, Knivsta kommun – mentor, anmäld, i par med Cecilia (par 1) och David (par 2)",
        "erik_over": "Erik, Knivsta kommun – adept, deltog, i par med Hanna (par 3, avslutat)",
        "cecilia_over": "Cecilia, Täby kommun – adept, deltog, i par med Frida (par 1, genomfört)",
        "frida_over": "i par med Cecilia (par 1, genomfört) och David (par 2, genomfört)",
        "waiting": "har ingen mentor ännu",
        "pair_col": "Par",
        "why_col": "Varför väntar",
        "pairs": "Par: 2 genomförda, 1 avslutat",
        "not_running": ("0 igång", "inga par igång ännu"),
        "status_over": "programmet avslutades 15 dec. 2027. Du var adept.",
        "status_pair": "Din mentor: Frida, Knivsta kommun (paret: genomfört).",
        "status_waiting": ("inget par ännu", "matchar"),
        "home_over": "Programmet avslutades 15 dec. 2027. Du var adept, i par med Frida (genomfört).",
        "nothing": "Du deltar inte i något mentorprogram",
        "status_adept": "Din adept: {}, Täby kommun. Ingen träff registrerad ännu.",
        "signed_up": "anmäld",
        "closed_header": "Deltagare i Mentorprogram 2027, som avslutades 15 dec. 2027: 6.",
        "took_part": "adept, deltog, i par med Frida (par 1, genomfört)",
        "vera_over": "Vera, Täby kommun – adept, inbjuden, kom aldrig med",
        "person_over": "*Mentorprogram 2027* – adept, deltog, i par med Frida",
        "mydata_over": "*Mentorprogram 2027* – adept, deltog",
        "status_col": "Status",
        "took_part_cell": "deltog",
        "status_mentor_over": "programmet avslutades 15 dec. 2027. Du var mentor.",
        "status_ended_pair": "Din adept: Erik, Knivsta kommun (paret: avslutat).",
        "status_erik_pair": "Din mentor: Hanna, Täby kommun (paret: avslutat).",
        "status_not_yet": ("ingen adept ännu", "inget par ännu", "matchar"),
        "next_cohort": "Nästa omgång, *Mentorprogram 2028*, startar 17 jan. 2028.",
        "home_ended": "Mentorprogram 2027\nProgrammet avslutades 15 dec. 2027. Du var mentor, i par med Erik (avslutat).",
    },
    "en": {
        "frida_running": "Frida, Knivsta kommun – mentor, signed up, paired with Cecilia (pair 1) and David (pair 2)",
        "erik_over": "Erik, Knivsta kommun – mentee, took part, paired with Hanna (pair 3, ended)",
        "cecilia_over": "Cecilia, Täby kommun – mentee, took part, paired with Frida (pair 1, completed)",
        "frida_over": "paired with Cecilia (pair 1, completed) and David (pair 2, completed)",
        "waiting": "has no mentor yet",
        "pair_col": "Pair",
        "why_col": "Why waiting",
        "pairs": "Pairs: 2 completed, 1 ended",
        "not_running": ("0 running", "no running pairs yet"),
        "status_over": "the program ended on 15 Dec 2027. You were a mentee.",
        "status_pair": "Your pair: Frida, Knivsta kommun (completed).",
        "status_waiting": ("no pair yet", "matches"),
        "home_over": "The program ended on 15 Dec 2027. You were a mentee, paired with Frida (completed).",
        "nothing": "You are not taking part in a mentor program",
        "status_adept": "Your pair: {}, Täby kommun. No meeting logged yet.",
        "signed_up": "signed up",
        "closed_header": "Participants in Mentorprogram 2027, which ended on 15 Dec 2027: 6.",
        "took_part": "mentee, took part, paired with Frida (pair 1, completed)",
        "vera_over": "Vera, Täby kommun – mentee, invited, never joined",
        "person_over": "*Mentorprogram 2027* – mentee, took part, paired with Frida",
        "mydata_over": "*Mentorprogram 2027* – mentee, took part",
        "status_col": "Status",
        "took_part_cell": "took part",
        "status_mentor_over": "the program ended on 15 Dec 2027. You were a mentor.",
        "status_ended_pair": "Your pair: Erik, Knivsta kommun (ended).",
        "status_erik_pair": "Your pair: Hanna, Täby kommun (ended).",
        "status_not_yet": ("no mentee yet", "no pair yet", "matches"),
        "next_cohort": "The next cohort, *Mentorprogram 2028*, starts on 17 Jan 2028.",
        "home_ended": "Mentorprogram 2027\nThe program ended on 15 Dec 2027. You were a mentor, paired with Erik (ended).",
    },
}


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    y = Year(sqlite_db, clock, request.param)
    await y.start(cohort={}, announce=False)
    for name, (role, org, topics, capacity) in COHORT.items():
        await enroll(sqlite_db, clock, 1, name, role, org, topics, capacity=capacity)
    for line in ("match", "match approve", "match announce"):
        await y["Anna"].say(line)
    y.say = SAY[request.param]
    return y


def _sheet(replies, name: str) -> list[dict]:
    (reply,) = replies
    (data,) = [f.data for f in reply.files if f.filename.endswith(f"-{name}.csv")]
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def _line(text: str, name: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"• {name},"))


async def test_a_mentor_with_two_adepts_has_both_in_the_participants_list_and_the_export(year):
    listed = texts(await year["Anna"].say("participants"))
    assert year.say["frida_running"] in listed, listed
    rows = {r[_first(r)]: r for r in _sheet(await year["Anna"].say("export"), "participants")}
    assert rows["Frida"][year.say["pair_col"]] == "Cecilia; David"
    assert rows["Cecilia"][year.say["pair_col"]] == "Frida"
    status = texts(await year["Frida"].say("status"))
    assert all(year.say["status_adept"].format(name) in status for name in ("Cecilia", "David")), status


def _first(row: dict) -> str:
    return next(iter(row))  # the name column, whatever its header says


async def test_a_closed_and_archived_program_shows_the_pairs_people_had(year):
    await year.run_until(date(2027, 3, 1))
    await confirmed(year["Anna"], "unpair 3 they never met")
    await year.run_until(date(2027, 12, 15))
    anna = year["Anna"]
    asked = await anna.say("program close force=yes")
    await anna.choose(1, asked)
    await anna.say("program archive mentorprogram-2027")

    listed = texts(await anna.say("participants program=mentorprogram-2027"))
    assert year.say["waiting"] not in listed, listed
    assert year.say["cecilia_over"] in _line(listed, "Cecilia")
    assert year.say["erik_over"] in _line(listed, "Erik")
    assert year.say["frida_over"] in _line(listed, "Frida")

    export = await anna.say("export program=mentorprogram-2027")
    people = {r[_first(r)]: r for r in _sheet(export, "participants")}
    assert people["Cecilia"][year.say["pair_col"]] == "Frida"
    assert people["Frida"][year.say["pair_col"]] == "Cecilia; David"
    assert all(r[year.say["why_col"]] == "" for r in people.values())
    pairs = _sheet(export, "pairs")

    report = texts(await anna.say("report program=mentorprogram-2027"))
    assert year.say["pairs"] in report, report
    assert len(pairs) == 3  # as many pairs as the report counts
    for words in year.say["not_running"]:
        assert words not in report, (words, report)

    status = texts(await year["Cecilia"].say("status"))
    assert year.say["status_over"] in status and year.say["status_pair"] in status, status
    for words in year.say["status_waiting"]:
        assert words not in status, (words, status)
    (home,) = await year["Cecilia"].say("home")
    shown = "\n".join(getattr(b, "text", "") for b in home.card.blocks)
    assert year.say["home_over"] in shown and year.say["nothing"] not in shown, shown
    assert not [b for b in home.card.blocks for _ in getattr(b, "buttons", ())]  # nothing to press for a past program


async def test_a_closed_program_says_people_took_part_not_that_they_are_signed_up(year):
    """Once the coordinator closes the program (not archived yet), its
    participants list says it ended and that each person took part (an
    invitation never taken up, that it never was); so do `person`, the
    export and the person's own `status` and `mydata`. While it runs,
    the same people are "signed up"."""
    await enroll(year.db, year.clock, 1, "Vera", "adept", "Täby kommun", ["change"], status=EnrollmentStatus.INVITED)
    anna, say = year["Anna"], year.say
    assert say["signed_up"] in _line(texts(await anna.say("participants")), "Cecilia")
    await year.run_until(date(2027, 12, 15))
    await anna.choose(1, await anna.say("program close force=yes"))

    listed = texts(await anna.say("participants program=mentorprogram-2027"))
    assert listed.splitlines()[0] == say["closed_header"], listed
    assert say["took_part"] in _line(listed, "Cecilia") and say["vera_over"] in _line(listed, "Vera"), listed
    assert say["signed_up"] not in listed, listed
    person = strip_marks(texts(await anna.say("person Cecilia")))
    assert say["person_over"] in person and say["signed_up"] not in person, person
    people = {r[_first(r)]: r for r in _sheet(await anna.say("export program=mentorprogram-2027"), "participants")}
    assert people["Cecilia"][say["status_col"]] == say["took_part_cell"], people["Cecilia"]

    status = texts(await year["Cecilia"].say("status"))
    assert say["status_over"] in status and say["signed_up"] not in status, status
    mydata = strip_marks(texts(await year["Cecilia"].say("mydata")))
    assert say["mydata_over"] in mydata and say["signed_up"] not in mydata, mydata


async def test_a_program_past_its_end_date_has_ended_though_nobody_closed_it(year):
    """Nobody closed the program after its end date (15 December): it has
    ended for its people all the same. Hanna, whose pair ended in March, and
    Erik hear that it ended and what their pair was, not "no mentee yet" or
    "the coordinator matches after the sign-up period"; Cecilia's pair, still
    announced, is done; the next cohort, once it runs, is named to those who
    are not in it (Frida, a mentor, is invited to it: it has its own row).
    Hanna's home card names her pair with Erik as ended, not "had no pair"."""
    await year.run_until(date(2027, 3, 1))
    await confirmed(year["Anna"], "unpair 3 they never met")
    await year.run_until(date(2027, 12, 15))
    hanna_before = texts(await year["Hanna"].say("status"))  # the last day: it still runs
    assert year.say["status_mentor_over"] not in hanna_before, hanna_before
    await year.run_until(date(2027, 12, 17))
    await year["Anna"].say("program new-cohort mentorprogram-2027 Mentorprogram 2028 start=2028-01-17")
    await year["Anna"].say("program open mentorprogram-2028")

    hanna = texts(await year["Hanna"].say("status"))
    assert year.say["status_mentor_over"] in hanna and year.say["status_ended_pair"] in hanna, hanna
    erik = texts(await year["Erik"].say("status"))
    assert year.say["status_over"] in erik and year.say["status_erik_pair"] in erik, erik
    for words in year.say["status_not_yet"]:
        assert words not in hanna and words not in erik, (words, hanna, erik)
    cecilia = texts(await year["Cecilia"].say("status"))
    assert year.say["status_over"] in cecilia and year.say["status_pair"] in cecilia, cecilia
    assert year.say["next_cohort"] in cecilia, cecilia
    frida = texts(await year["Frida"].say("status"))
    assert year.say["next_cohort"] not in frida and "Mentorprogram 2028" in frida, frida
    assert "\n\n\n" not in frida, frida  # an invited row is one line, not one and two empty ones
    (home,) = await year["Hanna"].say("home")  # the home card agrees with `status`
    shown = "\n".join(getattr(b, "text", "") for b in home.card.blocks)
    assert year.say["home_ended"] in shown, shown  # it said "… a mentor and had no pair."
    # Buttons (pause, `met`) only for the cohort she is invited to, none for the one that ended.
    assert len([b for b in home.card.blocks if getattr(b, "buttons", ())]) == 1, shown
