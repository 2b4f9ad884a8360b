"""One date style per kind, in the reader's language and the program's time
zone (`bot.i18n`): short in lists and replies, long in reminders."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.i18n import render

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
FILTERS = "date|date_range|datetime|long_date|long_datetime|time|month|month_days"
# 19 January 2027, 12:00 UTC: 13:00 in Stockholm, a Tuesday.
NOON_UTC = datetime(2027, 1, 19, 12, 0, tzinfo=UTC)


def shown(locale: str, source: str, **ctx) -> str:
    from bot.i18n import default_translator

    env = default_translator().env
    return env.from_string(source).render(locale=locale, tz="Europe/Stockholm", **ctx).strip()


@pytest.mark.parametrize(
    "locale, expected",
    [
        (
            "sv",
            [
                "19 jan. 2027",
                "19 jan. 2027 kl. 13:00",
                "tisdag 19 januari",
                "tisdag 19 januari kl. 13:00",
                "13:00",
                "jan. 2027",
                "15 jan.–31 dec. 2027",
                "1–31 juli",
                "23 december–6 januari",
            ],
        ),
        (
            "en",
            [
                "19 Jan 2027",
                "19 Jan 2027 at 13:00",
                "Tuesday 19 January",
                "Tuesday 19 January at 13:00",
                "13:00",
                "Jan 2027",
                "15 Jan – 31 Dec 2027",
                "1 – 31 July",
                "23 December–6 January",
            ],
        ),
    ],
)
def test_each_kind_has_one_style_in_the_readers_language(locale, expected):
    source = (
        "{{ w | date }}|{{ w | datetime }}|{{ w | long_date }}|{{ w | long_datetime }}|{{ w | time }}|"
        "{{ w | month }}|{{ a | date_range(b) }}|{{ ('07-01', '07-31') | month_days }}|"
        "{{ ('12-23', '01-06') | month_days }}"
    )
    got = shown(locale, source, w=NOON_UTC, a=date(2027, 1, 15), b=date(2027, 12, 31)).split("|")
    assert [g.replace("\u2009", " ") for g in got] == expected


def test_times_are_the_programs_and_say_so_when_the_reader_lives_elsewhere():
    assert shown("sv", "{{ w | long_datetime }}", w=NOON_UTC, reader_tz="Europe/Stockholm") == (
        "tisdag 19 januari kl. 13:00"
    )
    assert shown("sv", "{{ w | long_datetime }}", w=NOON_UTC, reader_tz="Europe/London") == (
        "tisdag 19 januari kl. 13:00 (centraleuropeisk normaltid)"
    )
    assert (
        shown("en", "{{ w | time }}", w=NOON_UTC, reader_tz="America/New_York")
        == "13:00 (Central European Standard Time)"
    )
    # a day is the program's day: 23:30 UTC on the 19th is already the 20th in Stockholm
    assert shown("sv", "{{ w | date }}", w=datetime(2027, 1, 19, 23, 30, tzinfo=UTC)) == "20 jan. 2027"


@pytest.mark.parametrize(
    "locale, this_year, next_year",
    [
        ("sv", "tisdag 19 januari kl. 13:00", "tisdag 19 januari 2027 kl. 13:00"),
        ("en", "Tuesday 19 January at 13:00", "Tuesday 19 January 2027 at 13:00"),
    ],
)
def test_a_long_date_says_its_year_when_it_is_not_the_readers_this_year(locale, this_year, next_year):
    december = datetime(2026, 12, 28, 9, 0, tzinfo=UTC)
    january = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    assert shown(locale, "{{ w | long_datetime }}", w=NOON_UTC, written_at=december) == next_year
    assert shown(locale, "{{ w | long_datetime }}", w=NOON_UTC, written_at=january) == this_year
    assert shown(locale, "{{ w | long_date }}", w=NOON_UTC, written_at=december).endswith(" 2027")
    assert shown(locale, "{{ w | long_datetime }}", w=NOON_UTC) == this_year  # no clock given: as before
    # the program's new year: 23:30 UTC on 31 December is already next year in Stockholm
    assert "2027" not in shown(
        locale, "{{ w | long_date }}", w=NOON_UTC, written_at=datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    )
    # a sentence inside another (`t`) says it as the one around it does
    event = {"id": 3, "title": None, "kind": "kickoff", "starts_at": NOON_UTC, "place": "", "audience": "all"}
    nested = shown(
        locale,
        '{{ "scheduler/event_reminder" | t(event=e, offset=22, program=p, to_channel=True) }}',
        e=event,
        p={"name": "Mentorprogram 2027"},
        written_at=december,
    )
    assert next_year in nested


def test_no_template_picks_its_own_date_pattern():
    """Templates name a kind (`| date`, `| long_datetime`); the patterns live in bot.i18n only."""
    own = re.compile(rf"\|\s*(?:{FILTERS})\s*\(\s*['\"]|strftime|format_date")
    found = [
        str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.j2") if own.search(p.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_a_reminder_says_the_day_in_full_a_list_says_it_short():
    from types import SimpleNamespace as NS

    event = NS(id=3, title="Uppstartsmöte", kind="kickoff", starts_at=NOON_UTC, place="", audience="all")
    program = NS(name="Mentorprogram 2027")
    reminder = render(
        "sv", "scheduler/event_reminder", event=event, offset=2, program=program, to_channel=True, tz="Europe/Stockholm"
    )
    line = render("sv", "events/line", event=event, tz="Europe/Stockholm")
    assert "tisdag 19 januari kl. 13:00" in reminder
    assert "19 jan. 2027 kl. 13:00" in line and "tisdag" not in line


UNREADABLE = {
    "sv": (
        "`mitten av april` är inget datum jag kan läsa (dagen pausen varar till).",
        "`2027-02-30` är inget datum som finns (slutdatumet): februari 2027 har 28 dagar.",
        "`snart` är inget datum jag kan läsa. Skriv",
    ),
    "en": (
        "`mid april` is not a date I can read (the day the pause lasts until).",
        "`2027-02-30` is not a date that exists (the end date): February 2027 has 28 days.",
        "`snart` is not a date I can read. Write",
    ),
}


@pytest.mark.parametrize("locale", ["sv", "en"])
async def test_a_date_that_cannot_be_read_names_which_date_in_words(sqlite_db, clock, locale):
    """Probe 2, item 24: "`mitten av april` är inget datum jag kan läsa (till)" showed
    the argument's name as if it were a field label. The date is named in words
    (the end date, the day the pause lasts until), and not at all where the
    command has one date only."""
    from tests.core.harness import program_world

    world = await program_world(sqlite_db, clock, locale)
    paused, ended, dated = UNREADABLE[locale]
    pause = await world["Eva"].say("pausa till mitten av april" if locale == "sv" else "pause until mid april")
    assert paused in pause[0].text, pause[0].text
    create = await world["Anna"].say("program create P start=2027-02-01 end=2027-02-30")
    assert ended in create[0].text, create[0].text
    met = await world["Eva"].say("träffats snart" if locale == "sv" else "met snart")
    assert dated in met[0].text, met[0].text
