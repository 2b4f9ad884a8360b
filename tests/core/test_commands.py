"""Commands through the console harness, in Swedish and English: happy paths,
bad input answered with a localized message, refusals and the audit log."""

from __future__ import annotations

import pytest
from sqlmodel import select

from adapters.console_render import render_text
from bot.store.models import AuditLog, Enrollment, Program, ProgramEvent
from tests.core.cockpit import announce, cockpit_world, enroll
from tests.core.harness import commands_world, texts

# (input, Swedish fragment, English fragment)
BAD_INPUT = [
    (
        "program frobnicate",
        "känner inte till kommandot `program frobnicate`",
        "don't know the command `program frobnicate`",
    ),
    ("prgram show", "Menade du `program visa`?", "Did you mean `program show`?"),
    # A group's commands in the reader's words (typed in Swedish or English alike).
    (
        "event frobnicate",
        "`träff lägg-till`, `träff ändra`, `träff ta-bort`",
        "`event add`, `event edit`, `event remove`",
    ),
    (
        "träff frobnicate",
        "`träff lägg-till`, `träff ändra`, `träff ta-bort`",
        "`event add`, `event edit`, `event remove`",
    ),
    ("träff lägg-tll", "Menade du `träff lägg-till`?", "Did you mean `event add`?"),
    ("event add kickoff 2027-02-30", "februari 2027 har 28 dagar", "February 2027 has 28 days"),
    ("event add kickoff 2028-02-30", "februari 2028 har 29 dagar", "February 2028 has 29 days"),
    ("event add kickoff 2027-13-01", "ingen månad 13", "no month 13"),
    ("event add kickoff 19-1", "ÅÅÅÅ-MM-DD", "YYYY-MM-DD"),  # `19.1` is 19 January
    ("event add kickoff 2027-03-01 25:00", "`25:00` är ingen tid", "`25:00` is not a time"),
    ("event add party 2027-03-01", "`party` finns inte att välja (sort)", "`party` is not one of the choices (kind)"),
    ("event add inspiration 2029-05-12", "ligger utanför programmet", "is outside the program"),
    ("event add custom 2027-03-01", "rubrik=", "title="),
    ("event add", "`träff lägg-till` behöver `sort`", "`event add` needs `kind`"),
    ("event edit 99 place=x", "ingen träff med nummer `99`", "an event numbered `99`"),
    # Examples in the reader's words, from the grammar (typed in Swedish or English alike).
    (
        "träff ändra 1",
        "till exempel: `träff ändra NUMMER datum=ÅÅÅÅ-MM-DD tid=TT:MM plats=TEXT för=alla|mentorer|adepter rubrik=TEXT`",
        "for example: `event edit ID date=YYYY-MM-DD time=HH:MM place=TEXT audience=all|mentors|mentees title=TEXT`",
    ),
    (
        "program ändra",
        "till exempel: `program ändra påminnelser=21-28 uppehåll=07-01..07-31 mentorår=5`",
        "for example: `program set nudge=21-28 quiet=07-01..07-31 mentor_years=5`",
    ),
    (
        "utskick mentorer",
        "`utskick` behöver `text`. Så här skrivs det: `utskick alla|mentorer|adepter|org=TEXT TEXT [program=PROGRAM]`",
        "`broadcast` needs `text`. It is written like this: `broadcast all|mentors|mentees|org=TEXT TEXT [program=",
    ),
    ("event add kickoff 2027-03-01 colour=red", "känner inte till `colour=`", "has no option `colour=`"),
    ('org add "Täby', "citattecken", "quotation mark"),
    ("org remove Solna stad", "”Solna stad” deltar inte", "“Solna stad” is not taking part"),
    ("invite Gunnar", "Jag vet inte vem `Gunnar` är", "I don't know who `Gunnar` is"),
    (
        "invite kalle@example.com",
        "Ingen med e-postadressen `kalle@example.com` har skrivit till mig än",
        "Nobody with the e-mail address `kalle@example.com` has written to me yet",
    ),
    ("nominate Gunnar", "Jag vet inte vem `Gunnar` är", "I don't know who `Gunnar` is"),
    ("program show nosuch", "inget program som heter `nosuch`", "can't find a program called `nosuch`"),
    ("program create X start=2027-05-01 end=2027-01-01", "måste sluta efter att det har börjat", "must end after it"),
    ("program create X start=2027-02-01 end=2027-02-01", "samma dag som starten", "the same day as its start"),
    ("program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19", "finns redan", "already a program"),
    ("program create Y start=2027-01-01 end=2027-12-31 tz=Mars/Base", "ingen tidszon", "not a time zone"),
    ("program create Y start=2027-01-01 end=2027-12-31 nudge=28-21", "intervall", "range of days"),
    (
        "coordinator add nobody",
        "inte namnet på någon som har skrivit till mig",
        "not the name of anyone who has written",
    ),
    ("pause 2026-01-01", "deltar inte i något aktivt", "not taking part in an active"),
    ("language de", "`de` finns inte att välja (språk)", "`de` is not one of the choices (language)"),
    # A missing choice is named by its choices, not by a name that repeats the command's.
    ("language", "`språk` behöver `sv` eller `en`.", "`language` needs `sv` or `en`."),
    ("event add", "`träff lägg-till` behöver `sort` och `datum`.", "`event add` needs `kind` and `date`."),
]


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    return await commands_world(sqlite_db, clock, request.param)


