"""The program as tables: participants, pairs, meetings, events with RSVPs.

`collect` reads the database into `Sheet`s whose column headers come from
templates (`export/columns/<sheet>.j2`, names separated by `|`); `to_xlsx`
and `to_csv` turn them into files. openpyxl is imported only when a
spreadsheet is made. Dilemma text (the adept's `wishes`) is left out unless
the coordinator asks for `export confidential`, and even then a reader who is
in a pair with the adept does not get what the adept keeps from their mentor
(`bot.dialogs.answers.PARTNER`, as `person` shows it).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.dialogs.answers import COORDINATOR, PARTNER, answer_ctx, lines
from bot.lifecycle import is_over
from bot.markup import strip_marks
from bot.programs import events, zone
from bot.roster import paired_with, roster
from bot.store.models import EndReason, Enrollment, EventRsvp, Meeting, Pairing, Person, Program

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEETS = ("participants", "pairs", "meetings", "events")


@dataclass(frozen=True)
class Sheet:
    name: str  # code: participants, pairs, meetings, events
    title: str  # in the reader's language
    headers: list[str]
    rows: list[list]


def _headers(render: Callable[..., str], sheet: str) -> list[str]:
    return [h.strip() for h in render(f"export/columns/{sheet}").split("|")]


def end_reason(reason: str | None, render: Callable[..., str]) -> str:
    """Why a pair ended, in the reader's words: the bot's own reasons
    (`EndReason`) from their labels, a coordinator's (`unpair`) as written."""
    if not reason:
        return ""
    try:
        code = EndReason(reason)
    except ValueError:
        return reason
    return render(f"labels/end_reason/{code.name.lower()}")


async def _participants(session, program, render, confidential: bool, reader_id: int | None) -> list[list]:
    ctx = await answer_ctx(session, program)
    over = is_over(program)  # "took part", not "signed up", once the program is closed
    partners = await paired_with(session, reader_id) if confidential and reader_id is not None else set()
    out = []
    for row in await roster(session, program):
        enrollment = row.enrollment
        # An answer in words is rendered for chat, with the marks around what
        # the person typed (bot.markup); a file holds the text as typed.
        reader = PARTNER if enrollment.person_id in partners else COORDINATOR
        answers = {
            a.field: render("export/withheld") if a.withheld else strip_marks(a.value)
            for a in lines(enrollment.answers or {}, row.role, ctx, render, reader)
        }
        wishes = answers.get("wishes", "") if confidential else ""
        out.append(
            [
                row.name,
                row.organisation or "",
                render(f"labels/role/{row.role}"),
                render(f"labels/status/{row.status}", over=over),
                row.pair or "",
                "; ".join(render(f"labels/why/{w}") for w in row.why),
                answers.get("department", ""),
                answers.get("role_title", ""),
                answers.get("topics", ""),
                answers.get("format", ""),
                answers.get("place", ""),
                answers.get("languages", ""),
                wishes,
            ]
        )
    return out


async def _pairs_and_meetings(session, program, render) -> tuple[list[list], list[list]]:
    names = dict(
        (
            await session.exec(
                select(Enrollment.id, col(Person.name))
                .join(Person, col(Person.id) == col(Enrollment.person_id))
                .where(Enrollment.program_id == program.id)
            )
        ).all()
    )
    pairs = list(
        (await session.exec(select(Pairing).where(Pairing.program_id == program.id).order_by(col(Pairing.id)))).all()
    )
    meetings = list(
        (
            await session.exec(
                select(Meeting)
                .where(col(Meeting.pairing_id).in_([p.id for p in pairs] or [0]))
                .order_by(col(Meeting.held_on))
            )
        ).all()
    )
    by_pair: dict[int, list[Meeting]] = {}
    for m in meetings:
        by_pair.setdefault(m.pairing_id, []).append(m)
    tz = zone(program.timezone)
    pair_rows = []
    for p in pairs:
        held = by_pair.get(p.id, [])
        pair_rows.append(
            [
                p.id,
                names.get(p.adept_id, "?"),
                names.get(p.mentor_id, "?"),
                render(f"labels/pair_status/{p.status}"),
                p.score,
                p.announced_at.astimezone(tz).date() if p.announced_at else None,
                len(held),
                held[-1].held_on if held else None,
                end_reason(p.end_reason, render),
            ]
        )
    pair_of = {p.id: p for p in pairs}
    meeting_rows = [
        [
            m.pairing_id,
            names.get(pair_of[m.pairing_id].adept_id, "?"),
            names.get(pair_of[m.pairing_id].mentor_id, "?"),
            m.held_on,
            m.minutes,
        ]
        for m in meetings
    ]
    return pair_rows, meeting_rows


