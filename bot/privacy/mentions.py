"""Finding and blanking what names a person in free-form columns (audit
details, outbox contents, other people's answers).

A person is "mentioned" by their name, e-mail, identity keys and platform
ids: whole words, case-insensitive. The database finds candidate rows with
LIKE on the column's text (JSON is stored with `\\uXXXX` escapes, so both
spellings are searched); Python then replaces the words in the decoded value.

Only the person is replaced, never someone else: a word joined to theirs by
`-`, `.` or `@` is part of a longer name, e-mail or account (forgetting Ann
leaves Ann-Marie, `ann.berg@…` and `console:local:ann.berg`), and other
people's names and accounts that hold theirs (`Needles.others`: Ann Berg)
are left as they are. JSON keys are the data's structure (field names, ids,
dates, step and template names, read by key): a key is replaced only when
it is wholly a mention, and then keeps its value beside any other key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel.ext.asyncio.session import AsyncSession

# A mention is a whole word: no word character next to it, nor a word joined
# to it by `-`, `.` or `@` (Ann-Marie, ann.berg@solna.se, console:local:ann.berg).
_BEFORE = r"(?<!\w)(?<!\w[-.@])"
_AFTER = r"(?![-.@]?\w)"


@dataclass(frozen=True)
class Needles:
    words: tuple[str, ...]
    # Other people's names, e-mails and accounts that hold one of the words
    # (Ann Berg when Ann is forgotten): found as a whole and left alone.
    others: tuple[str, ...] = ()

    @classmethod
    def of(cls, values: Iterable[str | None], others: Iterable[str | None] = ()) -> Needles:
        # One letter would blank unrelated words; nobody is named by one.
        kept = {v.strip() for v in values if v and len(v.strip()) > 1}
        words = tuple(sorted(kept, key=lambda v: (-len(v), v)))
        own = {w.casefold() for w in words}
        hit = cls(words).pattern
        theirs = {o.strip() for o in others if o and o.strip() and o.strip().casefold() not in own}
        found = {o for o in theirs if hit is not None and found_in(o, hit)}
        return cls(words, tuple(sorted(found, key=lambda v: (-len(v), v))))

    @property
    def pattern(self) -> re.Pattern[str] | None:
        """Matches a mention (group `hit`) or, first, another person's longer
        name holding one (group `other`, kept)."""
        if not self.words:
            return None
        hit = "(?P<hit>" + "|".join(re.escape(w) for w in self.words) + ")"
        if self.others:
            # Ann Bergs grupp: another's name in the Swedish genitive is theirs as well.
            hit = "(?P<other>(?:" + "|".join(re.escape(w) for w in self.others) + ")s?)|" + hit
        return re.compile(_BEFORE + "(?:" + hit + ")" + _AFTER, re.IGNORECASE)

    def spellings(self) -> list[str]:
        """Each word as typed and as JSON stores it (`\\u00f6` for ö)."""
        return sorted({s for w in self.words for s in (w, json.dumps(w)[1:-1])})

    def like_patterns(self) -> list[str]:
        return [f"%{s.replace('!', '!!').replace('%', '!%').replace('_', '!_')}%" for s in self.spellings()]


def found_in(value: Any, pattern: re.Pattern[str] | None) -> bool:
    if pattern is None or value is None:
        return False
    if isinstance(value, str):
        return any(m.group("hit") for m in pattern.finditer(value))
    if isinstance(value, dict):
        return any(_names(k, pattern) or found_in(v, pattern) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(found_in(v, pattern) for v in value)
    return False


def replaced(value: Any, pattern: re.Pattern[str] | None, replacement: str) -> Any:
    """`value` (a string or decoded JSON) with every mention replaced; a
    dict's keys as they were, but for a key that is wholly a mention."""
    if pattern is None or value is None:
        return value
    if isinstance(value, str):
        return pattern.sub(lambda m: replacement if m.group("hit") else m.group(0), value)
    if isinstance(value, dict):
        out = {k: replaced(v, pattern, replacement) for k, v in value.items() if not _names(k, pattern)}
        for k, v in value.items():
            if _names(k, pattern):
                key, n = replacement, 1
                while key in out:  # another key already reads so: both values stay
                    n += 1
                    key = f"{replacement}#{n}"
                out[key] = replaced(v, pattern, replacement)
        return out
    if isinstance(value, list):
        return [replaced(v, pattern, replacement) for v in value]
    return value


def _names(key: Any, pattern: re.Pattern[str]) -> bool:
    """A JSON key that is wholly a mention (a part of a key is structure)."""
    if not isinstance(key, str):
        return False
    whole = pattern.fullmatch(key)
    return whole is not None and whole.group("hit") is not None


async def rows_mentioning(
    session: AsyncSession, table: sa.Table, columns: Iterable[str], needles: Needles, *, extra: list | None = None
) -> list:
    """Rows of `table` (all columns) where any of `columns` may mention the
    needles, or `extra` conditions hold; checked again in Python by callers."""
    conditions = list(extra or [])
    assert session.bind is not None, "rows_mentioning needs a session bound to an engine"
    if needles.words and session.bind.dialect.name == "postgresql":
        conditions.append(_postgres_hits(table, columns, needles))
    elif needles.words:  # SQLite: ILIKE is lower(x) LIKE lower(y), ASCII-folded; the spellings cover JSON
        for name in columns:
            text = sa.cast(table.c[name], sa.Text)
            conditions += [text.ilike(p, escape="!") for p in needles.like_patterns()]
    if not conditions:
        return []
    result = await (await session.connection()).execute(sa.select(table).where(sa.or_(*conditions)))
    return list(result.all())


def _postgres_hits(table: sa.Table, columns: Iterable[str], needles: Needles):
    """The columns' text made once per row (a materialized CTE), lower-cased,
    then matched against each spelling: half the time of one ILIKE per column
    and spelling on a large outbox."""
    texts = [sa.func.coalesce(sa.cast(table.c[name], sa.Text), "") for name in columns]
    pk = next(iter(table.primary_key.columns))
    cte = (
        sa.select(pk.label("pk"), sa.func.lower(_joined(texts)).label("txt"))
        .cte("mention_text")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    patterns = sorted({p.lower() for p in needles.like_patterns()})
    return pk.in_(sa.select(cte.c.pk).where(sa.or_(*(cte.c.txt.like(p, escape="!") for p in patterns))))


def _joined(texts: list):
    out = texts[0]
    for t in texts[1:]:
        out = out + " " + t
    return out
