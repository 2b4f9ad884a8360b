"""Typed access to stored rows, said once.

SQLModel declares every primary key as `int | None` (it is None until the row
is flushed) and `session.get` may return None. Where the code knows better (a
row loaded from the database has its id; a foreign key promises its row), these
helpers say so and fail with a clear message if the promise is broken, instead
of an `AttributeError` on None somewhere later.
"""

from __future__ import annotations

from typing import Protocol, TypeVar, cast

import sqlalchemy as sa
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


M = TypeVar("M", bound=SQLModel)


def pk(row: _Stored) -> int:
    """The id of a row that has been stored (loaded, or added and flushed)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} has no id yet: add it to the session and flush before using its id")
    return row.id


async def fetch(session: AsyncSession, model: type[M], id: int) -> M:
    """The row a foreign key points to: it must exist."""
    row = await session.get(model, id)
    if row is None:
        raise LookupError(f"{model.__name__} {id} does not exist, but a stored row points to it")
    return row


def one_of(column, values) -> sa.ColumnElement[bool]:
    """`column IN (...)` for a list fixed when the statement is built: one
    plain parameter per value. (`column.in_(values)` makes an "expanding"
    parameter, whose SQL is rewritten at every execution: about 20 µs each
    time, for a list that never changes.)"""
    return column.in_([sa.literal(v, column.type) for v in values])


def table_of(model: type[SQLModel]) -> sa.Table:
    """The model's Core table, for bulk `insert`/`update`/`delete` statements."""
    return cast(sa.Table, sa.inspect(model).local_table)
