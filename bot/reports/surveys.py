"""Survey figures as coordinators see them, by one rule for every view that
shows them (`survey results`, `report`).

Each role answers its own questions (`bot.dialogs.survey.QUESTIONS`), so
answers are grouped by the respondent's role. A group of fewer than
`MIN_GROUP` answers shows its count only; in a group that is shown, a
question that fewer than `MIN_GROUP` answered shows no average. Free-text
answers are shown without names, sorted, so their order says nothing about
who wrote them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.dialogs.survey import QUESTIONS, SURVEYS
from bot.store.models import SurveyResponse

MIN_GROUP = 3  # fewer answers than this could point at a person
ROLES = ("adept", "mentor")


@dataclass(frozen=True)
class Question:
    name: str  # its label is dialogs/label/<name>
    count: int
    average: float | None  # None when fewer than MIN_GROUP answered it


@dataclass(frozen=True)
class Group:
    role: str
    count: int
    shown: bool  # at least MIN_GROUP answers: the averages and comments may be shown
    questions: tuple[Question, ...] = ()
    comments: tuple[str, ...] = ()


@dataclass(frozen=True)
class Survey:
    survey: str
    answers: int
    groups: tuple[Group, ...]


def aggregate(rows: Iterable[SurveyResponse], survey: str, role: str) -> Group:
    """One role's answers to one survey: the averages and free text, or only the count."""
    answers = [r.answers or {} for r in rows if r.survey == survey and (r.answers or {}).get("role") == role]
    if len(answers) < MIN_GROUP:
        return Group(role, len(answers), False)
    questions = []
    for name in QUESTIONS[(survey, role)]:
        values = [a[name] for a in answers if isinstance(a.get(name), int) and not isinstance(a.get(name), bool)]
        average = round(sum(values) / len(values), 1) if len(values) >= MIN_GROUP else None
        questions.append(Question(name, len(values), average))
    comments = tuple(sorted(str(a["comment"]) for a in answers if a.get("comment")))
    return Group(role, len(answers), True, tuple(questions), comments)


def survey_figures(rows: Iterable[SurveyResponse], surveys: Iterable[str] = SURVEYS) -> list[Survey]:
    """Each survey's figures, its groups by role (`aggregate`)."""
    rows = list(rows)
    return [
        Survey(
            survey,
            sum(1 for r in rows if r.survey == survey),
            tuple(aggregate(rows, survey, role) for role in ROLES),
        )
        for survey in surveys
    ]
