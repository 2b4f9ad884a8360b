"""Every button, pressed stale or foreign: someone else's card, a row that is
gone or ended, a closed program, a forged value. Each press changes nothing
in the database and answers, in the presser's language, that the button is
no longer valid. The list of presses covers every registered action
(`bot.commands.registry.ACTIONS`): a new handler needs a line here."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select

from adapters.console_render import options
from bot.commands import load_all
from bot.commands.broadcast import DRAFTED
from bot.commands.firstmeeting import _goals_mark
from bot.commands.match_card import shown_pairs
from bot.commands.registry import ACTIONS
from bot.i18n import render
from bot.ratelimit import RateLimit
from bot.store.models import AuditLog, Enrollment, Pairing, Person, Program, ProgramEvent
from tests.life.helpers import Year

GONE = "987654"  # no row has this id

# (who presses, action id, value): `{name}` fields are filled from the world below.
# Mallory takes part in nothing; everything she presses was sent to someone else.
FOREIGN = [
    ("Mallory", "survey.start", "inspiration:{erik}"),
    ("Mallory", "continue.yes", "{pair}"),
    ("Mallory", "leave.confirm", "{program}"),
    ("Mallory", "consent.confirm", "{program}"),
    ("Mallory", "forget.confirm", "{erik_person}"),
    ("Mallory", "home.pause", "{erik}"),
    ("Mallory", "home.resume", "{erik}"),
    ("Mallory", "confirm.confirm", "console:local:anna leave confirm=yes"),
    ("Mallory", "nudge.met", "{pair}"),
    ("Mallory", "nudge.snooze", "{pair}"),
    ("Mallory", "met.pair", "{pair}::"),
    ("Mallory", "goal.pair", "{pair}:Ett mål"),
    ("Hanna", "goal.pair", "{pair}:Ett mål"),  # her own pair, but a goal is the adept's to write
    ("Erik", "goal.pair", "{pair}:"),  # no goal on the button: a forged value
    ("Mallory", "goal.remove", "{pair}:1:{erik_goals}"),
    ("Hanna", "goal.remove", "{pair}:1:{erik_goals}"),  # her own pair, but its goals are the adept's
    ("Erik", "goal.remove", "{pair}:1:0123456789ab"),  # goals other than the question showed: changed since
    ("Erik", "goal.remove", "{pair}:one:{erik_goals}"),  # no number on the button: a forged value
    ("Mallory", "goal.change", "{pair}:1:{erik_goals}:Ett mål"),
    ("Hanna", "goal.change", "{pair}:1:{erik_goals}:Ett mål"),
    ("Erik", "goal.change", "{pair}:1:0123456789ab:Ett mål"),
    ("Erik", "goal.change", "{pair}:1:{erik_goals}:"),  # no goal on the button: a forged value
    ("Mallory", "nudge.help", "{pair}"),
    ("Mallory", "idle.later", "{hanna}"),
    ("Mallory", "rsvp.yes", "{event}"),
    ("Mallory", "invite.join", "{vera}"),
    ("Mallory", "nomination.accept", "{moa}"),
    ("Mallory", "nomination.decline", "{moa}"),
    ("Mallory", "{vera_card}", ""),
    ("Mallory", "role.change", "{erik}:mentor"),
    ("Mallory", "role.keep", "{erik}:mentor"),
    ("Mallory", "role.confirm", "{erik}:mentor"),
    ("Mallory", "role.cancel", "{erik}:mentor"),
    ("Mallory", "agree.where", "{pair}"),
    ("Mallory", "fit.yes", "{pair}"),
    ("Mallory", "pause.confirm", "2027-06-01"),
    ("Mallory", "pick.leave", "{program}"),  # which program: a program she is not in
    ("Mallory", "pick.pause", "{program}:2027-06-01"),
    ("Erik", "pick.join", "{closed_program}"),  # one nobody may join now
    ("Erik", "pick.resume", GONE),
    ("Erik", "pick.consent-withdraw", "{closed_program}"),
    ("Erik", "pick.pause", "{program}:31/12"),
    # Gone, ended or closed, pressed by the person the card was for.
    ("Erik", "nudge.met", "{ended_pair}"),
    ("Erik", "met.pair", "{ended_pair}:2027-01-20:60"),
    ("Erik", "goal.pair", "{ended_pair}:Ett mål"),
    ("Erik", "goal.remove", "{ended_pair}:1:{erik_goals}"),
    ("Erik", "goal.change", "{ended_pair}:1:{erik_goals}:Ett mål"),
    ("Erik", "rsvp.yes", "{cancelled_event}"),
    ("Erik", "survey.start", "inspiration:" + GONE),
    ("Erik", "continue.yes", GONE),
    ("Erik", "pause.confirm", "2026-12-31"),  # a day already past
    ("Erik", "pause.confirm", "31/12"),
    # Coordinators' buttons, stale or forged, pressed by a coordinator.
    ("Anna", "cockpit.remind", GONE),
    ("Anna", "cockpit.approve", GONE),
    ("Anna", "cockpit.show", GONE),
    ("Anna", "cockpit.retry", GONE),
    ("Anna", "cockpit.who", GONE),
    ("Anna", "match.approve", GONE),
    ("Anna", "match.announce", GONE),
    ("Anna", "match.draft", GONE),
    ("Anna", "match.approve", "{program}:{shown}"),  # a card of pairs since announced
    ("Anna", "program.close.confirm", "{closed_program}:plain"),
    ("Anna", "broadcast.send", "{bea_draft}"),
    ("Anna", "stall.nudge", "{ended_pair}"),
    ("Anna", "stall.ask", "{ended_pair}"),
    ("Anna", "stall.unpair", GONE),
    ("Anna", "fitcheck.talk", "{pair}:{mallory_person}"),
    ("Anna", "fitcheck.rematch", "{ended_pair}:{erik_person}"),
]


def _prefix(action_id: str) -> str:
    return max((p for p in ACTIONS if action_id.startswith(p)), key=len)


def test_the_list_presses_every_registered_action():
    load_all()
    pressed = {_prefix(a if not a.startswith("{") else "dlg:1:1:x") for _, a, _ in FOREIGN}
    assert pressed == set(ACTIONS), f"no stale/foreign press for {set(ACTIONS) - pressed}"


async def _world(db, clock, locale: str):
    """Two announced pairs (Erik–Hanna is the one pressed on) and one that
    ended (David–Gustav),
    an invited adept with a consent card (Vera), a nominated mentor (Moa),
    an event and a cancelled one, a closed program, a broadcast draft of
    another coordinator, and Mallory, who takes part in nothing."""
    world = Year(db, clock, locale)
    await world.start()
    anna = world["Anna"]
    await anna.say("event add kickoff 2027-03-10 13:00")
    await anna.say("event add inspiration 2027-05-12 13:00")
    await anna.say("event add custom 2027-06-01 13:00 title=Fika")
    await world["Vera"].say("hej")
    await anna.say("invite console:local:vera")
    (card,) = [m for m in await world["Vera"].say("join") if m.card is not None][:1]
    await world["Moa"].say("hej")
    await anna.say("nominate console:local:moa")
    await world["Mallory"].say("hej")
    async with db.write() as s:
        ids = {}
        people = {p.name: p for p in (await s.exec(select(Person))).all()}
        enrollment = {
            people_name: e
            for e in (await s.exec(select(Enrollment))).all()
            for people_name, p in people.items()
            if p.id == e.person_id
        }
        pairs = (await s.exec(select(Pairing).order_by(Pairing.id))).all()
        erik_pair = next(p for p in pairs if p.adept_id == enrollment["Erik"].id)
        ended = next(p for p in pairs if p.adept_id == enrollment["David"].id)
        ended.status = "ended"  # David and Gustav's pair has ended: its buttons are stale
        s.add(ended)
        events = (await s.exec(select(ProgramEvent).order_by(ProgramEvent.id))).all()
        events[-1].cancelled = True
        s.add(events[-1])
        closed = Program(
            slug="old", name="Old program", start=date(2026, 1, 1), end=date(2026, 12, 31), status="closed"
        )
        s.add(closed)
        draft = AuditLog(
            at=clock.now(),
            actor="console:local:bea",
            program_id=1,
            action=DRAFTED,
            detail={"audience": "all", "org": None, "text": "Hej", "count": 6},
        )
        s.add(draft)
        await s.flush()
        ids.update(
            program=1,
            closed_program=closed.id,
            pair=erik_pair.id,
            ended_pair=ended.id,
            erik=enrollment["Erik"].id,
            erik_person=people["Erik"].id,
            hanna=enrollment["Hanna"].id,
            vera=enrollment["Vera"].id,
            moa=enrollment["Moa"].id,
            mallory_person=people["Mallory"].id,
            shown=shown_pairs([erik_pair]),
            erik_goals=_goals_mark(
                [(erik_pair, enrollment["Erik"], await s.get(Program, 1))]
            ),  # as a question marks them
            event=events[-2].id,
            cancelled_event=events[-1].id,
            bea_draft=draft.id,
            vera_card=next(o.action_id for o in options(card.card) if o.action_id.startswith("dlg:")),
        )
    return world, ids


async def digest(db) -> dict[str, list]:
    """Every row of every table, but what any press may leave: the press's
    own double-click record, its answer in the outbox, and the audit line of
    a refused coordinator button."""
    out = {}
    async with db.read() as session:
        for table in SQLModel.metadata.sorted_tables:
            if table.name == "processed_event":
                continue
            query = sa.select(table)
            if table.name == "reminder":
                query = query.where(table.c.kind != "reply")
            if table.name == "audit_log":
                query = query.where(table.c.action != "refused")
            rows = (await session.exec(query)).all()
            out[table.name] = sorted(repr(tuple(r)) for r in rows)
    return out


@pytest.mark.parametrize("who, action_id, value", FOREIGN, ids=[f"{w}:{a}:{v}" for w, a, v in FOREIGN])
async def test_a_stale_or_foreign_press_changes_nothing_and_says_the_button_is_no_longer_valid(
    sqlite_db, clock, who, action_id, value
):
    locale = "sv" if FOREIGN.index((who, action_id, value)) % 2 else "en"
    world, ids = await _world(sqlite_db, clock, locale)
    presser = world[who]
    presser.inbox()
    for name in ("Erik", "Frida", "Anna", "Vera", "Moa", "David", "Gustav"):
        world[name].inbox()
    before = await digest(sqlite_db)
    answer = await presser.click(action_id.format(**ids), value.format(**ids))
    assert [m.kind for m in answer] == ["errors/stale_action"]
    assert answer[0].text == render(locale, "errors/stale_action")
    assert await digest(sqlite_db) == before
    assert all(world[name].inbox() == [] for name in ("Erik", "Frida", "Anna", "Vera", "Moa"))


# Values no card of ours carries (a button's value is the client's to send):
# digits `str.isdigit()` takes but `int()` refuses ("²") or reads as another
# number ("٤٢", 42), ids past any integer column (20 nines; 5,000, past
# `int()`'s digit limit too), a sign, an exponent, a space, nothing.
HOSTILE = ["²", "٤٢", "9" * 20, "9" * 5000, "-1", "1e3", " 1", ""]


def _hostile(value: str) -> list[str]:
    """Each hostile value in place of `value`, and of each number in it (an
    id, minutes: the `:`-separated parts of `id:date:minutes`, `pair:person`,
    `survey:enrollment`) in turn; not of its words (a goal's text is free)."""
    parts = value.split(":")
    numbers = [i for i, part in enumerate(parts) if re.fullmatch(r"\{\w+\}|[0-9]+", part)]
    variants = list(HOSTILE)
    if len(parts) > 1:
        variants += [":".join([*parts[:i], bad, *parts[i + 1 :]]) for i in numbers for bad in HOSTILE]
    return list(dict.fromkeys(variants))


def _feature(action_id: str) -> str:
    return action_id.split(".")[0]


FEATURES = sorted({_feature(a) for _, a, _ in FOREIGN})


@pytest.mark.parametrize("feature", FEATURES)
async def test_a_press_with_a_hostile_value_is_a_stale_button_never_an_internal_error(sqlite_db, clock, feature):
    """Every press of FOREIGN (so every registered action), with each hostile
    value in its place: refused as a stale button, nothing changed."""
    world, ids = await _world(sqlite_db, clock, "en")
    world.core.rate_limit = RateLimit.off()  # many presses by one person, each of which must be answered
    before = await digest(sqlite_db)
    wrong = []
    for who, action_id, value in FOREIGN:
        if _feature(action_id) != feature:
            continue
        for bad in _hostile(value):
            answer = await world[who].click(action_id.format(**ids), bad.format(**ids))
            if [m.kind for m in answer] != ["errors/stale_action"]:
                wrong.append((who, action_id, bad[:30], [m.kind for m in answer]))
    assert not wrong, "\n".join(map(str, wrong))
    assert await digest(sqlite_db) == before


# The person a card was for, pressing it with its ids in Arabic-Indic digits
# (which `str.isdigit()` takes and `int()` reads as the real ids): a stale
# button, not the card's action.
OWN = [
    ("Erik", "continue.yes", "{pair}"),
    ("Erik", "nudge.met", "{pair}"),
    ("Erik", "rsvp.yes", "{event}"),
    ("Erik", "survey.start", "inspiration:{erik}"),
    ("Erik", "pick.leave", "{program}"),
    ("Erik", "leave.confirm", "{program}"),
    ("Hanna", "idle.later", "{hanna}"),
    ("Vera", "invite.join", "{vera}"),
    ("Anna", "cockpit.remind", "{pair}"),
    ("Anna", "stall.nudge", "{pair}"),
    ("Anna", "fitcheck.talk", "{pair}:{erik_person}"),
    ("Anna", "program.close.confirm", "{program}:plain"),
    ("Anna", "match.draft", "{program}"),
]
_ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.mark.parametrize("who, action_id, value", OWN, ids=[f"{w}:{a}:{v}" for w, a, v in OWN])
async def test_an_own_card_pressed_with_its_ids_in_other_digits_is_a_stale_button(
    sqlite_db, clock, who, action_id, value
):
    world, ids = await _world(sqlite_db, clock, "sv")
    before = await digest(sqlite_db)
    answer = await world[who].click(action_id, value.format(**{k: str(v).translate(_ARABIC) for k, v in ids.items()}))
    assert [m.kind for m in answer] == ["errors/stale_action"]
    assert await digest(sqlite_db) == before


COORDINATOR_ONLY = sorted(
    {a for _, a, _ in FOREIGN if a.split(".")[0] in ("cockpit", "match", "program", "broadcast", "stall", "fitcheck")}
)


@pytest.mark.parametrize("action_id", COORDINATOR_ONLY)
async def test_a_coordinator_button_pressed_by_anyone_else_is_refused_and_logged(sqlite_db, clock, action_id):
    world, ids = await _world(sqlite_db, clock, "en")
    before = await digest(sqlite_db)
    answer = await world["Mallory"].click(action_id, str(ids["pair"]))
    assert [m.kind for m in answer] == ["errors/not_coordinator"]
    assert await digest(sqlite_db) == before
    async with sqlite_db.read() as session:
        refused = (await session.exec(select(AuditLog).where(AuditLog.action == "refused"))).all()
    assert [r.detail["command"] for r in refused] == [action_id]


async def test_an_approve_button_under_a_draft_that_changed_since_approves_nothing(sqlite_db, clock):
    world = Year(sqlite_db, clock, "sv")
    await world.start(announce=False)
    anna = world["Anna"]
    first = [m for m in await anna.say("match") if m.card is not None][-1]
    swapped = [m for m in await anna.say("match swap 1 3") if m.card is not None][-1]
    approve = next(o for o in options(first.card) if o.action_id == "match.approve")
    before = await digest(sqlite_db)
    stale = await anna.click("match.approve", approve.value, on=first)
    assert [m.kind for m in stale] == ["errors/stale_action"]
    assert await digest(sqlite_db) == before
    current = next(o for o in options(swapped.card) if o.action_id == "match.approve")
    assert current.value != approve.value
    done = await anna.click("match.approve", current.value, on=swapped)
    assert done[0].kind != "errors/stale_action"
    async with sqlite_db.read() as session:
        assert {p.status for p in (await session.exec(select(Pairing))).all()} == {"approved"}
