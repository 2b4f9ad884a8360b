"""`program new-cohort FROM NAME start=…`: a draft with the settings, the
organisations and the calendar shifted to the new dates; last year's mentors
are asked to stay on when it opens. Swedish and English."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.reminders.calendar import ProgramCalendar
from bot.store.models import Enrollment, Person, Program, ProgramEvent, ProgramOrganisation
from tests.core.harness import texts
from tests.life.helpers import Year

SAY = {
    "sv": {
        "created": "är skapat som utkast",
        "stay": "undrar om du vill vara mentor igen",
        "not_later": "måste börja efter",
    },
    "en": {
        "created": "is created as a draft",
        "stay": "wonders whether you would be a mentor again",
        "not_later": "must start after",
    },
}


@pytest.fixture(params=["sv", "en"])
async def year(request, sqlite_db, clock):
    y = Year(sqlite_db, clock, request.param)
    await y.start()
    for line in ('event add kickoff 2027-01-19 13:00 place="Stadshuset"', "program set nudge=20-30 quiet=07-01..08-15"):
        await y["Anna"].say(line)
    y.say = SAY[request.param]
    return y


async def test_a_new_cohort_copies_settings_organisations_and_shifted_calendar(year):
    anna = year["Anna"]
    refused = await anna.say("program new-cohort mentorprogram-2027 Tidigt start=2026-12-01")
    assert year.say["not_later"] in texts(refused)
    made = await anna.say("program new-cohort mentorprogram-2027 Mentorprogram 2028 start=2028-01-18")
    assert year.say["created"] in texts(made)
    async with year.db.read() as s:
        old, new = (await s.exec(select(Program).order_by(Program.id))).all()
        orgs = {(row.program_id, row.organisation_id) for row in (await s.exec(select(ProgramOrganisation))).all()}
        kickoff = (await s.exec(select(ProgramEvent).where(ProgramEvent.program_id == new.id))).one()
        invited = (
            await s.exec(
                select(Enrollment, Person)
                .join(Person, Person.id == Enrollment.person_id)
                .where(Enrollment.program_id == new.id)
            )
        ).all()
    assert new.status == "draft" and new.previous_id == old.id
    assert (new.start, new.end) == (date(2028, 1, 18), date(2028, 12, 13))  # the same 364 days later
    assert (new.nudge_min_days, new.nudge_max_days, new.quiet_periods) == (20, 30, [["07-01", "08-15"]])
    assert {o for p, o in orgs if p == new.id} == {o for p, o in orgs if p == old.id}
    local = kickoff.starts_at.astimezone(ProgramCalendar().zone)
    assert (local.date(), local.hour, kickoff.place) == (date(2028, 1, 18), 13, "Stadshuset")
    assert sorted(p.name for e, p in invited) == ["Frida", "Gustav", "Hanna"]
    assert {e.status for e, _ in invited} == {"invited"}
    assert year["Frida"].inbox() == [] or all(year.say["stay"] not in m.text for m in year["Frida"].inbox())

    await anna.say("program open mentorprogram-2028")
    stay = [m for m in year["Frida"].inbox() if m.kind == "lifecycle/stay_on"]
    assert len(stay) == 1 and year.say["stay"] in stay[0].text
    started = await year["Frida"].choose(1, stay)
    assert started[-1].kind == "dialogs/ask/consent_mentor"
