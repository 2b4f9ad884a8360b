"""How a typed word names one of a parameter's choices: as the grammar has
it, as the help shows it in either language, or as a list shows it."""

from __future__ import annotations

import re
from collections.abc import Iterable


def _same_words(text: str) -> str:
    """`Tackade-nej`, `tackade nej` and `tackade_nej` alike."""
    return " ".join(re.split(r"[\s_-]+", text.strip().lower()))


def choice_value(value: str, choices: Iterable[str], shown: str = "", names: str = "") -> str | None:
    """The choice `value` names, typed as the grammar has it (`yes`), as the
    help shows it in either language (`ja`, see `labels/choice`), with a
    label table `shown` (`labels/status`) as a list shows it (`tackade
    nej`, `har lämnat`; one or many: `anmäld`, `anmälda`), or with a table
    `names` (`labels/language`) by its name in either language (`svenska`,
    `Swedish`)."""
    from bot.i18n import LOCALES, label

    typed = _same_words(value)
    for choice in choices:
        words = [choice, *(label(loc, "labels/choice", value=choice) for loc in LOCALES)]
        if shown:
            words += [label(loc, f"{shown}/{choice}", form=form) for loc in LOCALES for form in ("one", "other")]
        if names:
            words += [label(loc, f"{names}/{choice}") for loc in LOCALES]
        if any(typed == _same_words(word) for word in words):
            return choice
    return None
