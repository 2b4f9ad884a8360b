"""`make demo`'s scripted program: set-up, onboarding through the dialogues,
matching and announcement, as a person reads it."""

from __future__ import annotations

from tools.demo import Transcript, run_demo


async def test_the_demo_runs_a_program_from_setup_to_announcement(tmp_path, capsys):
    out = Transcript()
    assert await run_demo(tmp_path / "demo.db", out, year=False) == 0
    text = "\n".join(out.lines)
    # The seed's calendar, in Swedish.
    for line in ("Uppstartsmöte: 19 jan. 2027 kl. 13:00", "Coachande förhållningssätt (för mentorer)",
                 "Inspirationsträff: 12 maj 2027", "Avslutning: 19 jan. 2028"):
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
