"""Issue 13, point 6: `export` delivers an XLSX (opened here with openpyxl)
with one sheet each for participants, pairs, meetings and events with RSVPs,
and the same as CSV; dilemma text only with `export confidential`, audited."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from bot.i18n import render
from bot.store.models import AuditLog, EndReason, EventRsvp, Meeting, Pairing, PairStatus, Person
from tests.core.cockpit import announce, cockpit_world, enroll

WISH = "Hur säger jag nej till min chef?"
SHEETS = {"sv": ["Deltagare", "Par", "Möten", "Träffar"], "en": ["Participants", "Pairs", "Meetings", "Events"]}


@pytest.fixture(params=["sv", "en"])
async def world(request, sqlite_db, clock):
    w = await cockpit_world(sqlite_db, clock, request.param)
    await enroll(w, "Cecilia", "adept", "Täby kommun", wishes=WISH)
    await enroll(w, "David", "adept", "Knivsta kommun")
    await enroll(w, "Frida", "mentor", "Knivsta kommun")
    await announce(w)
    async with sqlite_db.write() as s:
        pair = (await s.exec(select(Pairing))).one()
        s.add(Meeting(pairing_id=pair.id, held_on=date(2027, 1, 28), minutes=90))
        frida = (await s.exec(select(Person).where(Person.name == "Frida"))).one()
        s.add(EventRsvp(event_id=1, person_id=frida.id, coming=True, at=clock.now()))
    return w


def _workbook(reply):
    xlsx = next(f for f in reply.files if f.filename.endswith(".xlsx"))
    return load_workbook(io.BytesIO(xlsx.data))


def _values(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def _rows(file) -> list[list[str]]:
    """A CSV file of the export, as Excel in Sweden reads it (BOM, `;`)."""
    return list(csv.reader(io.StringIO(file.data.decode("utf-8-sig")), delimiter=";"))


def _csv(reply, sheet: str) -> list[list[str]]:
    return _rows(next(f for f in reply.files if f.filename.endswith(f"{sheet}.csv")))


async def test_export_is_a_workbook_with_the_right_rows_and_csv_files(world, sqlite_db):
    (reply,) = await world["Anna"].say("export")
    book = _workbook(reply)
    assert book.sheetnames == SHEETS[world.locale]
    participants = _values(book.worksheets[0])
    assert len(participants) == 4  # header + Cecilia, David, Frida
    names = {row[0]: row for row in participants[1:]}
    assert names["Cecilia"][1] == "Täby kommun" and names["Cecilia"][4] == "Frida"
    assert all(WISH not in str(v) for row in participants for v in row)
    pairs = _values(book.worksheets[1])
    assert pairs[1][1:3] == ["Cecilia", "Frida"] and pairs[1][6] == 1
    meetings = _values(book.worksheets[2])
    assert meetings[1][1:3] == ["Cecilia", "Frida"] and meetings[1][3].date() == date(2027, 1, 28)
    events = _values(book.worksheets[3])
    kickoff = events[1]
    assert kickoff[3] == "Stadshuset" and kickoff[5] == 1 and kickoff[7] == "Frida"
    assert (kickoff[2].hour, kickoff[2].minute) == (13, 0)  # the program's local time
    csvs = {f.filename.rsplit("-", 1)[1]: f for f in reply.files if f.filename.endswith(".csv")}
    assert set(csvs) == {"participants.csv", "pairs.csv", "meetings.csv", "events.csv"}
    rows = _rows(csvs["participants.csv"])
    assert len(rows) == 4 and rows[1][0] == "Cecilia"
    async with sqlite_db.read() as s:
        assert not (await s.exec(select(AuditLog).where(AuditLog.action == "export confidential"))).all()


async def test_export_confidential_includes_dilemmas_and_is_audited(world, sqlite_db):
    (reply,) = await world["Anna"].say("export confidential")
    participants = _values(_workbook(reply).worksheets[0])
    assert any(WISH in str(v) for row in participants for v in row)
    async with sqlite_db.read() as s:
        logged = (await s.exec(select(AuditLog).where(AuditLog.action == "export confidential"))).all()
    assert len(logged) == 1 and logged[0].actor == "console:local:anna"


async def test_a_participant_cannot_export(world):
    replies = await world["Cecilia"].say("export confidential")
    assert all(not r.files for r in replies)


async def test_a_formula_in_a_name_stays_text(world, sqlite_db):
    await enroll(world, '=HYPERLINK("http://x")', "adept", "Täby kommun")
    (reply,) = await world["Anna"].say("export")
    names = [row[0] for row in _values(_workbook(reply).worksheets[0])]
    assert '\'=HYPERLINK("http://x")' in names


# What a person could type into a free-text answer, a name or an organisation:
# markup the chat renderers escape, and formulas a spreadsheet would run.
HOSTILE = {
    "name": "-2+3*A1",
    "org": "=HYPERLINK(http://evil.example)",  # `org add` reads words, not quotes
    "department": "Äldreomsorg <@U123> *fet* [x](http://evil.example) _kursiv_ (parentes)",
    "role_title": '=HYPERLINK("http://evil.example","Klicka")',
    "place": "\t=1+2",
    "wishes": "@SUM(1+1)*cmd|' /C calc'!A0",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _private_use(text: str) -> bool:
    return any("\ue000" <= ch <= "\uf8ff" for ch in text)


def _as_typed(cell: str) -> str:
    """A cell as a spreadsheet shows it: the leading apostrophe means "text"."""
    return cell[1:] if cell.startswith("'") else cell


async def test_hostile_text_is_exported_as_typed_and_never_as_a_formula(world):
    await world["Anna"].say(f"org add {HOSTILE['org']}")
    await enroll(
        world,
        HOSTILE["name"],
        "adept",
        HOSTILE["org"],
        department=HOSTILE["department"],
        role_title=HOSTILE["role_title"],
        place=HOSTILE["place"],
        wishes=HOSTILE["wishes"],
    )
    (reply,) = await world["Anna"].say("export confidential")
    book = _workbook(reply)
    csvs = [_rows(f) for f in reply.files if f.filename.endswith(".csv")]
    tables = [_values(ws) for ws in book.worksheets] + csvs
    cells = [v for table in tables for row in table for v in row if isinstance(v, str)]
    assert not [c for c in cells if _private_use(c)], "no renderer marks in a file"
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)], "no cell a spreadsheet reads as a formula"
    xlsx_row = next(r for r in _values(book.worksheets[0]) if r[0] == "'" + HOSTILE["name"])
    csv_row = next(r for r in csvs[0] if r[0] == "'" + HOSTILE["name"])
    for row in (xlsx_row, csv_row):
        shown = [_as_typed(v) for v in row if isinstance(v, str)]
        for typed in (HOSTILE["org"], HOSTILE["department"], HOSTILE["role_title"], HOSTILE["place"]):
            assert typed in shown
        assert any(v.startswith(HOSTILE["wishes"]) for v in shown)  # the confidential column


async def test_pair_statuses_are_words_in_the_readers_language(world):
    (reply,) = await world["Anna"].say("exportera")
    running = {"sv": "igång", "en": "running"}[world.locale]
    assert _values(_workbook(reply).worksheets[1])[1][3] == running
    rows = _csv(reply, "pairs")
    assert rows[1][3] == running


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_every_pair_status_has_a_word(locale):
    words = {status: render(locale, f"labels/pair_status/{status}") for status in PairStatus}
    assert all(words.values()) and len(set(words.values())) == len(PairStatus)


async def test_end_reasons_are_words_in_the_readers_language(world):
    await world["Cecilia"].say("leave")
    await world["Cecilia"].choose(1)  # Yes: her pair with Frida ends
    (reply,) = await world["Anna"].say("export")
    left = {"sv": "en av dem lämnade programmet", "en": "one of them left the program"}[world.locale]
    assert _values(_workbook(reply).worksheets[1])[1][8] == left
    rows = _csv(reply, "pairs")
    assert rows[1][8] == left


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_every_end_reason_has_a_word(locale):
    words = {reason: render(locale, f"labels/end_reason/{reason.name.lower()}") for reason in EndReason}
    assert all(words.values()) and len(set(words.values())) == len(EndReason)
