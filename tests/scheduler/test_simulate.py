"""`mentorbot simulate`: a program year through the real core on a virtual clock."""

import re
import sqlite3

import pytest

from tools.simulate import main

pytestmark = pytest.mark.slow


def test_a_year_for_a_small_cohort(tmp_path, capsys):
    transcript = tmp_path / "year.txt"
    assert main(["--participants", "8", "--seed", "4", "--transcript", str(transcript)]) == 0
    out = capsys.readouterr().out
    pairs = dict(re.findall(r"#\d+\s+(\w+)\s+.*?: (\d+ nudges, gaps [\d/.-]+, meetings \d+)", out))
    assert set(pairs) == {"regular", "irregular", "silent", "pause"}
    # The silent pair is nudged all year, 21-28 days apart except where July or a holiday pushes it.
    silent = re.search(r"silent .*?: (\d+) nudges, gaps (\d+)/[\d.]+/(\d+), meetings 0", out)
    assert int(silent.group(1)) >= 12 and int(silent.group(2)) >= 21 and int(silent.group(3)) <= 45
    # The regular pair answers every nudge with "We met": a meeting per nudge.
    regular = re.search(r"regular .*?: (\d+) nudges, gaps (\d+)/[\d.]+/(\d+), meetings (\d+)", out)
    assert regular.group(1) == regular.group(4) and int(regular.group(2)) >= 21
    # The silent pair is named in the coordinator's digest once, when it has gone 56 days without a
    # meeting, not week after week until the end (the home lists it all along).
    assert int(re.search(r"stall digests to the coordinator: (\d+)", out).group(1)) == 1
    assert "reminders failed: 0" in out
    text = transcript.read_text(encoding="utf-8")
    assert "Påminnelse: *Uppstartsmöte* är om 7 dagar" in text
    assert "2027-02-22" in text and "Coachande förhållningssätt" in text
    assert "pause 2027-05-10" in text


def test_simulate_refuses_an_existing_database_file(tmp_path, capsys):
    used = tmp_path / "used.db"
    used.write_bytes(b"")
    with pytest.raises(SystemExit) as exit_:
        main(["--participants", "4", "--db", str(used)])
    assert exit_.value.code == 2
    assert "already exists" in capsys.readouterr().err


def _step(out: str, name: str) -> tuple[str, str]:
    """(local date, the rest of the line) of one step of the summary's year."""
    found = re.search(rf"^  (\d{{4}}-\d\d-\d\d)  {re.escape(name)}: (.*)$", out, re.M)
    assert found, f"no step {name!r} in:\n{out}"
    return found.group(1), found.group(2)


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_the_whole_year_then_the_close_and_a_second_cohort(tmp_path, capsys, locale):
    transcript, db = tmp_path / "year.txt", tmp_path / "year.db"
    assert (
        main(
            [
                "--participants",
                "20",
                "--seed",
                "4",
                "--locale",
                locale,
                "--transcript",
                str(transcript),
                "--db",
                str(db),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    # The pairs are announced before the kickoff, the calendar of the seed follows.
    announced, told = _step(out, "pairs announced")
    assert announced == "2027-01-12" and told.startswith("10 adepts")
    assert _step(out, "kickoff")[0] == "2027-01-19" and _step(out, "coaching session for mentors")[0] == "2027-02-22"
    # The inspiration survey the working day after the meeting, to the 16 in a pair (the
    # 4 mentors the matching left without a mentee are not asked): some answer, some do not.
    day, figures = _step(out, "inspiration survey")
    asked, reminded, answered = map(int, re.fullmatch(r"asked (\d+), reminded (\d+), answered (\d+)", figures).groups())
    assert day == "2027-05-13" and asked == 16 and 0 < answered < asked and 0 < reminded < asked
    assert int(re.search(r"answered (\d+)", _step(out, "close-out survey (the reflection questions)")[1]).group(1)) > 0
    # At the closing event: some pairs go on on their own, some complete.
    day, figures = _step(out, '"continue on your own?"')
    continuing, completed = map(int, re.search(r"continuing (\d+), completed (\d+)", figures).groups())
    assert day == "2028-01-19" and continuing >= 1 and completed >= 1
    assert _step(out, "program close") == (
        "2028-01-31",
        "Mentorprogram 2027 is closed; pairs that never answered, completed by the close: 2",
    )
    day, figures = _step(out, "second cohort")
    assert day == "2028-01-31" and "Mentorprogram 2028 from Mentorprogram 2027, active, starts 2028-02-15" in figures
    stay, invited = map(int, re.search(r"(\d+) mentors asked to stay on, (\d+) new adepts invited", figures).groups())
    assert stay >= 1 and invited == 2

    # The database says the same.
    with sqlite3.connect(db) as conn:
        programs = conn.execute("SELECT id, status, previous_id FROM program ORDER BY id").fetchall()
        pairs = dict(conn.execute("SELECT status, count(*) FROM pairing WHERE program_id = 1 GROUP BY status"))
        surveys = dict(conn.execute("SELECT survey, count(*) FROM survey_response GROUP BY survey"))
        invitees = conn.execute(
            "SELECT count(*) FROM enrollment WHERE program_id = 2 AND status = 'invited'"
        ).fetchone()
    assert programs == [(1, "closed", None), (2, "active", 1)]
    assert pairs == {"continuing": continuing, "completed": completed + 2}
    assert surveys == {"inspiration": answered, "closeout": surveys["closeout"]} and surveys["closeout"] > 0
    assert invitees[0] == stay + invited

    # The transcript shows each step on its date.
    text = transcript.read_text(encoding="utf-8")
    for dated in (
        r"2027-01-12 \d\d:\d\d → \S+ \[scheduler/event_reminder\]",  # the kickoff in 7 days
        r"2027-02-1[5-9] \d\d:\d\d → \S+ \[scheduler/event_reminder\]",  # the coaching session
        r"2027-05-13 \d\d:\d\d → \S+ \[surveys/survey\]",
        r"2028-01-19 18:00 → \S+ \[closeout/question\]",
        r"2028-01-19 18:00 → \S+ \[closeout/goodbye_continuing\]",
        r"2028-01-31 \d\d:\d\d Evelina > \[1\]\n    \S",  # *Yes* to closing the program
        r"2028-01-31 10:00 → \S+ \[lifecycle/stay_on\]",
        r"2028-01-31 10:00 → \S+ \[commands/invitation\]",
    ):
        assert re.search(dated, text), dated