@pytest.mark.parametrize("line, sv, en", BAD_INPUT, ids=[b[0] for b in BAD_INPUT])
async def test_bad_input_gets_a_localized_answer(world, line, sv, en):
    replies = await world["Anna"].say(line)
    assert len(replies) == 1
    assert (sv if world.locale == "sv" else en) in replies[0].text
    assert "Traceback" not in replies[0].text


async def test_bad_input_changes_nothing(world, sqlite_db):
    await world["Anna"].say("event add kickoff 2029-01-01")
    async with sqlite_db.read() as s:
        assert len((await s.exec(select(ProgramEvent))).all()) == 1


async def test_program_show_lists_organisations_and_events_in_local_time(world):
    text = texts(await world["Anna"].say("program show"))
    assert "Knivsta kommun, Täby kommun" in text
    if world.locale == "sv":
        assert "#1 Uppstartsmöte: 19 jan. 2027 kl. 13:00, Stadshuset (alla)" in text
    else:
        assert "#1 Kickoff: 19 Jan 2027 at 13:00, Stadshuset (everyone)" in text


async def test_program_show_lists_each_event_once_with_its_answers_on_its_line(world):
    """The overview, as a person reads it (the console's rendering of the
    card), names each event once: the answers so far are on the event's own
    line, not in a second list below."""
    from adapters.console_render import render_text

    await world["Anna"].say("event add inspiration 2027-05-03 13:00")
    (shown,) = await world["Anna"].say("program show")
    read = render_text(shown)
    kickoff, counts = {
        "sv": ("#1 Uppstartsmöte: 19 jan. 2027 kl. 13:00, Stadshuset (alla)", "kommer: 0, kan inte: 0"),
        "en": ("#1 Kickoff: 19 Jan 2027 at 13:00, Stadshuset (everyone)", "coming: 0, cannot come: 0"),
    }[world.locale]
    assert read.count("#1 ") == 1 and read.count("#2 ") == 1, read
    assert f"{kickoff} – {counts}" in read, read
    assert read.count(counts) == 2, read


async def test_event_times_are_read_in_the_program_time_zone(world, sqlite_db):
    async with sqlite_db.read() as s:
        event = (await s.exec(select(ProgramEvent))).one()
    # 13:00 in Stockholm in January is 12:00 UTC.
    assert (event.starts_at.hour, event.starts_at.minute) == (12, 0)


