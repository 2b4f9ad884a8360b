"""How the words of a command name people where the grammar cannot tell
where a name ends: a list of people (`invite Anna Berg Bo`) and a name
followed by free text (`nominate Anna Berg has led for years`). Words
typed without quotes that together are the name of a known person are that
person; a word that names no one, next to others, is answered with how a
name with spaces is written (in quotes). `bot.people.resolve_person` then
decides who each reference is."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import UserError
from bot.store.models import Person

MAX_NAME_WORDS = 4  # "Anna Maria af Berg"
_CHUNK = 500  # names asked for in one statement (well inside SQLite's limit on parameters)


def _plain(word: str) -> bool:
    """A word that may be part of a name typed without quotes: not a name
    already quoted, a mention, an e-mail address or an identity key."""
    return bool(word) and not any(ch.isspace() for ch in word) and not any(ch in word for ch in "@:<")


async def name_groups(session: AsyncSession, words: list[str]) -> list[list[str]]:
    """`words` as references: consecutive plain words that together are the
    name of a known person form one reference (the longest name first);
    every other word is a reference of its own."""
    candidates = sorted(
        {
            " ".join(words[i:j])
            for i in range(len(words))
            for j in range(i + 2, min(len(words), i + MAX_NAME_WORDS) + 1)
            if all(_plain(w) for w in words[i:j])
        }
    )
    known: set[str] = set()
    for start in range(0, len(candidates), _CHUNK):
        chunk = candidates[start : start + _CHUNK]
        known.update((await session.exec(select(Person.name).where(col(Person.name).in_(chunk)))).all())
    groups: list[list[str]] = []
    i = 0
    while i < len(words):
        longest = min(len(words), i + MAX_NAME_WORDS)
        end = next((j for j in range(longest, i + 1, -1) if " ".join(words[i:j]) in known), i + 1)
        groups.append(words[i:end])
        i = end
    return groups


# Answers that no one (in the program) has this name: perhaps it was half of one.
_NO_SUCH_NAME = ("errors/unknown_person", "errors/person_outside_program")


def with_quotes_hint(err: UserError, command: str, words: list[str], index: int) -> UserError:
    """`err` (no one is called `words[index]`) with how a name with spaces
    is written, when that word is a plain word next to another (`invite
    "Anna Berg"`); `err` itself otherwise."""
    if err.template not in _NO_SUCH_NAME or not _plain(words[index]):
        return err
    before = index > 0 and _plain(words[index - 1])
    after = index + 1 < len(words) and _plain(words[index + 1])
    if not (before or after):
        return err
    pair = words[index - 1 : index + 1] if before else words[index : index + 2]
    return UserError(
        "errors/name_in_quotes", error=err.template, details=err.context, command=command, name=" ".join(pair)
    )
