"""The program's figures for `report`, and its chart.

`figures` reads the numbers (people by role and status, pairs by status,
meetings logged per month (all of the program's, as the export counts them), the share of live pairs that met in the last six
weeks, the survey figures that `survey results` shows); `chart_png` draws them with matplotlib's Agg
backend (imported only when a chart is drawn) with labels from templates, rendered first
(`chart_text`) so the drawing can run in a worker thread.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.lifecycle import is_over
from bot.meetings import program_meetings
from bot.programs import zone
from bot.reports.surveys import MIN_GROUP, Survey, survey_figures
from bot.store.models import Enrollment, Pairing, PairStatus, Program, SurveyResponse
from bot.store.rows import pk

RECENT = timedelta(weeks=6)
PAIR_ORDER = (
    PairStatus.ANNOUNCED,
    PairStatus.CONTINUING,
    PairStatus.COMPLETED,
    PairStatus.ENDED,
    PairStatus.APPROVED,
    PairStatus.DRAFT,
)


@dataclass
class Figures:
    people: dict[tuple[str, str], int]  # (role, status) -> count
    pairs: dict[str, int]  # status -> count
    # First day of each month -> meetings logged: the program's months so far, and
    # any other month with a meeting; together every meeting (`program_meetings`).
    months: list[tuple[date, int]]
    live_pairs: int
    met_recently: int
    # The surveys answered so far, by the rule `survey results` follows (bot.reports.surveys).
    surveys: list[Survey] = field(default_factory=list)
    over: bool = False  # the program is closed or archived: no pair runs any more
    minimum: int = MIN_GROUP  # the smallest group whose survey figures are shown

    @property
    def pair_statuses(self) -> list[str]:
        """The pair statuses to count, in the order of a pair's year: every
        status some pair has (the same pairs as the export's), and "running"
        also at 0 while the program runs."""
        return [s for s in PAIR_ORDER if self.pairs.get(s) or (s == PairStatus.ANNOUNCED and not self.over)]

    @property
    def met_share(self) -> float | None:
        return self.met_recently / self.live_pairs if self.live_pairs else None

    @property
    def meetings(self) -> int:
        return sum(n for _, n in self.months)

    @property
    def logged_months(self) -> list[tuple[date, int]]:
        """The months the report's text lists: every month from the first one
        with a meeting to the last one counted (a quiet month in between shows
        as 0), so the months add up to `meetings`; none before any meeting."""
        first = next((i for i, (_, n) in enumerate(self.months) if n), len(self.months))
        return self.months[first:]


def _months(start: date, end: date) -> list[date]:
    out, day = [], start.replace(day=1)
    while day <= end:
        out.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


async def figures(session: AsyncSession, program: Program, now: datetime) -> Figures:
    today = now.astimezone(zone(program.timezone)).date()
    people = Counter(
        {
            (role, status): n
            for role, status, n in (
                await session.exec(
                    select(Enrollment.role, Enrollment.status, func.count())
                    .where(Enrollment.program_id == program.id)
                    .group_by(Enrollment.role, Enrollment.status)
                )
            ).all()
        }
    )
    pairs = list((await session.exec(select(Pairing).where(Pairing.program_id == program.id))).all())
    meetings = list((await session.exec(program_meetings(pk(program)))).all())
    per_month = Counter(m.held_on.replace(day=1) for m in meetings)
    # Every month of the program so far, and any month with a meeting outside
    # it (a pair announced before the start): the months add up to all meetings.
    held = [m.held_on for m in meetings]
    span = _months(min([program.start, *held]), max([min(today, program.end), *held]))
    months = [(m, per_month.get(m, 0)) for m in span]
    live = [p for p in pairs if p.status == PairStatus.ANNOUNCED]
    since = today - RECENT
    recent = {m.pairing_id for m in meetings if m.held_on >= since}
    responses = (await session.exec(select(SurveyResponse).where(SurveyResponse.program_id == program.id))).all()
    surveys = [s for s in survey_figures(responses) if s.answers]
    return Figures(
        dict(people),
        dict(Counter(p.status for p in pairs)),
        months,
        len(live),
        sum(1 for p in live if p.id in recent),
        surveys,
        over=is_over(program),
    )


@dataclass(frozen=True)
class ChartText:
    """Every word of the chart, rendered beforehand (on the loop, where the
    templates are read): drawing it then needs nothing but matplotlib."""

    title: str
    months: list[str]
    meetings: str
    meetings_axis: str
    people: str
    roles: list[str]
    statuses: list[tuple[str, str]]  # (status code, its label)


def chart_text(fig_data: Figures, render: Callable[..., str], program: Program) -> ChartText:
    return ChartText(
        title=program.name,
        months=[render("reports/month", month=m) for m, _ in fig_data.months],
        meetings=render("reports/chart_meetings"),
        meetings_axis=render("reports/chart_meetings_axis"),
        people=render("reports/chart_people"),
        roles=[render(f"labels/role/{r}") for r in ROLES],
        statuses=[(s, render(f"labels/status/{s}")) for s in sorted({s for _, s in fig_data.people})],
    )


ROLES = ("adept", "mentor")
COLOURS = ("#2f6f9f", "#8fbc5a", "#f0a030", "#c0504d", "#9b9b9b", "#6d4c91")


def chart_png(fig_data: Figures, text: ChartText) -> bytes:
    """Meetings logged per month (bars) and participants by status (stacked),
    as a PNG. Pure drawing (a figure of its own, no pyplot state): safe in a
    worker thread, where `report` runs it so the loop is not held meanwhile."""
    import matplotlib

    matplotlib.use("Agg")  # no display: draw into memory
    from matplotlib.figure import Figure

    chart = Figure(figsize=(10, 4.2), dpi=100)
    left, right = chart.subplots(1, 2, gridspec_kw={"width_ratios": [2, 1]})
    left.bar(range(len(text.months)), [n for _, n in fig_data.months], color=COLOURS[0])
    left.set_xticks(range(len(text.months)), text.months, rotation=45, ha="right", fontsize=8)
    left.set_title(text.meetings)
    left.set_ylabel(text.meetings_axis)
    left.yaxis.get_major_locator().set_params(integer=True)
    bottom = [0, 0]
    for i, (status, label) in enumerate(text.statuses):
        values = [fig_data.people.get((role, status), 0) for role in ROLES]
        right.bar(text.roles, values, bottom=bottom, label=label, color=COLOURS[i % len(COLOURS)])
        bottom = [b + v for b, v in zip(bottom, values)]
    right.set_title(text.people)
    if text.statuses:
        right.legend(fontsize=8)
    chart.suptitle(text.title)
    chart.tight_layout()
    out = io.BytesIO()
    chart.savefig(out, format="png")
    return out.getvalue()
