"""The register of personal data (PRIVACY.md) lists every column of every
table, and nothing that is not a column."""

from __future__ import annotations

import re
from pathlib import Path

from sqlmodel import SQLModel

import bot.store.models  # noqa: F401 - registers the tables

REGISTER = Path(__file__).resolve().parents[2] / "PRIVACY.md"
_ROW = re.compile(r"^\| `(\w+)\.(\w+)` \|(.*)\|\s*$")
_PLAIN = re.compile(r"^- `(\w+)`: (.*)$")


def read_register(text: str) -> tuple[dict[tuple[str, str], list[str]], set[tuple[str, str]]]:
    personal: dict[tuple[str, str], list[str]] = {}
    plain: set[tuple[str, str]] = set()
    for line in text.splitlines():
        if m := _ROW.match(line):
            personal[(m.group(1), m.group(2))] = [c.strip() for c in m.group(3).split("|")]
        elif m := _PLAIN.match(line):
            plain.update((m.group(1), c) for c in re.findall(r"`(\w+)`", m.group(2)))
    return personal, plain


def model_columns() -> set[tuple[str, str]]:
    return {(t.name, c.name) for t in SQLModel.metadata.tables.values() for c in t.columns}


def test_every_column_is_in_the_register():
    personal, plain = read_register(REGISTER.read_text(encoding="utf-8"))
    listed = set(personal) | plain
    missing = sorted(model_columns() - listed)
    assert not missing, f"PRIVACY.md does not list {missing}: add each to the register or to the plain list"
    stale = sorted(listed - model_columns())
    assert not stale, f"PRIVACY.md lists columns that no model has: {stale}"
    assert not set(personal) & plain, "a column is both personal and plain"


def test_every_personal_column_has_purpose_basis_reader_and_retention():
    personal, _ = read_register(REGISTER.read_text(encoding="utf-8"))
    for column, cells in personal.items():
        assert len(cells) == 5 and all(cells), f"{column}: needs what, purpose, legal basis, who sees it, deleted"
        assert cells[2] in ("consent", "program", "accountability"), f"{column}: unknown legal basis {cells[2]!r}"


def test_a_new_column_fails_the_check():
    text = REGISTER.read_text(encoding="utf-8").replace("| `person.email` |", "| `person.mail` |")
    personal, plain = read_register(text)
    assert ("person", "email") not in set(personal) | plain
