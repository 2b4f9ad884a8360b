"""`forget` replaces what names the person in other people's rows, and only
that: a longer name, e-mail or console account that begins or ends with
theirs is someone else's (Ann is not Ann-Marie Lind, nor coordinator Ann
Berg, whose console account is `ann.berg`). Forgetting Ann damaged Ann
Berg's audit rows (her actor became `forgotten:….berg`, so her broadcast draft
could no longer be sent) and the accountability of the coordinator she added,
and cut Ann-Marie's name in a colleague's answers; the real mentions of Ann
are still replaced."""

from __future__ import annotations

from sqlmodel import select

from bot.messages import Buttons
from bot.store.models import AuditLog, Coordinator, Enrollment, Person
from tests.core.harness import World, make_core, texts, typed_cleanly

SETUP = (
    "program create Stockholm 2027 start=2027-01-19 end=2027-12-15",
    "org add Solna stad program=stockholm-2027",
)
WISHES = "Jag vill lära mig av Ann, och av Ann-Marie Lind (ann-marie.lind@solna.se) som Ann Bergs chef tipsade om."


async def _sign_up(chat, wishes: str) -> None:
    lines = ("join role=adept", "yes", "1", "Hemtjänst Norr", "Enhetschef", "14", "1", wishes, "yes", "3", "Solna")
    await typed_cleanly(chat, (*lines, "1"))
    assert (await chat.say("1"))[-1].kind == "dialogs/done"


def _send_button(preview):
    return next(
        b
        for block in preview.card.blocks
        if isinstance(block, Buttons)
        for b in block.buttons
        if b.action_id == "broadcast.send"
    )


async def test_forgetting_ann_leaves_ann_berg_and_ann_marie_intact(sqlite_db, clock):
    world = World(make_core(sqlite_db, clock, locale="sv", coordinators=("console:local:eva",)))
    eva, ann_berg, ann, dora = world["Eva"], world["Ann Berg"], world["Ann"], world["Dora"]
    await typed_cleanly(eva, SETUP)
    await ann_berg.say("hjälp")
    await eva.say("coordinator add console:local:ann.berg")
    await ann_berg.say("program use stockholm-2027")
    await world["Bo"].say("hjälp")
    assert "Bo" in texts(await ann_berg.say("coordinator add console:local:bo"))
    await _sign_up(ann, "Att leda en ny grupp")
    await _sign_up(dora, WISHES)
    (preview,) = await ann_berg.say("broadcast all Välkomna till uppstarten!")
    async with sqlite_db.read() as s:
        by_ann_berg = len((await s.exec(select(AuditLog).where(AuditLog.actor == "console:local:ann.berg"))).all())

    await ann.say("glöm mig")
    assert (await ann.choose(1))[-1].kind == "commands/forgotten"

    async with sqlite_db.read() as s:
        # Ann Berg's audit rows still name her; the coordinator she added still says so.
        after = (await s.exec(select(AuditLog).where(AuditLog.actor == "console:local:ann.berg"))).all()
        assert len(after) == by_ann_berg
        bo = (await s.exec(select(Coordinator).where(Coordinator.key == "console:local:bo"))).one()
        assert bo.added_by == "console:local:ann.berg"
        dora_id = (await s.exec(select(Person.id).where(Person.name == "Dora"))).one()
        wishes = (await s.exec(select(Enrollment).where(Enrollment.person_id == dora_id))).one().answers["wishes"]
    # Ann herself is no longer named in Dora's answer; Ann-Marie, her e-mail and Ann Berg are.
    assert wishes.startswith("Jag vill lära mig av forgotten:") and ", och av Ann-Marie Lind (" in wishes
    assert wishes.endswith("(ann-marie.lind@solna.se) som Ann Bergs chef tipsade om.")
    assert "Ann," not in wishes
    # Ann Berg's draft is still hers: it goes out.
    sent = await ann_berg.click("broadcast.send", _send_button(preview).value, on=preview)
    assert sent[-1].kind == "broadcast/queued", texts(sent)
