"""How the words of a command name people where the grammar cannot tell
where a name ends: a list of people (`invite Anna Berg Bo`) and a name
followed by free text (`nominate Anna Berg has led for years`). Words
typed without quotes that together are the name of a known person are that
person; a word that names no one, next to others, is answered with how a
name with spaces is written (in quotes). `bot.people.resolve_person` then
decides who each reference is. A typed name is a person's name whatever its
case, spacing and Unicode form (`bot.names.name_key`): `björn ärlig` is
Björn Ärlig, and two people whose names are the same so are both that name.
Words that are no one's name as typed may be one but for its accents
(`Asa Oberg` for Åsa Öberg: `bot.names.loose_key`), and then are that reference."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.errors import UserError
from bot.names import loose_key, name_key
from bot.store.models import Person

MAX_NAME_WORDS = 4  # "Anna Maria af Berg"


def _plain(word: str) -> bool:
    """A word that may be part of a name typed without quotes: not a name
    already quoted, a mention, an e-mail address or an identity key."""
    return bool(word) and not any(ch.isspace() for ch in word) and not any(ch in word for ch in "@:<")


async def name_groups(session: AsyncSession, words: list[str]) -> list[list[str]]:
    """`words` as references: consecutive plain words that together are the
    name of a known person form one reference (the longest name first);
    every other word is a reference of its own."""

    def plain_run(i: int, j: int) -> bool:
        return all(_plain(w) for w in words[i:j])

    if not any(plain_run(i, i + 2) for i in range(len(words) - 1)):
        return [[w] for w in words]  # no two plain words side by side: nothing to look up
    known = await _names(session)
    loose: dict[str, list[int]] | None = None  # read when a name is no one's as typed

    def name_end(i: int, names: dict[str, list[int]], key: Callable[[str], str]) -> int | None:
        longest = min(len(words), i + MAX_NAME_WORDS)
        return next(
            (j for j in range(longest, i + 1, -1) if plain_run(i, j) and key(" ".join(words[i:j])) in names), None
        )

    groups: list[list[str]] = []
    i = 0
    while i < len(words):
        end = name_end(i, known, name_key)
        if end is None and plain_run(i, i + 2):  # a name typed without its accents (`Asa Oberg`)
            loose = await _names(session, loose_key) if loose is None else loose
            end = name_end(i, loose, loose_key)
        end = end or i + 1
        groups.append(words[i:end])
        i = end
    return groups


async def _names(session: AsyncSession, key: Callable[[str], str] = name_key) -> dict[str, list[int]]:
    """Everyone's id by their name's `key` (`name_key`), the oldest first.
    Compared here, not in SQL (see `bot.names`); one statement of two columns."""
    by_key: dict[str, list[int]] = {}
    for person_id, name in (await session.exec(select(Person.id, Person.name).order_by(col(Person.id)))).all():
        if person_id is not None:  # always, for a stored row
            by_key.setdefault(key(name), []).append(person_id)
    return by_key


async def people_called(session: AsyncSession, name: str, *, loosely: bool = False) -> list[Person]:
    """Everyone whose name is `name` (`name_key`), the oldest first: none,
    one, or several, which the caller answers as such, never picking one.
    `loosely`: whose name is `name` but for its accents (`bot.names.loose_key`:
    `Asa Oberg` for Åsa Öberg), for a name that is no one's as typed."""
    key = loose_key if loosely else name_key
    ids = (await _names(session, key)).get(key(name), [])
    if not ids:
        return []
    return list((await session.exec(select(Person).where(col(Person.id).in_(ids)).order_by(col(Person.id)))).all())


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
        "errors/name_in_quotes",
        error=err.template,
        details=err.context,
        command=command,
        name=" ".join(pair),
        groups=[],  # the one name is shown, not the whole line
        placeholders=[],
    )


# Answers about a person named by a command's argument that are wrong when
# the words were half of a name (`matcha tillåt Dora Falk Erik Lind` reads
# `Dora` as the adept); `link_needs_identity` when a name's last word was
# read as the account (`person link Dora Falk`).
_HALF_A_NAME = (
    *_NO_SUCH_NAME,
    "errors/person_not_met",
    "errors/link_needs_identity",
    "matching/errors/not_an_adept",
    "matching/errors/not_a_mentor",
)


async def split_name_hint(
    session: AsyncSession, err: UserError, command, args: dict[str, object], tokens: list[str]
) -> UserError:
    """`err`, raised by a command whose parameters took the words `tokens`,
    with how names with spaces are written when a known person's name typed
    without quotes was split between two of its arguments (`Dora` the adept,
    `Falk Erik Lind` the mentor): the command written out with each such
    name in quotes. It only answers; it never decides who was meant. `err`
    itself when no name was split."""
    if err.template not in _HALF_A_NAME:
        return err
    words = [t for t in tokens if "=" not in t]  # not `program=…`: no name has one
    values = [name_key(str(v)) for v in args.values() if isinstance(v, str)]
    groups = await name_groups(session, words)
    split = [g for g in groups if len(g) > 1 and not any(f" {name_key(' '.join(g))} " in f" {v} " for v in values)]
    if not split:
        return err
    positional = [p for p in command.params if not p.named and p.required]
    return UserError(
        "errors/name_in_quotes",
        error=err.template,
        details=err.context,
        command=command.name,
        name=" ".join(split[0]),
        groups=[" ".join(g) for g in groups],
        placeholders=[p.name for p in positional[len(groups) :]],
    )
