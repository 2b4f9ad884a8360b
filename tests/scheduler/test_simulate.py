"""`mentorbot simulate`: a program year through the real core on a virtual clock."""

import re

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
    # The silent pair is in the coordinator's weekly digest from its 56th day until the end, week after week.
    assert int(re.search(r"stall digests to the coordinator: (\d+)", out).group(1)) >= 20
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
