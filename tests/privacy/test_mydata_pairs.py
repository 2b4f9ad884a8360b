"""What a person's `mydata` file says of their pairs: what is theirs (that
the pair exists, with whom, since and until when, its status), not the
coordinator's matching notes about both of them (`score`, `rationale`) nor
why the pair ended (`end_reason`: the coordinator's words, or the partner's
leaving), and not a proposal nobody has been told of. The coordinator's
`export` keeps all of it. The digest's record that the pair went quiet is the
pair's own and stays. Swedish and English, through the console."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest

from tests.core.harness import confirmed, pair_of
from tests.life.helpers import Year

REASON = "Frida har för mycket på sin egen enhet just nu"
OWN = {"id", "program_id", "status", "announced_at", "ended_at", "goals", "partner", "checks"}


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    year = Year(sqlite_db, clock, request.param)
    await year.start()
    return year


async def _my_file(chat) -> tuple[dict, str]:
    (file,) = (await chat.say("mydata"))[0].files
    return json.loads(file.data), file.data.decode()


async def test_an_ended_pair_in_mydata_is_the_persons_own_not_the_coordinators_notes(year):
    anna = year["Anna"]
    n = await pair_of(year.db, "Cecilia")
    await confirmed(anna, f"unpair {n} {REASON}")
    for name, partner in (("Cecilia", "Frida"), ("Frida", "Cecilia")):
        data, raw = await _my_file(year[name])
        (pair,) = data["pairs"]
        assert set(pair) == OWN, pair  # it held score, rationale, end_reason, pinned …
        assert pair["id"] == n and pair["partner"] == partner and pair["status"] == "ended"
        assert pair["announced_at"] and pair["ended_at"]
        assert REASON not in raw and "rationale" not in raw and "score" not in raw

    (reply,) = await anna.say("export")  # the coordinator's export is unchanged: score and reason
    pairs = next(f for f in reply.files if f.filename.endswith("pairs.csv"))
    rows = list(csv.reader(io.StringIO(pairs.data.decode("utf-8-sig")), delimiter=";"))
    (ended,) = [r for r in rows[1:] if r[0] == str(n)]
    assert REASON in ended and float(ended[rows[0].index("Poäng" if year.locale == "sv" else "Score")]) > 0


async def test_a_proposal_nobody_has_been_told_of_is_not_in_mydata(sqlite_db, clock):
    year = Year(sqlite_db, clock, "sv")
    await year.start(announce=False)
    await year["Anna"].say("match")  # a draft: Cecilia with Frida, nobody told
    data, raw = await _my_file(year["Cecilia"])
    assert data["pairs"] == [] and "Frida" not in raw


async def test_the_digest_reporting_the_pair_as_quiet_is_in_both_members_mydata(year):
    """Which quiet spell the coordinators' weekly digest reported, and in
    which week (`checks.stall_reported`), is the pair's own: no coordinator
    wrote or judged it (the bot marks it when the digest is sent, by the
    program's rule of `stall_days` without a meeting), it is drawn from the
    pair's own meeting log and announcement (already in the file) or a
    pause both were told of, and it says when their pair was named to the
    coordinators (a recipient of their data: art. 15(1)(c)). Nothing of the
    partner's is in it, so art. 15(4) keeps nothing back, unlike the
    coordinator's matching notes and end reason."""
    await year.run_until(date(2027, 3, 2))  # the digest of Monday 1 March names Cecilia and Frida
    for name in ("Cecilia", "Frida"):
        data, _raw = await _my_file(year[name])
        (pair,) = data["pairs"]
        reported = pair["checks"]["stall_reported"]
        assert set(reported) == {"since", "week"} and reported["week"] == "2027-03-01", reported
        assert date.fromisoformat(reported["since"]) <= date(2027, 3, 1) - timedelta(days=56), reported


MYDATA = {
    "sv": {
        "running": "• I par med Frida, Knivsta kommun, sedan 4 jan. 2027 (igång)",
        "paused": "paus till 15 feb. 2027",
        "not_current": "paus till 15 feb. 2027 (gäller inte längre)",
        "closed": "• I par med Frida, Knivsta kommun, 4 jan.–1 feb. 2027 (genomfört)",
    },
    "en": {
        "running": "• Paired with Frida, Knivsta kommun, since 4 Jan 2027 (running)",
        "paused": "pause until 15 Feb 2027",
        "not_current": "pause until 15 Feb 2027 (no longer in force)",
        "closed": "• Paired with Frida, Knivsta kommun, 4 Jan\u2009–\u20091 Feb 2027 (completed)",
    },
}


async def test_mydata_text_lists_the_pair_and_a_pause_only_while_it_is_current(year):
    """The text of `mydata` says of each pair what the README promises (with
    whom, since and until when, its status), also once the program is
    closed; the stored pause is shown as in force while it lasts, and as no
    longer in force once the program is closed, though its day is to come."""
    say = MYDATA[year.locale]
    cecilia = year["Cecilia"]
    await cecilia.say("pause until 2027-02-15")
    text = (await cecilia.say("mydata"))[0].text
    assert say["running"] in text and say["paused"] in text and say["not_current"] not in text, text
    year.clock.advance(timedelta(days=28))  # 1 February
    await year["Anna"].choose(1, await year["Anna"].say("program close force=yes"))
    text = (await cecilia.say("mydata"))[0].text
    assert say["closed"] in text and say["not_current"] in text, text
