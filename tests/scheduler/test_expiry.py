"""A row that waited past its `expires_at` (the dispatcher was down) expires
instead of being sent, and its kind's `after_expired` hook runs: the tick
goes on sending everything else. A kind's hook that fails is undone and
logged; the outcome it follows stands and nothing else stops."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.config import BotSettings, Config
from bot.messages import Address, Outbound, Platform, Where
from bot.outbox import address_to_dict, encode
from bot.ports import Delivery
from bot.reminders.digest import plan_digest
from bot.reminders.kinds import KINDS, ReminderKind
from bot.reminders.store import Planned, insert_if_absent
from bot.store.models import Program
from scheduler.dispatcher import Dispatcher
from tests.scheduler.helpers import RecordingPort, make_program, reminders


async def test_an_expired_digest_plans_next_week_and_the_tick_goes_on(sqlite_db, clock):
    clock.set(datetime(2027, 2, 2, 9, 0, tzinfo=UTC))  # a Tuesday: the digest is due next Monday
    async with sqlite_db.write() as s:
        program = await make_program(s, status="active")
        assert await plan_digest(s, program, clock.now()) == 1
    (digest,) = await reminders(sqlite_db, kind="digest")
    port = RecordingPort()
    dispatcher = Dispatcher(
        sqlite_db, Delivery({Platform.CONSOLE: port}), clock, Config(bot=BotSettings(coordinators=()))
    )
    clock.set(digest.expires_at + timedelta(hours=1))  # the service was down all that week

    result = await dispatcher.tick()

    assert result.expired == 1
    rows = {r.key: r for r in await reminders(sqlite_db, kind="digest")}
    assert rows[digest.key].status == "expired"
    later = [r for r in rows.values() if r.key != digest.key]
    assert len(later) == 1 and later[0].status == "pending" and later[0].due_at > clock.now()
    async with sqlite_db.read() as s:
        assert (await s.get(Program, program.id)).status == "active"


def _broken_kind(monkeypatch, *, after_sent=None, after_expired=None) -> None:
    """A kind whose hook writes a row and then fails (a bug in a hook)."""

    async def build(session, row, program, person):
        return {}, None

    monkeypatch.setitem(
        KINDS, "broken", ReminderKind("broken", build, after_sent=after_sent, after_expired=after_expired)
    )


async def _half_done_then_fail(session, rows, now):
    await insert_if_absent(session, [_row("written-by-the-hook", now)], now)
    raise RuntimeError("a bug in a kind's hook")


def _row(key: str, due: datetime, *, kind: str = "message", expires: datetime | None = None) -> Planned:
    to = Address(Platform.CONSOLE, "local", conversation=f"dm:{key}", user=key, where=Where.DM)
    return Planned(
        key=key,
        kind=kind,
        template="nudges/button_met",
        due_at=due,
        subject="",
        address=address_to_dict(to),
        context={"message": encode(Outbound(text="hej", kind="nudges/button_met"))} if kind == "message" else {},
        expires_at=expires,
    )


async def test_a_failing_after_expired_hook_is_undone_and_the_tick_goes_on(any_db, clock, monkeypatch, caplog):
    _broken_kind(monkeypatch, after_expired=_half_done_then_fail)
    now = clock.now()
    async with any_db.write() as s:
        await insert_if_absent(
            s,
            [
                _row("late", now - timedelta(days=2), kind="broken", expires=now - timedelta(days=1)),
                _row("anna", now - timedelta(minutes=1)),
            ],
            now,
        )
    port = RecordingPort()
    dispatcher = Dispatcher(any_db, Delivery({Platform.CONSOLE: port}), clock, Config(bot=BotSettings()))

    result = await dispatcher.tick()
    await dispatcher.tick()  # and again: nothing is stuck

    assert result.expired == 1 and result.sent == 1
    assert [to.user for to, _ in port.sent] == ["anna"]
    rows = {r.key: r.status for r in await reminders(any_db)}
    assert rows == {"late": "expired", "anna": "sent"}  # the hook's own row was undone
    assert "after_expired hook" in caplog.text


async def test_a_failing_after_sent_hook_is_undone_and_the_send_stays_recorded(any_db, clock, monkeypatch, caplog):
    _broken_kind(monkeypatch, after_sent=_half_done_then_fail)
    now = clock.now()
    async with any_db.write() as s:
        await insert_if_absent(s, [_row("bo", now - timedelta(minutes=1), kind="broken")], now)
    port = RecordingPort()
    dispatcher = Dispatcher(any_db, Delivery({Platform.CONSOLE: port}), clock, Config(bot=BotSettings()))

    result = await dispatcher.tick()

    assert result.sent == 1 and not dispatcher.recorder.broken
    assert {r.key: r.status for r in await reminders(any_db)} == {"bo": "sent"}
    assert "after_sent hook" in caplog.text


async def test_rows_for_the_coordinators_that_cannot_be_addressed_wait_and_the_rest_goes(
    sqlite_db, clock, monkeypatch, caplog
):
    import scheduler.expand as expanding

    async def broken(session, config):
        raise RuntimeError("a bad coordinator setting")

    monkeypatch.setattr(expanding, "coordinator_people", broken)
    now = clock.now()
    to_coordinators = replace(_row("report", now - timedelta(minutes=1)), address=None, context={"to": "coordinators"})
    async with sqlite_db.write() as s:
        await insert_if_absent(s, [to_coordinators, _row("cilla", now - timedelta(minutes=1))], now)
    port = RecordingPort()
    dispatcher = Dispatcher(sqlite_db, Delivery({Platform.CONSOLE: port}), clock, Config(bot=BotSettings()))

    result = await dispatcher.tick()

    assert result.sent == 1 and [to.user for to, _ in port.sent] == ["cilla"]
    rows = {r.key: r for r in await reminders(sqlite_db)}
    assert rows["report"].status == "pending" and rows["report"].due_at > now
    assert "coordinators failed" in caplog.text


async def test_the_claim_that_reaches_a_late_row_expires_it_in_the_same_statement(sqlite_db, clock):
    """No separate expiry statement per tick: the claim marks a row past its
    `expires_at` expired (no attempt used, no lease, nobody holds it) and
    claims the others."""
    from sqlalchemy import event

    async with sqlite_db.write() as s:
        due = clock.now() - timedelta(hours=2)
        rows = [
            _row("late", due, expires=clock.now() - timedelta(hours=1)),
            _row("fresh", due, expires=clock.now() + timedelta(hours=1)),
        ]
        await insert_if_absent(s, rows, clock.now())
    dispatcher = Dispatcher(sqlite_db, Delivery({Platform.CONSOLE: RecordingPort()}), clock, Config())
    statements: list[str] = []

    def listener(_conn, _cursor, statement, *_rest):
        statements.append(statement)

    event.listen(sqlite_db.units_engine, "before_cursor_execute", listener)
    try:
        dispatcher._reclaimed_at = clock.now()  # only the claim itself
        claimed = await dispatcher.claim()
    finally:
        event.remove(sqlite_db.units_engine, "before_cursor_execute", listener)
    assert [r.key for r in claimed] == ["fresh"]
    assert [s.split(None, 1)[0] for s in statements if not s.startswith("BEGIN")] == ["UPDATE"]
    by_key = {r.key: r for r in await reminders(sqlite_db)}
    late = by_key["late"]
    assert (late.status, late.attempts, late.claimed_by, late.lease_until) == ("expired", 0, None, None)
    assert late.last_error == "too late to be useful"
    assert (by_key["fresh"].status, by_key["fresh"].attempts) == ("claimed", 1)
