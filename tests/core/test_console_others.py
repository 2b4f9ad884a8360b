"""The console shows what others receive: the session that caused a message
to someone else prints it as "→ Anna: …", and a person who opens the console
later (another process) sees what is waiting for them, once."""

from __future__ import annotations

import pytest
from sqlmodel import select

from adapters.console import Chat, ConsolePort, told_text
from adapters.console_render import render_text
from adapters.console_session import waiting
from bot.store.models import Reminder
from tests.core.harness import enroll, make_core

SETUP = ("program create Mentorprogram 2027 start=2027-01-19 end=2028-01-19", "org add Täby kommun")


@pytest.fixture(params=["sv", "en"])
async def sessions(request, sqlite_db, clock):
    """Two console processes on one database: each its own core and port."""

    def session(name):
        core = make_core(sqlite_db, clock, locale=request.param, coordinators=("console:local:hanna",))
        return Chat(core, ConsolePort(keep=sqlite_db, clock=clock), name)

    hanna, anna = session("Hanna"), session("Anna")
    await anna.say("help")  # Anna has used the console once, then closed it
    for line in SETUP:
        await hanna.say(line)
    return request.param, hanna, anna


async def test_the_session_that_invites_shows_the_invitation_by_name(sessions):
    _locale, hanna, _anna = sessions
    replies = await hanna.say("invite console:local:anna")
    assert replies[0].kind == "commands/invited"
    (told,) = hanna.told
    name, message = told
    assert name == "Anna" and message.kind == "commands/invitation"
    assert told_text(name, message).startswith("→ Anna: ")
    assert render_text(message).splitlines()[0] in told_text(name, message)


async def test_a_person_opening_the_console_later_sees_what_waits_once(sessions):
    _locale, hanna, anna = sessions
    await hanna.say("invite console:local:anna")
    later = Chat(anna.core, ConsolePort(keep=anna.core.db, clock=anna.core.clock), "Anna")  # a new process
    (invitation,) = await waiting(later.core.db, later)
    assert invitation.kind == "commands/invitation" and invitation.card is not None
    assert await waiting(later.core.db, later) == []
    # The card still works: pressing Join starts her intake.
    replies = await later.choose(1, [invitation])
    assert replies[-1].kind == "dialogs/ask/consent_adept"


async def test_forget_removes_what_the_console_kept(sessions):
    _locale, hanna, anna = sessions
    await hanna.say("invite console:local:anna")
    await anna.say("forget")
    await anna.choose(1)
    async with anna.core.db.read() as s:
        rows = (await s.exec(select(Reminder))).all()
    kept = [r for r in rows if r.template == "commands/invitation"]
    assert kept and [r.context for r in kept if r.context] == [], "nothing of the message is kept"
    assert [r.key for r in rows if ":anna:" in r.key] == [], "no key names her console account"


async def _pair_eva_and_david(locale, sqlite_db, clock):
    """Hanna pairs Eva (adept) and David (mentor) and announces; both have used
    the console once and are not at it when the announcement comes."""

    def session(name):
        core = make_core(sqlite_db, clock, locale=locale, coordinators=("console:local:hanna",))
        return Chat(core, ConsolePort(keep=sqlite_db, clock=clock), name)

    hanna, eva, david = session("Hanna"), session("Eva"), session("David")
    await eva.say("help")
    await david.say("help")
    for line in (*SETUP, "org add Knivsta kommun"):
        await hanna.say(line)
    await enroll(sqlite_db, clock, 1, "Eva", "adept", "Täby kommun", ["conflict"])
    await enroll(sqlite_db, clock, 1, "David", "mentor", "Knivsta kommun", ["conflict"])
    for line in ("match", "match approve", "match announce"):
        await hanna.say(line)
    return hanna, eva, david


