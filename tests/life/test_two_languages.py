"""A Swedish installation where a Swedish and an English program run side by
side: nobody is switched to English by the English program's existence.
The rule is `bot.language`: the person's own choice (`language`), a
dialogue's own language for its questions, the platform's, the program a
message is about (for a turn about none: the running program they joined
first), the installation's.

What a tester met in the console, each reproduced here: a newcomer whose
consent came in Swedish and the questions after `ja` in English; a mentor
whose `status` about his Swedish program turned English once he joined the
English one; and, after the Swedish program closed, its adept and a brand-new
person answered in English."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from bot.store.models import Program
from tests.core.harness import enroll, texts
from tests.life.helpers import Year

SWEDISH, ENGLISH = "mentorprogram-2027", "ledarskap-i-varden-2027"


@pytest.fixture
async def year(sqlite_db, clock):
    y = Year(sqlite_db, clock, "sv")
    await y.start(end="2027-12-15")  # Mentorprogram 2027, Swedish (the installation's), pairs announced
    anna = y["Anna"]
    await anna.say('event add closing 2027-11-25 15:00 place="Täby kommunhus"')
    # Olof is a mentor in the Swedish program all year and never chooses a language.
    await enroll(sqlite_db, clock, 1, "Olof", "mentor", "Täby kommun", ["budget"])
    created = await anna.say("program skapa Ledarskap i vården 2027 start=2027-09-01 slut=2028-06-15 språk=en")
    assert not [r for r in created if "errors/" in r.kind], texts(created)
    for line in ("org add Täby kommun", "org add Sundbybergs stad"):
        await anna.say(f"{line} program={ENGLISH}")
    return y


async def _program(year: Year, slug: str) -> Program:
    async with year.db.read() as s:
        return (await s.exec(select(Program).where(Program.slug == slug))).one()


def _locales(replies) -> set[str | None]:
    return {r.locale for r in replies}


async def test_a_newcomers_consent_and_the_questions_after_it_are_in_one_language(year):
    """Hanna joins the English program with the Swedish words (every
    command's words work in both languages and say nothing of the reader's).
    Her consent came in Swedish (the first running program's, though she was
    in none) and after `ja` in English (the program she had just joined):
    now the dialogue is in the language of the program it is about, from
    its first question to its last."""
    hanna = year["Hanna Holm"]
    consent = await hanna.say(f"gå med {ENGLISH} roll=adept")
    assert consent[-1].kind == "dialogs/ask/consent_adept"
    assert "Before we start" in texts(consent), texts(consent)
    after_yes = await hanna.say("ja")
    assert after_yes[-1].kind == "dialogs/ask/organisation"
    assert "Which organisation do you work for?" in texts(after_yes), texts(after_yes)
    assert _locales(consent + after_yes) == {"en"}


async def test_a_dialogue_keeps_the_language_it_began_in(year):
    """The consent for the English program is English, and so is every
    question after it and the reminder to finish, even when the coordinator
    changes the program's language in the middle."""
    johan = year["Johan"]
    consent = await johan.say(f"join {ENGLISH} role=adept")
    assert consent[-1].kind == "dialogs/ask/consent_adept" and _locales(consent) == {"en"}, texts(consent)
    after_yes = await johan.say("yes")
    assert after_yes[-1].kind == "dialogs/ask/organisation"
    assert "Which organisation" in texts(after_yes) and _locales(after_yes) == {"en"}, texts(after_yes)
    changed = await year["Anna"].say(f"program set locale=sv program={ENGLISH}")
    assert not [r for r in changed if "errors/" in r.kind] and (await _program(year, ENGLISH)).locale == "sv"
    department = await johan.say("1")
    assert department[-1].kind == "dialogs/ask/department" and _locales(department) == {"en"}, texts(department)
    # The reminder to finish it, which the dispatcher sends days later, too.
    await year.run_until(date(2027, 1, 15))
    (reminder,) = year.received("Johan", "scheduler/intake_reminder")
    assert reminder[1].startswith("Hi! You started signing up for Ledarskap i vården 2027"), reminder


async def test_joining_an_english_program_leaves_the_swedish_one_swedish(year):
    olof = year["Olof"]
    consent = await olof.say(f"join {ENGLISH} role=mentor")
    assert consent[-1].kind == "dialogs/ask/consent_mentor" and _locales(consent) == {"en"}
    asked = await olof.say("yes")  # the English program's questions stay English
    assert asked[-1].kind == "dialogs/ask/organisation" and _locales(asked) == {"en"}, texts(asked)
    status = await olof.say("status")
    shown = next(r for r in status if r.kind == "commands/status")
    assert shown.locale == "sv", shown.text
    assert "Avslutning" in shown.text and "Täby kommunhus" in shown.text, shown.text
    assert "Closing event" not in shown.text
    # What the dispatcher sends him about the Swedish program is Swedish too.
    await year.run_until(date(2027, 11, 19))
    reminders = year.received("Olof", "scheduler/event_reminder")
    assert reminders, year.kinds_sent(date(2027, 11, 1))
    for _, text in reminders:
        assert "Avslutning" in text or "avslutning" in text, text
        assert "Closing" not in text and "closing" not in text, text


async def test_after_the_swedish_program_closes_its_people_and_newcomers_read_swedish(year):
    swedish = await _program(year, SWEDISH)
    anna = year["Anna"]
    await anna.say(f"program close program={SWEDISH} force=yes")
    closed = await anna.click("program.close.confirm", f"{swedish.id}:force")
    assert not [r for r in closed if "errors/" in r.kind], texts(closed)
    assert (await _program(year, SWEDISH)).status not in ("active", "closing")

    cecilia = year["Cecilia"]  # an adept of the closed Swedish program only
    for line in ("status", "hjälp", "mina uppgifter"):
        replies = await cecilia.say(line)
        assert _locales(replies) == {"sv"}, (line, texts(replies))
    newcomer = year["Ny Person"]
    status = await newcomer.say("status")
    assert _locales(status) == {"sv"}, texts(status)
    assert "Du deltar inte i något mentorprogram ännu" in texts(status), texts(status)


async def test_a_command_about_a_program_answers_in_its_language(year):
    """The coordinator is in no program and has chosen no language: her
    replies are in the installation's, whichever program she works on (they
    followed the program's, so `program use` of an English one turned them
    all English)."""
    anna = year["Anna"]
    english = await anna.say(f"program show program={ENGLISH}")
    swedish = await anna.say(f"program show program={SWEDISH}")
    status = await anna.say("status")
    assert [_locales(english), _locales(swedish), _locales(status)] == [{"sv"}, {"sv"}, {"sv"}]


async def test_an_invitation_to_the_english_program_is_answered_in_english(year):
    """Olof's turns are about his Swedish program, but a click on the
    English program's card is about the English program, as the card was."""
    # Olof is a mentor in the Swedish program: inviting him as a mentee asks first.
    await year["Anna"].say(f"invite console:local:olof program={ENGLISH} confirm=yes")
    olof = year["Olof"]
    invitation = [m for m in olof.inbox() if m.card is not None]
    assert [m.locale for m in invitation] == ["en"], [m.text for m in invitation]
    answered = await olof.choose(1, invitation)
    assert answered[0].kind == "dialogs/card_accepted" and answered[-1].kind.startswith("dialogs/ask/consent_")
    assert _locales(answered) == {"en"}, texts(answered)