async def test_event_edit_and_remove(world, sqlite_db):
    anna = world["Anna"]
    text = texts(await anna.say('event edit 1 date=2027-01-20 time=10:00 place="Kulturhuset"'))
    assert "Kulturhuset" in text and ("20 jan. 2027 kl. 10:00" in text or "20 Jan 2027 at 10:00" in text)
    await anna.say("event add mentor_training 2027-02-22")
    await anna.say("event remove 1 confirm=yes")
    shown = texts(await anna.say("program show"))
    assert "Kulturhuset" not in shown
    assert ("mentorer" in shown) if world.locale == "sv" else ("mentors" in shown)


async def test_invite_and_nominate_reach_the_people(world, sqlite_db):
    anna, eva, maria = world["Anna"], world["Eva"], world["Maria"]
    await eva.say("hej")  # Eva has talked to the bot before
    text = texts(await anna.say("invite console:local:eva console:local:olle"))  # Eva has no organisation yet: by key
    assert "Eva" in text and "Olle" in text
    invitation = eva.inbox()
    assert len(invitation) == 1 and invitation[0].card is not None
    assert invitation[0].card.blocks[-1].buttons[0].action_id == "invite.join"
    await eva.say("hej")
    await anna.say("program set nominators=anyone")  # Karin, an area manager, takes no part herself
    reply = texts(await world["Karin"].say("nominate console:local:maria Lugn och klok"))
    assert "Maria" in reply
    nomination = maria.inbox()
    assert "Karin" in nomination[0].text and "Lugn och klok" in render(nomination[0])
    async with sqlite_db.read() as s:
        rows = (await s.exec(select(Enrollment).order_by(Enrollment.id))).all()
    assert [(r.role, r.status) for r in rows] == [("adept", "invited"), ("adept", "invited"), ("mentor", "invited")]
    assert rows[2].nomination_reason == "Lugn och klok"


def render(message) -> str:
    from adapters.console_render import render_text

    return render_text(message)


async def test_self_nomination_is_refused(world):
    await world["Anna"].say("program set nominators=anyone")
    reply = texts(await world["Karin"].say("nominate console:local:karin"))
    assert ("nominera dig själv" in reply) if world.locale == "sv" else ("nominate yourself" in reply)


async def test_non_coordinator_is_refused_and_audited(world, sqlite_db):
    reply = texts(await world["Eva"].say("program create Hack start=2027-01-01 end=2027-12-31"))
    assert ("inte samordnare" in reply) if world.locale == "sv" else ("not one" in reply)
    async with sqlite_db.read() as s:
        assert len((await s.exec(select(Program))).all()) == 1
        refused = (await s.exec(select(AuditLog).where(AuditLog.action == "refused"))).all()
    assert [r.actor for r in refused] == ["console:local:eva"]
    assert refused[0].detail == {"command": "program create"}


async def test_coordinator_actions_are_audited(world, sqlite_db):
    async with sqlite_db.read() as s:
        actions = [a.action for a in (await s.exec(select(AuditLog).order_by(AuditLog.id))).all()]
    assert actions == ["program create", "org add", "org add", "event add"]


async def test_coordinators_can_add_coordinators(world):
    anna, eva = world["Anna"], world["Eva"]
    await eva.say("hej")
    await anna.say("coordinator add console:local:eva")
    assert "Mentorprogram 2027" in texts(await eva.say("program show"))
    listed = texts(await anna.say("coordinator list"))
    assert "Eva" in listed and "console:local:eva" not in listed
    await anna.say("coordinator remove console:local:eva")
    refused = texts(await eva.say("program show"))  # refused again, naming the command in her words
    assert ("`program visa`" if world.locale == "sv" else "`program show`") in refused
    reply = texts(await anna.say("coordinator remove console:local:anna"))
    assert "bot.coordinators" in reply


async def test_language_switch(world):
    eva = world["Eva"]
    assert "English" in texts(await eva.say("language en"))
    assert "svenska" in texts(await eva.say("language sv"))
    assert "`status`" in texts(await eva.say("hjälp"))


