"""A named value with spaces typed without quotes (`org=Solna stad`) is
answered with how it is written (`org="Solna stad"`, the whole line
written out), not with an unrelated error or a wrong result; nothing is
done. A line that does not read with the words in the value either keeps
its own answer."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot.store.models import AuditLog, ProgramEvent, Reminder
from tests.core.cockpit import enroll, paired_world
from tests.core.harness import typed_cleanly


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    return await paired_world(sqlite_db, clock, request.param)


HINT = {"sv": "ett värde med mellanslag skriver du inom citattecken", "en": "put a value with spaces in quotes"}


@pytest.mark.parametrize(
    "line, quoted, written",
    [
        ("deltagare org=solna stad", 'org="solna stad"', 'deltagare org="solna stad"'),
        ("participants org=Solna stad", 'org="Solna stad"', 'participants org="Solna stad"'),
        ("participants org=Täby kommun role=adept", 'org="Täby kommun"', 'participants org="Täby kommun" role=adept'),
    ],
)
async def test_an_organisation_with_spaces_without_quotes(world, line, quoted, written):
    (answer,) = await world["Anna"].say(line)
    assert answer.kind == "errors/value_in_quotes", answer.text
    assert HINT[world.locale] in answer.text, answer.text
    assert f"`{quoted}`" in answer.text and f"`{written}`" in answer.text, answer.text


async def test_a_place_with_spaces_before_the_time(world, sqlite_db):
    (answer,) = await world["Anna"].say("event add inspiration 2027-09-14 place=Sal 2 10:00")
    assert answer.kind == "errors/value_in_quotes", answer.text
    assert '`event add inspiration 2027-09-14 place="Sal 2" 10:00`' in answer.text, answer.text
    async with sqlite_db.read() as s:
        places = {e.place for e in (await s.exec(select(ProgramEvent))).all()}
    assert "Sal" not in places


async def test_a_line_that_does_not_read_either_way_keeps_its_answer(world):
    (answer,) = await world["Anna"].say("event add place=Sal kickoff 2027-13-01")
    assert answer.kind == "errors/no_such_month", answer.text


async def _broadcasts(db) -> tuple[list[AuditLog], list[Reminder]]:
    async with db.read() as s:
        drafts = (
            await s.exec(select(AuditLog).where(col(AuditLog.action).in_(("broadcast drafted", "broadcast sent"))))
        ).all()
        rows = (await s.exec(select(Reminder).where(Reminder.kind == "broadcast"))).all()
    return list(drafts), list(rows)


async def test_a_broadcast_to_an_organisation_with_spaces_without_quotes_is_not_sent(world, sqlite_db):
    """`broadcast org=Solna stad Hej alla`: `Solna` is no organisation of the
    program, `Solna stad` is. Nothing is drafted or sent; the answer is the
    line with the name in quotes, which then reaches Solna stad's people."""
    anna = world["Anna"]
    await anna.say("org add Solna stad")
    await enroll(world, "Gustav", "adept", "Solna stad")
    (answer,) = await anna.say("broadcast org=Solna stad Hej alla och välkomna")
    assert answer.kind == "errors/value_in_quotes", answer.text
    assert '`broadcast org="Solna stad" Hej alla och välkomna`' in answer.text, answer.text
    assert await _broadcasts(sqlite_db) == ([], [])
    (preview,) = await anna.say('broadcast org="Solna stad" Hej alla och välkomna')
    assert preview.kind == "broadcast/preview", preview.text
    drafts, _ = await _broadcasts(sqlite_db)
    assert [(d.detail["org"], d.detail["text"], d.detail["count"]) for d in drafts] == [
        ("Solna stad", "Hej alla och välkomna", 1)
    ]


async def test_an_organisation_no_words_complete_keeps_its_answer(world, sqlite_db):
    (answer,) = await world["Anna"].say("broadcast org=Solna Hej alla")
    assert answer.kind == "errors/unknown_org", answer.text
    assert await _broadcasts(sqlite_db) == ([], [])


ORGS_AMBIGUOUS = {"sv": "både ”Solna” och ”Solna stad” deltar", "en": "both “Solna” and “Solna stad” take part"}


async def test_a_broadcast_when_both_the_name_and_a_longer_one_take_part_is_not_guessed(world, sqlite_db):
    """`broadcast org=Solna stad Hej alla` with both Solna and Solna stad in
    the program: not read as "stad Hej alla" to Solna. Nothing is drafted;
    the answer names both and writes the line out for each, and each of
    those lines then reaches that organisation's people with its own text."""
    anna = world["Anna"]
    await typed_cleanly(anna, ("org add Solna stad", "org add Solna"))
    await enroll(world, "Gustav", "adept", "Solna stad")
    await enroll(world, "Hugo", "mentor", "Solna")
    (answer,) = await anna.say("broadcast org=solna STAD Hej alla och välkomna")
    assert answer.kind == "errors/org_ambiguous", answer.text
    assert ORGS_AMBIGUOUS[world.locale] in answer.text, answer.text
    assert '`broadcast org="solna STAD" Hej alla och välkomna`' in answer.text, answer.text
    assert '`broadcast org="solna" STAD Hej alla och välkomna`' in answer.text, answer.text
    assert await _broadcasts(sqlite_db) == ([], [])
    for line in (
        'broadcast org="solna STAD" Hej alla och välkomna',
        'broadcast org="solna" STAD Hej alla och välkomna',
    ):
        (preview,) = await anna.say(line)
        assert preview.kind == "broadcast/preview", preview.text
    drafts, _ = await _broadcasts(sqlite_db)
    assert [(d.detail["org"], d.detail["text"], d.detail["count"]) for d in drafts] == [
        ("Solna stad", "Hej alla och välkomna", 1),
        ("Solna", "STAD Hej alla och välkomna", 1),
    ]
    (plain,) = await anna.say("broadcast org=Solna Hej alla")  # no longer name: as before
    assert plain.kind == "broadcast/preview", plain.text
