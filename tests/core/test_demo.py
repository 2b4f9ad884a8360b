"""`make demo`'s scripted program: set-up, onboarding through the dialogues,
matching and announcement, as a person reads it."""

from __future__ import annotations

import re

import pytest

from tools.demo import Transcript, run_demo, year_section


async def test_the_demo_runs_a_program_from_setup_to_announcement(tmp_path, capsys):
    out = Transcript()
    assert await run_demo(tmp_path / "demo.db", out, year=False) == 0
    text = "\n".join(out.lines)
    # The seed's calendar, in Swedish.
    for line in (
        "Uppstartsmöte: 19 jan. 2027 kl. 13:00",
        "Coachande förhållningssätt (för mentorer)",
        "Inspirationsträff: 12 maj 2027",
        "Avslutning: 19 jan. 2028",
    ):
        assert line in text
    # Everyone onboarded and is signed up; every adept got a mentor from another municipality.
    assert text.count("nu är du anmäld som") == 5
    intros = [line for line in out.lines if "Din mentor i Mentorprogram 2027 är" in line]
    assert len(intros) == 3
    for adept, org in (("Niklas", "Enköpings"), ("Lina", "Täby"), ("Omar", "Knivsta")):
        intro = next(line for line in intros if f"Hej {adept}!" in line)
        assert org not in intro.split("Din mentor")[1].split(".")[0]
    assert "Din mentor: " in text.split("Niklas > status")[1]
    # It ends with the coordinator's report and export, saved next to the transcript.
    end = text.split("Evelina > report")[1]
    assert "programmet i siffror" in end and "Evelina > export" in end
    assert (tmp_path / "transcript.txt").read_text(encoding="utf-8").rstrip().endswith(".csv (1 kB)")
    chart = next(tmp_path.glob("*-report.png"))
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert next(tmp_path.glob("*.xlsx")).stat().st_size > 0


@pytest.mark.slow
async def test_the_demo_shows_the_whole_year_and_the_next_cohort_with_dates():
    lines = await year_section()
    text = "\n".join(lines)
    steps = text.split("The year, step by step")[1].split("One message of each step")[0]
    for dated in (
        "2027-01-12  pairs announced: 5 adepts",
        "2027-01-19  kickoff:",
        "2027-02-22  coaching session",
        "2027-05-13  inspiration survey: asked 9,",  # not the mentor with no mentee
        '2028-01-19  "continue on your own?"',
        "2028-01-31  program close: Mentorprogram 2027 is closed",
        "2028-01-31  second cohort: Mentorprogram 2028",
    ):
        assert dated in steps, dated
    quoted = text.split("One message of each step")[1]
    # One dated message of each step, in date order, as the people read them (Swedish).
    kinds = re.findall(r"^(\d{4}-\d\d-\d\d) \d\d:\d\d → \S+ \[([\w/]+)\]", quoted, re.M)
    assert [d for d, _ in kinds] == sorted(d for d, _ in kinds)
    assert {k for _, k in kinds} >= {
        "matching/intro_adept",
        "scheduler/event_reminder",
        "surveys/survey",
        "surveys/thanks",
        "closeout/question",
        "closeout/goodbye_continuing",
        "closeout/goodbye_completed",
        "lifecycle/closed",
        "lifecycle/cohort_created",
        "lifecycle/stay_on",
        "commands/invitation",
    }
    assert ("2027-02-15", "scheduler/event_reminder") in kinds  # the coaching session, a week ahead
    assert ("2028-01-31", "commands/invitation") in kinds  # the new cohort's, not the first one's
    assert "Påminnelse: *Coachande förhållningssätt (för mentorer)* är om 7 dagar" in quoted
    assert "Vill du fortsätta träffa" in quoted and "är stängt" in quoted
