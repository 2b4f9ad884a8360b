"""Plurals through one helper (`plural`, and `count` for a number with its
unit, both on Babel's plural rules in `bot.i18n`), every number with its unit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.i18n import render

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.mark.parametrize(
    "locale, one, two",
    [
        (
            "sv",
            "1 par presenterat: 1 person fick var sitt meddelande.",
            "2 par presenterade: 3 personer fick var sitt meddelande.",
        ),
        (
            "en",
            "1 pair announced: 1 person told by direct message.",
            "2 pairs announced: 3 people told by direct message.",
        ),
    ],
)
def test_announced_pairs_and_people_take_the_readers_plural(locale, one, two):
    def first(count, people):
        return render(
            locale,
            "matching/announced",
            count=count,
            in_group=0,
            in_dms=people,
            channel=True,
            waitlist_told=0,
            unmatched_told=0,
            idle_told=0,
            unreachable=[],
        ).splitlines()[0]

    assert (first(1, 1), first(2, 3)) == (one, two)


@pytest.mark.parametrize(
    "locale, expected",
    [
        (
            "sv",
            [
                "1 dag",
                "21 dagar",
                "1 månad",
                "14 månader",
                "1 år",
                "5 år",
                "1 minut",
                "90 minuter",
                "1 adept",
                "2 adepter",
            ],
        ),
        (
            "en",
            [
                "1 day",
                "21 days",
                "1 month",
                "14 months",
                "1 year",
                "5 years",
                "1 minute",
                "90 minutes",
                "1 mentee",
                "2 mentees",
            ],
        ),
    ],
)
def test_a_number_carries_its_unit_in_the_right_form(locale, expected):
    got = [
        render(locale, "dialogs/show_number", value=n, unit=u)
        for u, ns in (
            ("days", (1, 21)),
            ("months", (1, 14)),
            ("years", (1, 5)),
            ("minutes", (1, 90)),
            ("adepts", (1, 2)),
        )
        for n in ns
    ]
    assert got == expected


def _unit_words(locale: str) -> set[str]:
    text = (TEMPLATES / locale / "labels" / "unit.j2").read_text(encoding="utf-8")
    return set(re.findall(r'"([a-zåäö]+)"', text.split("%}")[0]))  # the units' names and their forms


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_no_template_prints_a_number_and_its_unit_by_hand(locale):
    """`{{ n }} dagar` says "1 dagar"; `{{ "sida" if n == 1 else "sidor" }}` is a second
    plural rule. Both go through `count`/`plural`."""
    words = "|".join(sorted(_unit_words(locale), key=len, reverse=True))
    by_hand = re.compile(r"\{\{ [^{}|]+ \}\} (?:" + words + r")\b|\"(?:" + words + r")\" if [a-z_.]+ == 1")
    found = []
    for path in (TEMPLATES / locale).rglob("*.j2"):
        if path.parent.name == "labels":
            continue
        found += [
            f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in by_hand.finditer(path.read_text(encoding="utf-8"))
        ]
    assert found == []
