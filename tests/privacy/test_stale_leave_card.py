"""A `leave` or `consent withdraw` card asked about a sign-up that was then
declined or cancelled is a stale button when pressed: the sign-up is over
(`GONE`), as after leaving. Pressing it ended the participation again: the
person was told they had left, the coordinator that they had left, and a
`leave` (or `consent.withdrawn`) was audited."""

from __future__ import annotations

import pytest
from sqlmodel import select

from adapters.console_render import options
from bot.errors import STALE_BUTTON
from bot.store.models import AuditLog, Enrollment
from tests.core.harness import World, make_core, typed_cleanly

SETUP = (
    "program create Stockholm 2027 start=2027-01-19 end=2027-12-15",
    "org add Knivsta kommun program=stockholm-2027",
    "org add Solna stad program=stockholm-2027",
)
JOIN = "join program=stockholm-2027 role=adept"
# Asked while signing up ("status" in between, so that the yes or no that follows is not
# taken as the card's answer), then the sign-up ends another way.
CASES = {
    "leave declined": (JOIN, "leave", "status", "no"),  # no to the consent question
    "leave cancelled": (JOIN, "yes", "leave", "status", "cancel", "yes"),  # the intake cancelled
    "withdraw cancelled": (JOIN, "yes", "consent withdraw", "status", "cancel", "yes"),
}


@pytest.mark.parametrize("case, status", [(c, c.split()[1]) for c in CASES])
async def test_a_card_of_a_sign_up_since_declined_or_cancelled_is_stale(sqlite_db, clock, case, status):
    world = World(make_core(sqlite_db, clock, locale="en", coordinators=("console:local:eva",)))
    eva, anna = world["Eva"], world["Anna"]
    await typed_cleanly(eva, SETUP)
    card = None
    for line in CASES[case]:
        replies = await anna.say(line)
        if line in ("leave", "consent withdraw"):
            (card,) = [m for m in replies if m.card is not None]
    assert card is not None and card.kind in ("commands/leave_confirm", "privacy/withdraw_confirm")
    async with sqlite_db.read() as s:
        (enrollment,) = (await s.exec(select(Enrollment))).all()
        audited = len((await s.exec(select(AuditLog))).all())
    assert enrollment.status == status
    eva.inbox()

    (yes,) = [p for p in options(card.card) if p.action_id.endswith(".confirm")]
    (reply,) = await anna.click(yes.action_id, yes.value, on=card)

    assert reply.kind == STALE_BUTTON, reply.text
    assert eva.inbox() == []  # the coordinator is not told she left
    async with sqlite_db.read() as s:
        after = await s.get(Enrollment, enrollment.id)
        assert (after.status, after.updated_at) == (status, enrollment.updated_at)
        assert len((await s.exec(select(AuditLog))).all()) == audited