async def test_pause_resume_and_leave(world, sqlite_db):
    anna, eva = world["Anna"], world["Eva"]
    await eva.say("hej")
    await anna.say("invite console:local:eva")
    text = texts(await eva.say("pause until 2027-03-01"))
    assert "2027" in text
    async with sqlite_db.read() as s:
        assert str((await s.exec(select(Enrollment))).one().paused_until) == "2027-03-01"
    assert texts(await eva.say("status")).count("2027") >= 1
    await eva.say("resume")
    async with sqlite_db.read() as s:
        assert (await s.exec(select(Enrollment))).one().paused_until is None
    confirm = await eva.say("leave")
    assert confirm[0].card is not None
    kept = await eva.choose(2)  # "No"
    assert kept[0].replace is not None
    await eva.say("leave")
    await eva.choose(1)  # "Yes"
    async with sqlite_db.read() as s:
        assert (await s.exec(select(Enrollment))).one().status == "left"
    assert "Eva" in texts(anna.inbox())


async def test_mydata_and_forget(world, sqlite_db):
    eva = world["Eva"]
    await eva.say("hej")
    await world["Anna"].say("invite console:local:eva")
    assert "console (eva)" in texts(await eva.say("mydata"))
    await eva.say("forget")
    done = await eva.choose(1)
    assert done[0].replace is not None
    async with sqlite_db.read() as s:
        from bot.store.models import Identity, Person

        assert (await s.exec(select(Identity).where(Identity.user_id == "eva"))).first() is None
        assert "eva" not in [p.name.lower() for p in (await s.exec(select(Person))).all()]


async def test_the_same_event_delivered_twice_is_handled_once(world, sqlite_db):
    anna = world["Anna"]
    first = await anna.say("event add inspiration 2027-05-12", event_id="Ev1")
    again = await anna.say("event add inspiration 2027-05-12", event_id="Ev1")
    assert first and again == []
    async with sqlite_db.read() as s:
        assert len((await s.exec(select(ProgramEvent))).all()) == 2


async def test_program_settings(world, sqlite_db):
    anna = world["Anna"]
    text = texts(
        await anna.say("program set nudge=14-21 quiet=07-01..07-31,12-23..01-06 mentor_years=4 nominators=coordinators")
    )
    # Said in words: weeks where the days are whole weeks, quiet periods as dates.
    assert {"sv": "var andra till tredje vecka", "en": "every 2–3 weeks"}[world.locale] in text
    assert {"sv": "23 december–6 januari", "en": "23 December–6 January"}[world.locale] in text
    async with sqlite_db.read() as s:
        program = (await s.exec(select(Program))).one()
    assert (program.nudge_min_days, program.nudge_max_days, program.mentor_min_years) == (14, 21, 4)
    assert program.quiet_periods == [["07-01", "07-31"], ["12-23", "01-06"]]
    bad = texts(await anna.say("program set quiet=07-01..07-32"))
    assert "MM-DD..MM-DD" in bad
    refused = texts(await world["Karin"].say("nominate console:local:anna"))
    assert ("samordnarna" in refused) if world.locale == "sv" else ("coordinators" in refused)


async def test_program_set_says_what_it_changed_from_what_to_what(world):
    anna = world["Anna"]
    text = texts(await anna.say("program set quiet=12-23..01-06 mentor_years=6"))
    assert {
        "sv": "Ändrat: `uppehåll` 1–31 juli → *23 december–6 januari*\nÄndrat: `mentorår` 5 år → *6 år*\nInställningar",
        "en": "Changed: `quiet` 1\u2009–\u200931 July → *23 December–6 January*\nChanged: `mentor_years` 5 years → *6 years*",
    }[world.locale] in text
    again = texts(await anna.say("program set quiet=12-23..01-06"))
    assert {"sv": "Inget ändrades: inställningen var redan så.", "en": "Nothing changed: the setting was already so."}[
        world.locale
    ] in again


