"""`UTCDateTime` on SQLite binds and reads times in one function each way;
the text it writes must be exactly what SQLAlchemy's own two processors
write (earlier rows and the outbox's `due_at <= now` comparisons are text
comparisons on SQLite), and what it reads must be the same aware UTC time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from bot.store.coltypes import UTCDateTime

STOCKHOLM_WINTER = timezone(timedelta(hours=1))
TIMES = [
    datetime(2026, 11, 30, 4, 5, 6, tzinfo=UTC),  # no microseconds: still six digits
    datetime(2026, 11, 30, 4, 5, 6, 7, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=UTC),
    datetime(2026, 1, 1, 0, 30, tzinfo=STOCKHOLM_WINTER),  # the day before, in UTC
    datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC),  # a year of three digits
]


def sqlalchemy_text(value: datetime) -> str:
    """What the decorator's own conversion and the dialect's DATETIME wrote."""
    plain = UTCDateTime().process_bind_param(value, sqlite.dialect())
    return sqlite.DATETIME().bind_processor(sqlite.dialect())(plain)


@pytest.mark.parametrize("value", TIMES, ids=str)
def test_the_text_written_is_sqlalchemys_own(value):
    bind = UTCDateTime().dialect_impl(sqlite.dialect()).bind_processor(sqlite.dialect())
    assert bind(value) == sqlalchemy_text(value)


@pytest.mark.parametrize("value", TIMES, ids=str)
def test_what_is_read_back_is_the_same_aware_utc_time(value):
    read = UTCDateTime().dialect_impl(sqlite.dialect()).result_processor(sqlite.dialect(), None)
    back = read(sqlalchemy_text(value))
    assert back == value and back.tzinfo is UTC


def test_a_naive_time_is_refused_and_none_stays_none():
    bind = UTCDateTime().dialect_impl(sqlite.dialect()).bind_processor(sqlite.dialect())
    with pytest.raises(ValueError, match="naive"):
        bind(datetime(2026, 11, 30, 4, 5))
    assert bind(None) is None


def test_through_a_real_sqlite_file_order_and_comparison_hold(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 't.db'}")
    meta = sa.MetaData()
    table = sa.Table("t", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("at", UTCDateTime()))
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"id": i, "at": at} for i, at in enumerate(TIMES, start=10)])
        raw = dict(conn.exec_driver_sql("SELECT id, at FROM t").all())
        assert raw == {i: sqlalchemy_text(at) for i, at in enumerate(TIMES, start=10)}
        cut = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
        before = conn.execute(sa.select(table.c.id).where(table.c.at < cut).order_by(table.c.at)).scalars().all()
        assert before == [14, 13]  # year 999, then 23:30 UTC on New Year's Eve
        assert conn.execute(sa.select(table.c.at).where(table.c.id == 11)).scalar_one() == TIMES[1]
