"""The retention purge on the virtual clock: each period keeps a row the day
before it is due and deletes it on the day, on SQLite and PostgreSQL; the
scheduler runs it as a job; a dry run counts and changes nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import delete, select

from bot.config import Config, PrivacySettings
from bot.messages import Platform
from bot.ports import Delivery
from bot.privacy.retention import purge
from bot.store.models import (
    AuditLog,
    Coordinator,
    DialogState,
    Enrollment,
    EnrollmentStatus,
    Identity,
    MatchExclusion,
    Pairing,
    Person,
    ProcessedEvent,
    Reminder,
    SurveyResponse,
)
from scheduler.service import PURGE_JOB, SchedulerService
from tests.scheduler.helpers import RecordingPort, make_pair, make_person, make_program

UTC = UTC
END = date(2027, 12, 31)  # the program's last day
AFTER_END = datetime(2028, 1, 1, 3, 0, tzinfo=UTC)
ANSWERS = {"department": "Hemtjänst", "wishes": "Mitt dilemma", "topics": ["change"], "format": "mixed"}
ANNOUNCED = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)


def days_after_end(days: int) -> datetime:
    return datetime.combine(END + timedelta(days=days), datetime.min.time(), tzinfo=UTC) + timedelta(hours=3)


async def seed(db, created: datetime = datetime(2027, 1, 4, tzinfo=UTC)) -> dict:
    """A program ending 2027-12-31 with a pair (answers, rationale, exclusion,
    dialogue, survey), outbox and audit rows, and a platform event id."""
    async with db.write() as s:
        program = await make_program(s, end=END)
        anna, bo = await make_person(s, "Anna"), await make_person(s, "Bo")
        for p in (anna, bo):
            p.created_at = created
        pairing = await make_pair(s, program, anna, bo, ANNOUNCED)
        pairing.rationale = [{"topics": ["change"]}]
        for eid in (pairing.adept_id, pairing.mentor_id):
            e = await s.get(Enrollment, eid)
            e.answers, e.consent_at = dict(ANSWERS), created
        s.add(MatchExclusion(program_id=program.id, adept_id=pairing.adept_id, mentor_id=pairing.mentor_id))
        s.add(
            DialogState(
                person_id=anna.id,
                program_id=program.id,
                name="adept_intake",
                step="wishes",
                data={"answers": {"wishes": "x"}},
            )
        )
        s.add(SurveyResponse(program_id=program.id, person_id=anna.id, survey="closing", answers={"free": "bra"}))
        sent = datetime(2027, 6, 1, tzinfo=UTC)
        for key, status, program_id in (
            ("sent-in-program", "sent", program.id),
            ("pending", "pending", program.id),
            ("sent-alone", "sent", None),
        ):
            s.add(
                Reminder(
                    key=key,
                    kind="message",
                    template="t",
                    person_id=anna.id,
                    program_id=program_id,
                    due_at=sent,
                    sent_at=sent if status == "sent" else None,
                    status=status,
                    context={"message": {"text": "Hej Anna"}},
                    created_at=sent,
                )
            )
        s.add(AuditLog(at=sent, actor="console:local:cecilia", program_id=program.id, action="invite"))
        s.add(AuditLog(at=sent, actor="console:local:cecilia", program_id=None, action="coordinator add"))
        s.add(ProcessedEvent(key="console:Ev1", at=sent))
        return {"program": program.id, "anna": anna.id, "bo": bo.id, "pairing": pairing.id}


async def run_purge(db, now: datetime, dry_run: bool = False, coordinators=(), **settings):
    async with db.write() as s:
        return await purge(s, now, PrivacySettings(**settings), coordinators=coordinators, dry_run=dry_run)


async def rows(db, model, **where) -> list:
    async with db.read() as s:
        query = select(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return list((await s.exec(query)).all())


async def answers_kept(db) -> list[dict]:
    return [e.answers for e in await rows(db, Enrollment)]


async def test_answers_go_answers_days_after_the_program_ends(any_db):
    await seed(any_db)
    await run_purge(any_db, days_after_end(29))
    assert await answers_kept(any_db) == [ANSWERS, ANSWERS]
    assert (await rows(any_db, Pairing))[0].rationale
    assert len(await rows(any_db, DialogState)) == len(await rows(any_db, SurveyResponse)) == 1
    report = await run_purge(any_db, days_after_end(30))
    assert report.counts["answers"] == 2 + 1 + 1 + 1 + 1  # two enrollments, a rationale, dialogue, survey, exclusion
    assert await answers_kept(any_db) == [{}, {}]
    assert all(e.consent_at is None for e in await rows(any_db, Enrollment))
    assert (await rows(any_db, Pairing))[0].rationale == []
    assert await rows(any_db, DialogState) == await rows(any_db, SurveyResponse) == []
    assert await rows(any_db, MatchExclusion) == []


async def test_a_shorter_answers_period_is_honoured(any_db):
    await seed(any_db)
    await run_purge(any_db, days_after_end(6), answers_days=7)
    assert await answers_kept(any_db) == [ANSWERS, ANSWERS]
    await run_purge(any_db, days_after_end(7), answers_days=7)
    assert await answers_kept(any_db) == [{}, {}]


async def test_free_text_goes_answers_days_after_the_match_when_so_configured(any_db):
    await seed(any_db)
    await run_purge(any_db, ANNOUNCED + timedelta(days=13, hours=23), answers_days=14, free_text_from="match")
    assert await answers_kept(any_db) == [ANSWERS, ANSWERS]
    await run_purge(any_db, ANNOUNCED + timedelta(days=14), answers_days=14, free_text_from="match")
    assert await answers_kept(any_db) == [{"topics": ["change"], "format": "mixed"}] * 2


async def test_by_default_free_text_waits_for_the_close(any_db):
    await seed(any_db)
    await run_purge(any_db, ANNOUNCED + timedelta(days=200))
    assert await answers_kept(any_db) == [ANSWERS, ANSWERS]


async def test_people_who_left_lose_their_answers_at_once(any_db):
    await seed(any_db)
    async with any_db.write() as s:
        e = (await s.exec(select(Enrollment).where(Enrollment.role == "adept"))).one()
        e.status = EnrollmentStatus.LEFT
        s.add(e)
    report = await run_purge(any_db, datetime(2027, 3, 1, tzinfo=UTC))
    assert report.counts["left"] == 1
    assert sorted(map(len, await answers_kept(any_db))) == [0, len(ANSWERS)]


async def test_processed_events_go_after_seven_days(any_db):
    await seed(any_db)
    sent = datetime(2027, 6, 1, tzinfo=UTC)
    await run_purge(any_db, sent + timedelta(days=6, hours=23))
    assert len(await rows(any_db, ProcessedEvent)) == 1
    await run_purge(any_db, sent + timedelta(days=7))
    assert await rows(any_db, ProcessedEvent) == []


async def test_finished_outbox_rows_go_outbox_days_after_the_end_and_pending_ones_stay(any_db):
    await seed(any_db)
    sent = datetime(2027, 6, 1, tzinfo=UTC)
    await run_purge(any_db, sent + timedelta(days=89))
    assert sorted(r.key for r in await rows(any_db, Reminder)) == ["pending", "sent-alone", "sent-in-program"]
    await run_purge(any_db, sent + timedelta(days=90))  # a message outside a program: 90 days after sending
    assert sorted(r.key for r in await rows(any_db, Reminder)) == ["pending", "sent-in-program"]
    await run_purge(any_db, days_after_end(89))
    assert sorted(r.key for r in await rows(any_db, Reminder)) == ["pending", "sent-in-program"]
    await run_purge(any_db, days_after_end(90))
    assert [r.key for r in await rows(any_db, Reminder)] == ["pending"]


async def actions(db) -> list[str]:
    """The seeded audit rows left (the purge's own records aside)."""
    return sorted(a.action for a in await rows(db, AuditLog) if a.action != "privacy.purge")


async def test_audit_rows_go_audit_days_after_the_end(any_db):
    await seed(any_db)
    sent = datetime(2027, 6, 1, tzinfo=UTC)
    keep_people = {"answers_days": 3650, "people_days": 3650}
    await run_purge(any_db, sent + timedelta(days=364), **keep_people)
    assert await actions(any_db) == ["coordinator add", "invite"]
    await run_purge(any_db, sent + timedelta(days=365), **keep_people)  # outside a program: after writing
    assert await actions(any_db) == ["invite"]
    await run_purge(any_db, days_after_end(364), **keep_people)
    assert await actions(any_db) == ["invite"]
    await run_purge(any_db, days_after_end(365), **keep_people)
    assert await actions(any_db) == []


async def test_people_are_anonymised_people_days_after_their_last_program_but_coordinators_stay(any_db):
    ids = await seed(any_db)
    async with any_db.write() as s:
        s.add(Coordinator(key="console:local:bo", added_by="config"))
        await s.exec(delete(Reminder).where(Reminder.status == "pending"))  # something pending keeps a person
        newcomer = await make_person(s, "Nyfiken")
        newcomer.created_at = days_after_end(60)
    await run_purge(any_db, days_after_end(89))
    assert {p.name for p in await rows(any_db, Person)} == {"Anna", "Bo", "Nyfiken"}
    report = await run_purge(any_db, days_after_end(90))
    assert report.counts["people"] == 1
    anna = (await rows(any_db, Person, id=ids["anna"]))[0]
    assert (anna.name, anna.email, anna.created_at) == ("", None, None)
    assert await rows(any_db, Identity, person_id=ids["anna"]) == []
    assert {p.name for p in await rows(any_db, Person)} == {"", "Bo", "Nyfiken"}
    # A person met only 30 days ago stays until people_days after first contact.
    assert (await run_purge(any_db, days_after_end(149))).counts["people"] == 0
    assert (await run_purge(any_db, days_after_end(150))).counts["people"] == 1


async def test_someone_with_a_message_pending_is_not_anonymised(any_db):
    ids = await seed(any_db)
    assert (await run_purge(any_db, days_after_end(400))).counts["people"] == 2 - 1  # Bo; Anna has "pending"
    assert (await rows(any_db, Person, id=ids["anna"]))[0].name == "Anna"


async def test_a_dry_run_counts_what_would_go_and_changes_nothing(any_db):
    await seed(any_db)
    late = days_after_end(400)
    dry = await run_purge(any_db, late, dry_run=True)
    assert dry.total > 0 and dry.counts["outbox"] == 2 and dry.counts["audit"] == 2
    assert await answers_kept(any_db) == [ANSWERS, ANSWERS]
    assert len(await rows(any_db, Reminder)) == 3 and len(await rows(any_db, AuditLog)) == 2
    real = await run_purge(any_db, late)
    assert real.counts == dry.counts
    assert (await run_purge(any_db, late, dry_run=True)).total == 0


async def test_the_scheduler_runs_the_purge_as_a_job(sqlite_db, clock):
    await seed(sqlite_db)
    config = replace(Config(), privacy=PrivacySettings(purge_hours=24))
    service = SchedulerService(sqlite_db, Delivery({Platform.CONSOLE: RecordingPort()}), clock, config)
    clock.set(days_after_end(30))
    await service.purge()
    assert await answers_kept(sqlite_db) == [{}, {}]
    service.start()
    try:
        job = service.scheduler.get_job(PURGE_JOB)
        assert job is not None and job.trigger.interval == timedelta(hours=24)
        assert job.args == () and job.kwargs == {}
    finally:
        await service.shutdown()


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("answers_days", -1, "privacy.answers_days"),
        ("free_text_from", "never", "privacy.free_text_from"),
        ("purge_hours", 0, "privacy.purge_hours"),
    ],
)
def test_bad_privacy_settings_stop_start_up_with_the_key_named(key, value, message):
    from bot.config import ConfigError, build_config

    with pytest.raises(ConfigError, match=message):
        build_config({"privacy": {key: value}}, {}, "test")
