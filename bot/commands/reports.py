"""The coordinator's files: `export` (a spreadsheet and the same as CSV) and
`report` (the program's figures with a chart)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TypeVar

from bot.commands.registry import (
    COORDINATOR,
    PROGRAM,
    Param,
    command,
)
from bot.meetings import local_today
from bot.messages import Attachment
from bot.turn import Turn

T = TypeVar("T")


# Charts and workbooks are drawn and packed one at a time, in a thread of
# their own: CPU work of a tenth of a second and more each, that would hold
# the event loop if done on it; with several threads at once, the loop would
# get only its share of the interpreter's lock between them.
_MAKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mentorbot-files")


async def _made_off_loop(fn: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(_MAKER, fn)


@dataclass(frozen=True)
class Made:
    """Files made in a command's prepare step (before the write transaction),
    for the program and variant they were made for."""

    key: tuple
    value: object


def _made(turn: Turn, key: tuple):
    made = turn.prepared
    return made.value if isinstance(made, Made) and made.key == key else None


async def _export_files(turn: Turn, program, confidential: bool):
    from bot.reports.export import XLSX, collect, to_csv, to_xlsx

    sheets = await collect(turn.session, program, turn.render, confidential=confidential, reader_id=turn.person.id)
    stem = f"{program.slug}-{local_today(program, turn.now).isoformat()}"
    # Packing a workbook takes a good part of a second for a large program:
    # in a worker thread, so the loop goes on answering others.
    xlsx, csvs = await _made_off_loop(lambda: (to_xlsx(sheets), [to_csv(s) for s in sheets]))
    files = (
        Attachment(f"{stem}.xlsx", XLSX, xlsx, turn.render("reports/export_title", program=program)),
        *(Attachment(f"{stem}-{s.name}.csv", "text/csv", data, s.title) for s, data in zip(sheets, csvs)),
    )
    return [(s.title, len(s.rows)) for s in sheets], files


async def export_first(turn: Turn, args) -> Made:
    """`export`'s slow part, in a read transaction before the write one."""
    program = await turn.program(args["program"])
    confidential = args["what"] == "confidential"
    return Made((program.id, confidential), await _export_files(turn, program, confidential))


@command(
    "export",
    role=COORDINATOR,
    slow=True,
    params=(
        Param("what", "choice", required=False, choices=("confidential",)),
        PROGRAM,
    ),
    prepare=export_first,
)
async def export(turn: Turn, args):
    program = await turn.program(args["program"])
    confidential = args["what"] == "confidential"
    made = _made(turn, (program.id, confidential)) or await _export_files(turn, program, confidential)
    sheets, files = made
    if confidential:
        await turn.audit("export confidential", program=program)
    reply = turn.say("reports/exported", program=program, sheets=sheets, confidential=confidential)
    return [replace(reply, files=files)]


async def _report(turn: Turn, program):
    from bot.reports.figures import chart_png, chart_text, figures

    data = await figures(turn.session, program, turn.now)
    # The drawing (a tenth of a second and more) in a worker thread: the loop
    # goes on answering others, /healthz included, while charts are drawn.
    text = chart_text(data, turn.render, program)
    png = await _made_off_loop(lambda: chart_png(data, text))
    return data, png


async def report_first(turn: Turn, args) -> Made:
    """`report`'s slow part, in a read transaction before the write one."""
    program = await turn.program(args["program"])
    return Made((program.id,), await _report(turn, program))


@command("report", role=COORDINATOR, slow=True, params=(PROGRAM,), prepare=report_first)
async def report(turn: Turn, args):
    program = await turn.program(args["program"])
    data, png = _made(turn, (program.id,)) or await _report(turn, program)
    stem = f"{program.slug}-{local_today(program, turn.now).isoformat()}"
    reply = turn.say("reports/report", program=program, data=data, tz=program.timezone)
    return [
        replace(
            reply,
            files=(
                Attachment(f"{stem}-report.png", "image/png", png, turn.render("reports/chart_title", program=program)),
            ),
        )
    ]
