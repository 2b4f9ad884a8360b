"""Two active programs: every coordinator command takes `program=NAME` (it
used to crash), and `program use NAME` is remembered per coordinator; in
Swedish and English through the console harness."""

from __future__ import annotations

import pytest
from sqlmodel import select

from adapters.console import TENANT
from bot.commands.registry import COMMANDS, COORDINATOR
from bot.messages import Address, Platform, Where
from bot.store.models import AuditLog, EnrollmentStatus, Pairing, Program, ProgramOrganisation
from tests.core.harness import World, enroll, make_core, texts, typed_cleanly
from tests.life.helpers import COHORT

SETUP = (
    "program create Alfa 2027 start=2027-01-19 end=2028-01-19",
    "program create Beta 2027 start=2027-01-19 end=2028-01-19",
)
B = "program=beta-2027"


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = World(make_core(sqlite_db, clock, locale=request.param))
    for line in SETUP:
        await w["Anna"].say(line)
    for line in ("org add Täby kommun", "org add Knivsta kommun"):
        await w["Anna"].say(f"{line} {B}")
    for name, (role, org, topics) in COHORT.items():
        await enroll(sqlite_db, clock, 2, name, role, org, topics)
    await enroll(sqlite_db, clock, 2, "Ivar", "adept", "Täby kommun", ["change"], status=EnrollmentStatus.PENDING)
    await w["Zelda"].say("hej")  # known to the bot, so she can be invited
    w.locale, w.db = request.param, sqlite_db
    return w


async def _draft_ids(db) -> list[int]:
    async with db.read() as s:
        return [
            p.id for p in (await s.exec(select(Pairing).where(Pairing.status == "draft").order_by(Pairing.id))).all()
        ]


async def _audits(db, action: str) -> list[AuditLog]:
    async with db.read() as s:
        return list((await s.exec(select(AuditLog).where(AuditLog.action == action))).all())


async def test_every_coordinator_command_takes_program_with_two_active_programs(world):
    anna = world["Anna"]
    async with world.db.read() as s:
        beta = (await s.exec(select(Program).where(Program.slug == "beta-2027"))).one()
    lines = [
        f"program create Gamma 2027 start=2027-03-01 end=2028-03-01 {B}",
        f"program show {B}",
        "program show beta-2027",
        f"program set nudge=21-28 {B}",
        f"org add Solna stad {B}",
        f"org set Solna stad slack=T0SOLNA1 {B}",
        f"org remove Solna stad {B}",
        f"event add kickoff 2027-02-01 13:00 {B}",
        f"event edit 1 place=Stadshuset {B}",
        f"event add inspiration 2027-05-03 {B}",
        f"event remove 2 confirm=yes {B}",
        f"event restore 2 {B}",
        f"event remove 2 confirm=yes {B}",
        f"participants {B}",
        f"person Ivar {B}",
        f"event who 1 {B}",
        f"report {B}",
        f"export {B}",
        f"broadcast all Välkomna till programmet {B}",
        f"invite console:local:zelda {B}",
        f"approve-participant Ivar {B}",
        f"coordinator add console:local:bo {B}",
        f"coordinator remove console:local:bo {B}",
        f"coordinator list {B}",
        f"person link Zelda console:local:zelda {B}",
        f"survey results {B}",
        f"program new-cohort beta-2027 Beta 2028 start=2028-01-19 {B}",
        f"match {B}",
    ]
    # Linking Zelda's own account answers "already hers": the command ran, with program=.
    allowed = {f"person link Zelda console:local:zelda {B}": ["errors/link_already"]}
    for line in lines:
        replies = await anna.say(line)
        assert [r.kind for r in replies if "errors/" in r.kind] == allowed.get(line, []), (line, texts(replies))
    first, second, third = await _draft_ids(world.db)
    anna.where = Address(Platform.CONSOLE, TENANT, "C-beta", where=Where.CHANNEL)
    assert not [r for r in await anna.say(f"channel {B}") if "errors/" in r.kind]
    anna.where = None
    more = [
        f"match swap {first} {third} {B}",
        f"match unpin {first} {B}",
        f"match pin {first} {B}",
        f"match exclude {second} {B}",
        f"match unexclude David Gustav {B}",
        f"match waitlist Ivar {B}",
        f"match unwaitlist Ivar {B}",
        f"match waitlist Ivar {B}",
        f"match approve {B}",
        f"match announce {B}",
        f"unpair {first} byter tjänst {B} confirm=yes",
        f"unpair undo {first} {B} confirm=yes",
        f"program use {B}",
        f"program close {B} force=yes",
    ]
    await typed_cleanly(anna, more)
    await anna.click("program.close.confirm", f"{beta.id}:force")
    assert not [r for r in await anna.say(f"program archive {B}") if "errors/" in r.kind]
    refused = await anna.say(f"program open {B}")  # an archived program cannot reopen: a clear answer
    assert [r.kind for r in refused] == ["lifecycle/wrong_status"]

    ran = {c.name for c in COMMANDS.values() if c.role == COORDINATOR}
    typed = {
        COMMANDS[k].name
        for k in COMMANDS
        for line in lines + more + ["channel", "program archive x", "program open"]
        if line.split()[: len(k)] == list(k)
        and not any(len(o) > len(k) and line.split()[: len(o)] == list(o) for o in COMMANDS)
    }
    assert ran - typed == set(), "a coordinator command the test does not run with program="
    for name in ran - {"program open", "person link"}:  # person link answered with an error: rolled back
        logged = await _audits(world.db, name)
        assert logged and logged[-1].program_id == beta.id, name
    async with world.db.read() as s:
        links = (await s.exec(select(ProgramOrganisation))).all()
    alfa = 1
    assert alfa not in {link.program_id for link in links}  # nothing landed in Alfa


async def test_program_use_is_remembered_per_coordinator(world):
    """The program a coordinator just created is the one she works on next;
    `program use` switches, and is hers alone. Another coordinator, who has
    chosen nothing, is asked which: also one who takes part in one of them
    (Cecilia, an adept in Beta), whose coordinator commands were once
    silently about her own program."""
    anna = world["Anna"]
    assert "Cecilia" in texts(await anna.say("participants"))  # Beta, created last, without saying so
    assert "Alfa 2027" in texts(await anna.say("program use alfa-2027"))
    assert "Cecilia" not in texts(await anna.say("participants"))  # a later turn: Alfa
    assert "Cecilia" in texts(await anna.say("participants program=beta-2027"))  # a single command may differ
    async with world.db.write() as s:  # other coordinators have chosen nothing
        from bot.store.models import Coordinator

        s.add(Coordinator(key="console:local:bo"))
        s.add(Coordinator(key="console:local:cecilia"))
    for name in ("Bo", "Cecilia"):
        ambiguous = await world[name].say("participants")
        assert [r.kind for r in ambiguous] == ["errors/program_ambiguous"], (name, texts(ambiguous))
        assert ("`program välj NAMN`" if world.locale == "sv" else "`program use NAME`") in texts(ambiguous)
    assert "Cecilia" not in texts(await anna.say("participants"))


async def test_program_use_of_an_unknown_program_says_which_exist(world):
    replies = await world["Anna"].say("program use gamma")
    assert [r.kind for r in replies] == ["errors/unknown_program"]
    assert "beta-2027" in texts(replies)
