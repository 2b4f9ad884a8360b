"""Finding and blanking what names a person in free-form columns (audit
details, outbox contents, other people's answers).

A person is "mentioned" by their name, e-mail, identity keys and platform
ids: whole words, case-insensitive. The database finds candidate rows with
LIKE on the column's text (JSON is stored with `\\uXXXX` escapes, so both
spellings are searched); Python then replaces the words in the decoded value.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterable

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession


@dataclass(frozen=True)
class Needles:
    words: tuple[str, ...]

    @classmethod
    def of(cls, values: Iterable[str | None]) -> "Needles":
        # One letter would blank unrelated words; nobody is named by one.
        kept = {v.strip() for v in values if v and len(v.strip()) > 1}
        return cls(tuple(sorted(kept, key=lambda v: (-len(v), v))))

    @property
    def pattern(self) -> re.Pattern[str] | None:
        if not self.words:
            return None
        return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in self.words) + r")(?!\w)", re.IGNORECASE)

    def like_patterns(self) -> list[str]:
        out: list[str] = []
        for word in self.words:
            for spelling in {word, json.dumps(word)[1:-1]}:
                escaped = spelling.replace("!", "!!").replace("%", "!%").replace("_", "!_")
                out.append(f"%{escaped}%")
        return out


def found_in(value: Any, pattern: re.Pattern[str] | None) -> bool:
    if pattern is None or value is None:
        return False
    if isinstance(value, str):
        return pattern.search(value) is not None
    if isinstance(value, dict):
        return any(found_in(k, pattern) or found_in(v, pattern) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(found_in(v, pattern) for v in value)
    return False


def replaced(value: Any, pattern: re.Pattern[str] | None, replacement: str) -> Any:
    """`value` (a string or decoded JSON) with every mention replaced."""
    if pattern is None or value is None:
        return value
    if isinstance(value, str):
        return pattern.sub(replacement, value)
    if isinstance(value, dict):
        return {replaced(k, pattern, replacement): replaced(v, pattern, replacement) for k, v in value.items()}
    if isinstance(value, list):
        return [replaced(v, pattern, replacement) for v in value]
    return value


async def rows_mentioning(session: AsyncSession, table: sa.Table, columns: Iterable[str], needles: Needles,
                          *, extra: list | None = None) -> list:
    """Rows of `table` (all columns) where any of `columns` may mention the
    needles, or `extra` conditions hold; checked again in Python by callers."""
    conditions = list(extra or [])
    patterns = needles.like_patterns()
    for name in columns:
        text = sa.cast(table.c[name], sa.Text)
        conditions += [text.ilike(p, escape="!") for p in patterns]
    if not conditions:
        return []
    result = await (await session.connection()).execute(sa.select(table).where(sa.or_(*conditions)))
    return list(result.all())
