"""`program new-cohort FROM NAME start=…`: a draft with the settings, the
organisations and the calendar shifted to the new dates; last year's mentors
are asked to stay on when it opens. Swedish and English."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.reminders.calendar import ProgramCalendar
from bot.store.models import Enrollment, Person, Program, ProgramEvent, ProgramOrganisation
from tests.core.harness import enroll, texts
from tests.life.helpers import COHORT, Year

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


STAY = {
    "sv": {
        "thanks": "Tack för ditt år som mentor",
        "none_last_time": "Förra gången i Mentorprogram 2027 blev det ingen adept till dig.",
        "adept_text": "du styr vad ni pratar om",
        "mentor_text": "Som mentor träffar du din adept",
        "declined": "Tack för beskedet! Ändrar du dig",
        "nominator": "den som nominerade dig",
        "reminder_decline": "tryck *Nej tack* på inbjudan",
    },
    "en": {
        "thanks": "Thank you for your year as a mentor",
        "none_last_time": "Last time, in Mentorprogram 2027, there was no mentee for you.",
        "adept_text": "you decide what you talk about",
        "mentor_text": "As a mentor you meet your mentee",
        "declined": "Thank you for letting me know! If you change your mind",
        "nominator": "who nominated you",
        "reminder_decline": "press *No thanks* on the invitation",
    },
}


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_returning_mentors_get_a_mentors_invitation_they_can_decline_and_no_reminder_at_once(
    sqlite_db, clock, locale
):
    """The new cohort opens weeks after it was made: each returning mentor
    gets a mentor's invitation (Yes / No thanks), thanked for the year only if
    they had an adept, and "you have not answered" only after a few working
    days, not in the same turn."""
    year, say = Year(sqlite_db, clock, locale), STAY[locale]
    await year.start(cohort={**COHORT, "Lena": ("mentor", "Knivsta kommun", ["budget"])})  # Lena: no adept
    anna = year["Anna"]
    await anna.say("program new-cohort mentorprogram-2027 Mentorprogram 2028 start=2028-01-18")
    await year.run_until(date(2027, 11, 24))
    await anna.say("program open mentorprogram-2028")
    frida = [m for m in year["Frida"].inbox() if m.kind == "lifecycle/stay_on"]
    lena = [m for m in year["Lena"].inbox() if m.kind == "lifecycle/stay_on"]
    assert len(frida) == 1 and len(lena) == 1
    assert say["thanks"] in frida[0].text and say["thanks"] not in lena[0].text
    assert say["none_last_time"] in lena[0].text
    for message in (frida[0], lena[0]):
        card_text = texts([message]) + " ".join(b.text for b in message.card.blocks if hasattr(b, "text"))
        assert say["mentor_text"] in card_text and say["adept_text"] not in card_text
    buttons = next(b for b in message.card.blocks if hasattr(b, "buttons")).buttons
    assert [b.action_id for b in buttons] == ["invite.join", "nomination.decline"]
    # Nothing else that day: "you have not answered" comes after a few working days.
    await year.run_until(date(2027, 11, 25))
    assert year.received("Frida", "scheduler/intake_reminder") == []
    # Lena says no thanks: noted, no nominator named.
    declined = texts(await year["Lena"].choose(2, lena))
    assert say["declined"] in declined and say["nominator"] not in declined
    await year.run_until(date(2027, 12, 8))
    reminded = year.received("Frida", "scheduler/intake_reminder")
    assert [d for d, _ in reminded] == [date(2027, 11, 29)]  # three working days after Wednesday 24 November
    assert say["reminder_decline"] in reminded[0][1]
    assert year.received("Lena", "scheduler/intake_reminder") == []


SELF = {
    "sv": ("Du var själv mentor i Mentorprogram 2027", "3 mentorer från förra året"),
    "en": ("You were a mentor yourself in Mentorprogram 2027", "3 mentors from last year"),
}


async def test_the_coordinator_who_opens_the_cohort_is_not_invited_by_themselves(year):
    """Probe 2, item 24: a coordinator who was also a mentor got "Anna … wonders
    whether you would be a mentor again" from herself. She is asked in the
    answer to `program open` instead, with the same buttons; the count of
    mentors asked leaves her out."""
    await enroll(year.db, year.clock, 1, "Anna", "mentor", "Täby kommun", ["change"])
    anna = year["Anna"]
    await anna.say("program new-cohort mentorprogram-2027 Mentorprogram 2028 start=2028-01-18")
    opened = await anna.say("program open mentorprogram-2028")
    own, counted = SELF[year.locale]
    assert [m.kind for m in opened] == ["lifecycle/opened", "lifecycle/stay_on_self"], texts(opened)
    assert counted in opened[0].text and own in opened[1].text, texts(opened)
    assert [m for m in anna.inbox() if m.kind == "lifecycle/stay_on"] == []
    assert [m for m in year["Frida"].inbox() if m.kind == "lifecycle/stay_on"]
    started = await anna.choose(1, opened)  # Yes: her own intake as a mentor starts
    assert started[-1].kind == "dialogs/ask/consent_mentor", texts(started)


NONE_RUNNING = {
    "sv": {
        "draft_shown": "Ett utkast: öppna det med `program öppna mentorprogram-2028` när det är klart.",
        "draft": "Inget mentorprogram är igång just nu. *Mentorprogram 2028* är ett utkast: öppna det med"
        " `program öppna mentorprogram-2028` när det är klart (se det med `program visa mentorprogram-2028`).",
        "join": "Det finns inget mentorprogram att gå med i just nu. Samordnaren bjuder in dig när nästa program"
        " öppnar.",
        "wrong": ("program skapa", "Du deltar inte i något mentorprogram"),
    },
    "en": {
        "draft_shown": "A draft: open it with `program open mentorprogram-2028` when it is ready.",
        "draft": "No mentor program is running right now. *Mentorprogram 2028* is a draft: open it with"
        " `program open mentorprogram-2028` when it is ready (see it with `program show mentorprogram-2028`).",
        "join": "There is no mentor program to join right now. The coordinator will invite you when the next"
        " program opens.",
        "wrong": ("program create", "You are not taking part in a mentor program"),
    },
}


async def test_after_the_close_with_a_draft_next_cohort_each_is_told_what_is_true(year):
    """The year is closed and its next cohort is a draft: the coordinator's
    `program show` (of the draft, which she now works on) and `home` name
    the draft and how to open it; a newcomer
    and last year's adept who type `join` hear that nothing is open to join
    and that the coordinator will invite them, not a coordinator's command."""
    say, sv = NONE_RUNNING[year.locale], year.locale == "sv"
    anna = year["Anna"]
    await anna.say("program new-cohort mentorprogram-2027 Mentorprogram 2028 start=2028-01-18")
    asked = await anna.say("program close mentorprogram-2027 force=yes")
    await anna.choose(1, asked)
    # `program new-cohort` made the draft the program her commands work on: shown, and how to open it.
    shown = texts(await anna.say("program visa" if sv else "program show"))
    assert shown.startswith("*Mentorprogram 2028*") and say["draft_shown"] in shown, shown
    (home,) = await anna.say("hem" if sv else "home")
    home_text = "\n".join(getattr(b, "text", "") for b in home.card.blocks)
    assert say["draft"] in home_text and not any(w in home_text for w in say["wrong"]), home_text
    for name in ("Vera", "Cecilia"):
        joined = texts(await year[name].say("gå med" if sv else "join"))
        assert joined == say["join"], (name, joined)
    # And `home` does not send a newcomer to `join` when nothing is open to join.
    (vera_home,) = await year["Vera"].say("hem" if sv else "home")
    vera_text = "\n".join(getattr(b, "text", "") for b in vera_home.card.blocks)
    assert "`gå med`" not in vera_text and "`join`" not in vera_text, vera_text
    assert ("samordnaren bjuder in dig" if sv else "the coordinator will invite you") in vera_text, vera_text
