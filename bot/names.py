"""When two names are the same name: a person's, an organisation's.

A name comes from a platform profile, a console `--as`/`--org`, a command
or an intake answer, and the same visible name may arrive in two Unicode
forms (`Ö` as one code point, or `O` followed by a combining diaeresis, as
macOS writes it), with other spaces, or in another case. An apostrophe may be typed
straight (`O'Brien`) or typographic (`O’Brien`, as phones and Macs write it).
`tidy_name` is the name as it is stored and shown; `name_key` is what two
names are compared by. Folded in Python: SQLite's `lower()` leaves `Ä` as it is, and nothing in
SQL knows the Unicode forms, so names are never compared in SQL.
`loose_key` is what a name typed without its accents (`Asa Oberg` for
Åsa Öberg) is compared by, only when no name is the same name."""

from __future__ import annotations

import unicodedata

# Apostrophes that are the same apostrophe in a name: ’ (typographic), ‘, ʼ.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def tidy_name(text: str) -> str:
    """A name as it is stored: in Unicode NFC, its words separated by one
    space (`"  Lars   Öst "` -> `"Lars Öst"`)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def name_key(text: str) -> str:
    """What makes two names the same name: `tidy_name`, whatever the case
    (`Björn Ärlig`, `björn  ÄRLIG`, and either in decomposed form) and
    whichever apostrophe (`O'Brien`, `O’Brien`)."""
    return unicodedata.normalize("NFC", tidy_name(text).casefold()).translate(_APOSTROPHES)


# Letters that are no letter and a mark in Unicode, written as people type them without it.
_UNMARKED = str.maketrans({"ø": "o", "æ": "ae", "ł": "l", "đ": "d", "ð": "d", "þ": "th"})


def loose_key(text: str) -> str:
    """`name_key` without accents and other marks (`Åsa Öberg`, `asa oberg`,
    `Linnéa`, `Linnea`): what a name typed without them is compared by
    when it is no one's name (`name_key`) as typed."""
    decomposed = unicodedata.normalize("NFD", name_key(text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).translate(_UNMARKED)
