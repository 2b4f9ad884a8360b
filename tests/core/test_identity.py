"""Identity is never inferred from an e-mail or a name: a new platform
identity is a new person until it is linked with proof (a one-time code, or
a coordinator's `person link`); e-mail coordinator entries match once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.i18n import render
from bot.markup import CLOSE, OPEN
from bot.messages import Actor, Address, Inbound, Kind, Platform, Where
from bot.store.models import Coordinator, Enrollment, Identity, Person
from tests.core.harness import World, texts
from tests.core.harness import make_core as _make_core

SETUP = (
    "program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19",
    "org add Täby kommun",
)


OWN = "T1"  # the Slack workspace the bot is installed in (what `auth.test` said at start)


def make_core(db, clock, **kw):
    return _make_core(db, clock, slack_workspace=OWN, **kw)


def slack_actor(user: str, email: str | None = None, team: str = "T1") -> Actor:
    return Actor(Platform.SLACK, team, user, display_name=user, email=email)


async def say_as(core, actor: Actor, text: str):
    where = Address(actor.platform, actor.tenant, f"D{actor.user_id}", actor.user_id, Where.DM)
    return await core.handle(Inbound(actor, where, Kind.TEXT, text=text))


async def _people(db) -> list[Person]:
    async with db.read() as session:
        return list((await session.exec(select(Person).order_by(Person.id))).all())


async def test_an_email_coordinator_entry_matches_the_first_vouched_identity_only(sqlite_db, clock):
    core = make_core(sqlite_db, clock, locale="en", coordinators=("hr@taby.se",))
    first, second = slack_actor("U1", "hr@taby.se"), slack_actor("U2", "hr@taby.se", team="T0TWO")
    created = await say_as(core, first, "program create P start=2027-01-19 end=2027-12-31")
    assert created[0].kind == "commands/program_created"
    assert (await say_as(core, first, "org add Knivsta kommun slack=T0TWO"))[0].kind == "commands/org_added"
    refused = await say_as(core, second, "org add Solna stad")
    assert refused[0].kind == "errors/not_coordinator"
    people = await _people(sqlite_db)
    assert len(people) == 2  # the same e-mail made two people, not one
    async with sqlite_db.read() as session:
        keys = (await session.exec(select(Coordinator.key))).all()
    assert keys == ["slack:T1:U1"]  # the first identity's key was stored


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_the_coordinator_list_names_people_and_platforms_never_keys(sqlite_db, clock, locale):
    core = make_core(sqlite_db, clock, locale=locale, coordinators=("hr@taby.se", "slack:T1:U1"))
    hedda = Actor(Platform.SLACK, "T1", "U7", display_name="Hedda", email="hr@taby.se")
    boss = Actor(Platform.SLACK, "T1", "U1", display_name="Bo *Boss*")
    assert (await say_as(core, hedda, "coordinator list"))[0].kind == "commands/coordinator_list"  # claims hr@
    await say_as(core, boss, "coordinator add slack:T1:U9")  # has never written to the bot
    await say_as(core, boss, "coordinator add kim@taby.se")
    async with sqlite_db.write() as session:  # as `mentorbot console --coordinator` records a configured one too
        session.add(Coordinator(key="slack:T1:U1", added_by="console", created_at=clock.now()))
    (reply,) = await say_as(core, boss, "coordinator list")
    assert "slack:" not in reply.text and "T1" not in reply.text and "U9" not in reply.text
    assert reply.text.count("Hedda (Slack)") == 1  # the e-mail entry she claimed, shown once
    assert reply.text.count("Boss*") == 1  # listed as configured only
    assert f"{OPEN}Bo *Boss*{CLOSE} (Slack)" in reply.text  # what a person's name holds stays text
    unknown = {
        "sv": "någon som inte har skrivit till mig än (Slack)",
        "en": "someone who has not written to me yet (Slack)",
    }
    assert unknown[locale] in reply.text and "`kim@taby.se`" in reply.text


async def test_a_matching_email_does_not_merge_a_new_identity_into_a_known_person(sqlite_db, clock):
    core = make_core(sqlite_db, clock, locale="en", coordinators=("slack:T1:U1",))
    await say_as(core, slack_actor("U1", "anna@taby.se"), "program create P start=2027-01-19 end=2027-12-31")
    await say_as(core, slack_actor("U1", "anna@taby.se"), "org add Knivsta kommun slack=T0NINE")  # T0NINE gets in
    stranger = slack_actor("U666", "anna@taby.se", team="T0NINE")
    answer = await say_as(core, stranger, "org add Evil")
    assert answer[0].kind == "errors/not_coordinator"
    async with sqlite_db.read() as session:
        owners = {i.user_id: i.person_id for i in (await session.exec(select(Identity))).all()}
    assert owners["U1"] != owners["U666"]


async def test_a_name_resolves_only_among_the_program_organisations(sqlite_db, clock):
    world = World(make_core(sqlite_db, clock, locale="en"))
    for line in SETUP:
        await world["Anna"].say(line)
    await world["Maria Holm"].say("hello")  # an impostor writes first; she is in no organisation of the program
    answer = texts(await world["Anna"].say('invite "Maria Holm"'))
    assert answer == render(
        "en", "errors/person_outside_program", ref="Maria Holm", program=type("P", (), {"name": "Mentorprogram 2027"})
    )
    assert world["Maria Holm"].inbox() == []


async def test_a_name_two_people_share_is_refused_until_the_coordinator_picks(sqlite_db, clock):
    world = World(make_core(sqlite_db, clock, locale="en"))
    await world["Anna"].say("program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19")
    await world["Maria1"].say("hello")
    await world["Maria2"].say("hello")
    async with sqlite_db.write() as session:
        for person in (await session.exec(select(Person).where(Person.name.in_(["Maria1", "Maria2"])))).all():
            person.name = "Maria Holm"
            session.add(person)
    answer = await world["Anna"].say('invite "Maria Holm"')
    assert answer[0].kind == "errors/person_ambiguous"
    picked = await world["Anna"].say("invite console:local:maria2")
    assert picked[0].kind == "commands/invited"
    assert world["Maria1"].inbox() == [] and len(world["Maria2"].inbox()) == 1


async def test_a_one_time_code_links_a_second_account_and_works_once(sqlite_db, clock):
    world = World(make_core(sqlite_db, clock, locale="en"))
    anna = world["Anna"]  # a coordinator on the console
    (shown,) = await anna.say("link")
    assert shown.ephemeral and shown.kind == "commands/link_code"
    code = shown.text.split("*")[1]
    slack_anna = slack_actor("U42")
    linked = await say_as(world.core, slack_anna, f"link {code}")
    assert linked[0].kind == "commands/linked"
    # Her Slack account now acts as her, coordinator rights included.
    assert (await say_as(world.core, slack_anna, "org add Solna"))[0].kind != "errors/not_coordinator"
    people = await _people(sqlite_db)
    assert [p.name for p in people] == ["Anna"]
    again = await say_as(world.core, slack_actor("U43"), f"link {code}")
    assert again[0].kind == "errors/link_bad_code"  # spent


async def test_a_wrong_or_expired_code_links_nothing(sqlite_db, clock):
    world = World(make_core(sqlite_db, clock, locale="sv"))
    (shown,) = await world["Anna"].say("link")
    code = shown.text.split("*")[1]
    wrong = await say_as(world.core, slack_actor("U42"), "link ABCD-EFGH")
    assert wrong[0].text == render("sv", "errors/link_bad_code")
    clock.advance(timedelta(minutes=16))
    late = await say_as(world.core, slack_actor("U42"), f"link {code}")
    assert late[0].kind == "errors/link_bad_code"
    assert len(await _people(sqlite_db)) == 2  # Anna, and the Slack account on its own


async def test_a_coordinator_links_an_account_explicitly(sqlite_db, clock):
    world = World(make_core(sqlite_db, clock, locale="en"))
    await world["Anna"].say("hello")
    await world["Eva"].say("hello")
    await say_as(world.core, slack_actor("U5"), "hello")
    answer = await world["Anna"].say("person link console:local:eva slack:T1:U5")
    assert answer[0].kind == "commands/person_linked"
    async with sqlite_db.read() as session:
        owners = {i.user_id: i.person_id for i in (await session.exec(select(Identity))).all()}
    assert owners["U5"] == owners["eva"]
    refused = await world["Eva"].say("person link console:local:eva slack:T1:U6")
    assert refused[0].kind == "errors/not_coordinator"


async def _enrollments(db) -> list[tuple[int, str]]:
    async with db.read() as session:
        return [(e.person_id, e.status) for e in (await session.exec(select(Enrollment))).all()]


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_a_name_of_someone_who_never_wrote_asks_for_a_mention_before_anything_is_sent(sqlite_db, clock, locale):
    world = World(make_core(sqlite_db, clock, locale=locale))
    anna = world["Anna"]
    await anna.say("program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19")
    await world["Eva"].say("hello")
    # Named by her key only: the bot knows her account, but she never wrote to it.
    assert (await anna.say("person console:local:maria"))[0].kind == "commands/person"
    answer = await anna.say("invite Eva Maria")  # Eva is fine, Maria is not: nobody is invited
    assert texts(answer) == render(locale, "errors/person_not_met", ref="Maria")
    assert world["Eva"].inbox() == [] and world["Maria"].inbox() == []
    assert await _enrollments(sqlite_db) == []
    # Her key picks her; once she has written, her name does too.
    assert (await anna.say("invite console:local:maria"))[0].kind == "commands/invited"
    assert len(world["Maria"].inbox()) == 1
    await world["Maria"].say("hello")
    assert (await anna.say("person Maria"))[0].kind == "commands/person"


async def test_a_failed_first_message_still_counts_as_having_written(sqlite_db, clock):
    world = World(make_core(sqlite_db, clock, locale="en"))
    await world["Anna"].say("program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19")
    await world["Anna"].say("person console:local:maria")
    assert (await world["Maria"].say("frobnicate"))[0].kind == "errors/unknown_command"  # rolled back
    assert (await world["Anna"].say("invite Maria"))[0].kind == "commands/invited"


@pytest.mark.parametrize(
    "line",
    [
        'person "Maria Holm"',
        'person link "Maria Holm" slack:T1:U5',
        'match unwaitlist "Maria Holm"',
        'approve-participant "Maria Holm"',
        'nominate "Maria Holm"',
        'match waitlist "Maria Holm"',
    ],
)
async def test_every_command_that_takes_a_name_looks_only_in_the_program_organisations(sqlite_db, clock, line):
    world = World(make_core(sqlite_db, clock, locale="sv"))
    for setup in SETUP:
        await world["Anna"].say(setup)
    await world["Maria Holm"].say("hej")  # she wrote first, but belongs to no organisation of the program
    await say_as(world.core, slack_actor("U5"), "hej")
    answer = await world["Anna"].say(line)
    assert answer[0].kind == "errors/person_outside_program"
    async with sqlite_db.read() as session:
        owners = {i.user_id: i.person_id for i in (await session.exec(select(Identity))).all()}
    assert owners["U5"] != owners["maria.holm"]
    assert world["Maria Holm"].inbox() == [] and await _enrollments(sqlite_db) == []


async def test_an_email_in_another_case_finds_its_person(any_db, clock):
    """`invite Kalle@Example.COM` finds the person whose platform gave
    kalle@example.com, on SQLite and PostgreSQL alike."""
    core = make_core(any_db, clock, locale="en", coordinators=("slack:T1:U1",))
    coordinator = slack_actor("U1", "anna@taby.se")
    for line in SETUP:
        await say_as(core, coordinator, line)
    await say_as(core, slack_actor("U2", "kalle@example.com"), "help")  # Slack vouched for his address
    invited, *_ = await say_as(core, coordinator, "invite Kalle@Example.COM")
    assert invited.kind == "commands/invited", invited.text
    async with any_db.read() as session:
        kalle = (await session.exec(select(Identity.person_id).where(Identity.user_id == "U2"))).one()
        assert (await session.exec(select(Enrollment.person_id))).all() == [kalle]


async def test_a_coordinator_email_is_one_entry_in_any_case(any_db, clock):
    core = make_core(any_db, clock, locale="en", coordinators=("slack:T1:U1", "Boss@Taby.se"))
    coordinator = slack_actor("U1")
    kinds = [
        (await say_as(core, coordinator, line))[0].kind
        for line in (
            "coordinator add hr@taby.se",
            "coordinator add HR@Taby.SE",
            "coordinator add boss@taby.se",
            "coordinator remove Hr@TABY.se",
            "coordinator remove BOSS@taby.se",
        )
    ]
    assert kinds == [
        "commands/coordinator_added",
        "commands/coordinator_already",
        "commands/coordinator_already",
        "commands/coordinator_removed",
        "errors/coordinator_in_config",
    ]
    async with any_db.read() as session:
        assert (await session.exec(select(Coordinator.key))).all() == []


async def test_removing_a_coordinator_email_also_removes_the_account_that_claimed_it(any_db, clock):
    """`coordinator add hr@taby.se`, then Hedda's account, vouched for by Slack
    as hr@taby.se, coordinates (her key is stored as claimed from the
    address). Removing the address must end her rights too, and removing her
    account's key must not be undone by the address claiming her again."""
    core = make_core(any_db, clock, locale="en", coordinators=("slack:T1:U1",))
    anna, hedda = slack_actor("U1"), slack_actor("U7", "hr@taby.se")
    await say_as(core, anna, "program create P start=2027-01-19 end=2027-12-31")
    for step in range(2):
        assert (await say_as(core, anna, "coordinator add hr@taby.se"))[0].kind == "commands/coordinator_added"
        assert (await say_as(core, hedda, "org add Solna stad" if step == 0 else "org add Knivsta kommun"))[
            0
        ].kind == "commands/org_added"
        removed = "coordinator remove HR@taby.se" if step == 0 else "coordinator remove slack:T1:U7"
        assert (await say_as(core, anna, removed))[0].kind == "commands/coordinator_removed"
        assert (await say_as(core, hedda, "org add Upplands Väsby kommun"))[0].kind == "errors/not_coordinator"
        async with any_db.read() as session:
            assert (await session.exec(select(Coordinator.key))).all() == []


async def test_a_coordinator_cannot_remove_the_address_that_makes_them_one(sqlite_db, clock):
    core = make_core(sqlite_db, clock, locale="en", coordinators=("slack:T1:U1",))
    anna, hedda = slack_actor("U1"), slack_actor("U7", "hr@taby.se")
    await say_as(core, anna, "program create P start=2027-01-19 end=2027-12-31")
    await say_as(core, anna, "coordinator add hr@taby.se")
    await say_as(core, hedda, "status")  # her account claims the address
    assert (await say_as(core, hedda, "coordinator remove hr@taby.se"))[0].kind == "errors/remove_self_coordinator"
    assert (await say_as(core, hedda, "org add Solna stad"))[0].kind == "commands/org_added"