async def test_a_name_too_long_to_keep_is_answered_not_an_internal_error(world):
    # Within what a line may carry (1 000 for a name typed as free text), over what is stored (200).
    (reply,) = await world["Anna"].say("org add " + "Kommun" * 50)
    assert reply.kind == "errors/too_long"
    assert {
        "sv": "för långt (namn): 300 tecken, och högst 200 tecken går",
        "en": "too long (name): 300 characters, and at most 200 characters fit",
    }[world.locale] in reply.text


# What `resume` gives back, by what the pause kept from the person.
RESUMED = {
    "sv": {
        "paired": "Påminnelserna till ditt par är igång igen",
        "matching": "Du är med i matchningen igen",
        "signing_up": "när din anmälan är klar kan du matchas",
    },
    "en": {
        "paired": "The reminders to your pair are on again",
        "matching": "You can be matched again",
        "signing_up": "once you are through signing up you can be matched",
    },
}


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_resume_says_what_the_pause_kept_from_them(sqlite_db, clock, locale):
    """A pause keeps someone in a pair from their pair's reminders, someone
    without one out of matching, and someone signing up from both; `resume`
    says which they are back to."""
    world = await cockpit_world(sqlite_db, clock, locale)
    await enroll(world, "Bertil", "adept", "Täby kommun")
    await enroll(world, "Cecilia", "mentor", "Knivsta kommun")
    await announce(world)  # Bertil with Cecilia
    await enroll(world, "David", "mentor", "Täby kommun")  # after the matching: no adept yet
    await world["Eva"].say("hej")
    await world["Anna"].say("invite console:local:eva")  # invited, not signed up
    for name, situation in (("Cecilia", "paired"), ("David", "matching"), ("Eva", "signing_up")):
        await world[name].say("pause until 2027-06-01")
        (reply,) = await world[name].say("resume")
        assert reply.kind == "commands/resumed"
        shown = {s for s, words in RESUMED[locale].items() if words in reply.text}
        assert shown == {situation}, (name, reply.text)


async def test_own_status_wording_reads_naturally(world):
    sv = world.locale == "sv"
    anna, eva = world["Anna"], world["Eva"]
    (status,) = await anna.say("status")  # a coordinator is not "not in a program yet"
    assert status.text.strip().startswith(
        "Du deltar inte i något mentorprogram." if sv else "You are not taking part in a mentor program."
    )
    await anna.say("event add closing 2027-12-01")
    (doubt,) = await anna.say("event add closing 2029-05-12")
    assert (
        "Dessutom har Mentorprogram 2027 redan en avslutning"
        if sv
        else "Also, Mentorprogram 2027 already has a closing"
    ) in doubt.text
    await eva.say("hej")
    await anna.say("invite console:local:eva")
    await eva.say("gå med" if sv else "join")
    await eva.say("ja" if sv else "yes")  # consent: the sign-up is under way
    mine = "\n".join(r.text for r in await eva.say("status"))  # the sign-up's question follows
    assert ("du är adept (fyller i din anmälan)" if sv else "(filling in the sign-up)") in mine
    home = "\n".join(render_text(r) for r in await eva.say("hem" if sv else "home"))
    assert ("Du är adept (fyller i din anmälan)" if sv else "(filling in the sign-up)") in home
    leave = "\n".join(r.text for r in await eva.say("lämna" if sv else "leave"))
    assert ("Dina svar från anmälan raderas" if sv else "Your sign-up answers are deleted") in leave
    await eva.choose(1)
    (left,) = await eva.say("status")
    assert left.text.strip().startswith(
        "Du deltar inte i något mentorprogram." if sv else "You are not taking part in a mentor program."
    )


@pytest.mark.parametrize("locale, said", [("sv", "en samordnare skapar ett"), ("en", "a coordinator creates one")])
async def test_a_participant_naming_a_program_before_any_exists_is_not_told_to_create_one(
    sqlite_db, clock, locale, said
):
    from tests.core.harness import World, make_core

    world = World(make_core(sqlite_db, clock, locale=locale))
    (answer,) = await world["Bo"].say("join mentorprogram-2027")
    assert answer.kind == "errors/unknown_program" and said in answer.text, answer.text