async def _kept_for(db, user: str) -> list[Reminder]:
    async with db.read() as s:
        return list((await s.exec(select(Reminder).where(Reminder.key.startswith(f"console:{user}:")))).all())


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_after_forget_the_partner_sees_what_was_not_erased(locale, sqlite_db, clock):
    _hanna, eva, david = await _pair_eva_and_david(locale, sqlite_db, clock)
    await waiting(sqlite_db, eva)  # Eva opens the console
    await eva.say("goal Bli bättre på svåra samtal")  # David is told, by her name
    await eva.say("forget")
    await eva.choose(1)
    assert await waiting(sqlite_db, eva) == []  # her next line: no traceback
    erased = [r for r in await _kept_for(sqlite_db, "david") if not r.context]
    # The checklist sent to David names his partner, so it goes too.
    assert {r.template for r in erased} == {
        "matching/intro_mentor",
        "firstmeeting/goal_shared",
        "firstmeeting/checklist_intro",
    }

    later = Chat(david.core, ConsolePort(keep=sqlite_db, clock=clock), "David")  # David opens the console
    shown = await waiting(sqlite_db, later)
    assert [m.kind for m in shown] == ["privacy/partner_ended"]
    assert not any("Eva" in render_text(m) for m in shown)
    assert await waiting(sqlite_db, later) == []
    assert [r.context for r in await _kept_for(sqlite_db, "david") if r.template in {t.template for t in erased}] == [
        {},
        {},
        {},
    ], "an erased message stays empty"


async def test_a_broadcast_waits_for_console_people_and_serve_keeps_the_rest(sessions, sqlite_db, clock):
    _locale, hanna, anna = sessions
    await enroll(sqlite_db, clock, 1, "Anna", "adept", "Täby kommun", ["conflict"])
    await enroll(sqlite_db, clock, 1, "Bo", "mentor", "Täby kommun", ["conflict"])
    await hanna.say("invite slack:T0123ABC:U0456DEF")  # someone on Slack: `serve` sends theirs
    await hanna.say("broadcast all Uppstarten flyttas till sal 3")
    await hanna.choose(1)  # Send: one outbox row per person, for the dispatcher
    told = await hanna.deliver_due()  # what her console does after each turn
    assert sorted((name, m.kind) for name, m in told) == [("Anna", "broadcast/message"), ("Bo", "broadcast/message")]

    later = Chat(anna.core, ConsolePort(keep=sqlite_db, clock=clock), "Anna")  # Anna opens the console
    (message,) = await waiting(sqlite_db, later)
    assert message.kind == "broadcast/message" and "Uppstarten flyttas till sal 3" in render_text(message)
    async with sqlite_db.read() as s:
        rows = (await s.exec(select(Reminder).where(~Reminder.key.startswith("console:")))).all()
    by_kind = {}
    for row in rows:
        by_kind.setdefault(row.kind, []).append(row.status)
    assert by_kind["broadcast"] == ["sent", "sent"]
    (slack,) = [r for r in rows if r.template == "commands/invitation"]
    assert slack.status == "pending" and slack.attempts == 0, "left for serve: not failed, no attempt used"
    assert slack.due_at > clock.now() and "serve" in slack.last_error
    assert not [r for r in rows if r.status == "failed"], "nothing failed, nobody was told of a failure"


async def test_the_people_a_turn_told_are_named_with_one_read_however_many(sessions):
    """The session names everyone its turn told in one read of the database,
    not one read per person (an announcement tells every pair)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    _locale, hanna, _anna = sessions
    for name in ("Bo", "Cilla", "David"):
        await Chat(hanna.core, hanna.port, name).say("help")
    reads: list[str] = []

    def seen(_conn, _cursor, statement, *_rest):
        if statement.startswith("BEGIN DEFERRED"):
            reads.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        await hanna.say("invite console:local:anna")
        one = len(reads)
        reads.clear()
        await hanna.say("invite console:local:bo console:local:cilla console:local:david")
        three = len(reads)
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert sorted(name for name, _ in hanna.told) == ["Bo", "Cilla", "David"]
    assert three == one, f"{one} reads for one person told, {three} for three"
