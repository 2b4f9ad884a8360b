"""The coordinator's files: `export` (a spreadsheet and the same as CSV) and
`report` (the program's figures with a chart)."""

from __future__ import annotations

from dataclasses import replace

from bot.commands.registry import (
    COORDINATOR,
    PROGRAM,
    Param,
    command,
)
from bot.meetings import local_today
from bot.messages import Attachment
from bot.turn import Turn


@command(
    "export",
    role=COORDINATOR,
    slow=True,
    params=(
        Param("what", "choice", required=False, choices=("confidential",)),
        PROGRAM,
    ),
)
async def export(turn: Turn, args):
    from bot.reports.export import XLSX, collect, to_csv, to_xlsx

    program = await turn.program(args["program"])
    confidential = args["what"] == "confidential"
    sheets = await collect(turn.session, program, turn.render, confidential=confidential, reader_id=turn.person.id)
    stem = f"{program.slug}-{local_today(program, turn.now).isoformat()}"
    files = (
        Attachment(f"{stem}.xlsx", XLSX, to_xlsx(sheets), turn.render("reports/export_title", program=program)),
        *(Attachment(f"{stem}-{s.name}.csv", "text/csv", to_csv(s), s.title) for s in sheets),
    )
    if confidential:
        await turn.audit("export confidential", program=program)
    reply = turn.say(
        "reports/exported", program=program, sheets=[(s.title, len(s.rows)) for s in sheets], confidential=confidential
    )
    return [replace(reply, files=files)]


@command("report", role=COORDINATOR, slow=True, params=(PROGRAM,))
async def report(turn: Turn, args):
    from bot.reports.figures import chart_png, figures

    program = await turn.program(args["program"])
    data = await figures(turn.session, program, turn.now)
    png = chart_png(data, turn.render, program)
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