async def _events(session, program, render) -> list[list]:
    tz = zone(program.timezone)
    out = []
    for ev in await events(session, program):
        answers = (
            await session.exec(
                select(EventRsvp, Person)
                .join(Person, col(Person.id) == col(EventRsvp.person_id))
                .where(EventRsvp.event_id == ev.id)
                .order_by(Person.name)
            )
        ).all()
        coming = [p.name for r, p in answers if r.coming]
        not_coming = [p.name for r, p in answers if not r.coming]
        out.append(
            [
                ev.id,
                ev.title or render(f"labels/kind/{ev.kind}"),
                ev.starts_at.astimezone(tz).replace(tzinfo=None),
                ev.place or "",
                render(f"labels/audience/{ev.audience}"),
                len(coming),
                len(not_coming),
                ", ".join(coming),
                ", ".join(not_coming),
            ]
        )
    return out


async def collect(
    session: AsyncSession,
    program: Program,
    render: Callable[..., str],
    *,
    confidential: bool = False,
    only: tuple[str, ...] = SHEETS,
    reader_id: int | None = None,
) -> list[Sheet]:
    """The sheets `only`; `reader_id`: the coordinator who reads them (see `_participants`)."""
    pairs, meetings = await _pairs_and_meetings(session, program, render)
    rows = {"pairs": pairs, "meetings": meetings}
    if "participants" in only:
        rows["participants"] = await _participants(session, program, render, confidential, reader_id)
    if "events" in only:
        rows["events"] = await _events(session, program, render)
    sheets = []
    for name in only:
        headers = _headers(render, name)
        body = rows[name]
        if name == "participants" and not confidential:  # no dilemma column at all
            headers, body = headers[:-1], [r[:-1] for r in body]
        sheets.append(Sheet(name, render(f"export/sheet/{name}"), headers, body))
    return sheets


def to_xlsx(sheets: list[Sheet]) -> bytes:
    from openpyxl import Workbook  # heavy: only when a spreadsheet is made
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title[:31])  # Excel's limit on sheet names
        ws.append([_safe_cell(h) for h in sheet.headers])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append([_safe_cell(v) for v in row])
        ws.freeze_panes = "A2"
        for column, header in zip(ws.columns, sheet.headers):
            width = max([len(str(header)), *[len(str(c.value or "")) for c in column][:200]])
            ws.column_dimensions[column[0].column_letter].width = min(60, width + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# A cell starting with one of these is read as a formula by Excel, LibreOffice
# or Google Sheets (OWASP, "CSV Injection"): tab and carriage return included.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value):
    """Every text cell of a file, as the person typed it and never a formula:
    no renderer marks (a spreadsheet shows them, and they would hide a leading
    `=` from the check below), and a leading formula character kept as text
    with the apostrophe that spreadsheets read as "this is text"."""
    if not isinstance(value, str):
        return value
    value = strip_marks(value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(sheet: Sheet) -> bytes:
    """Semicolon-separated with a BOM: what Excel in Swedish opens directly."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_safe_cell(h) for h in sheet.headers])
    for row in sheet.rows:
        writer.writerow(["" if v is None else _safe_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode()
