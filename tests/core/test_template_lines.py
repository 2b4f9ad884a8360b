"""Lists in messages put each item on a line of its own, and no message
shows an empty paragraph.

The templates are read with `trim_blocks`: the newline right after a block
tag (`{% for … %}`, `{% endif %}`) is dropped. A line whose text ends in a
block tag therefore runs into the next line, unless a blank line follows it
(the templates' way to end such a line). That once gave
"Era mål:1. Bli tryggare…2. Andra målet", survey results with the heading
glued to its first group, and a pair's ⚠️ warning on the pair's own line.
A paragraph that is only an `{% if %}` between blank lines leaves two blank
lines when it is false ("I don't know the command `hej`." and two empty lines).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.i18n import render, templates_dir

_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}")
_OPEN_FOR = re.compile(r"\{%\s*for\b")
_END_FOR = re.compile(r"\{%\s*endfor\s*%\}")


def _has_text(line: str) -> bool:
    """Whether the line writes something (text or `{{ … }}`), not only tags."""
    return _TAG.sub("", line).strip() != ""


def _loses_its_newline(line: str) -> bool:
    """`trim_blocks` drops the newline after a block tag (not after `+%}`)."""
    return line.endswith("%}") and not line.endswith("+%}")


def _first_written_line(lines: list[str], start: int) -> int | None:
    """The first line from `start` on that writes text, skipping lines of tags
    only; None when a blank line (a newline of its own) comes first."""
    for number in range(start, len(lines)):
        if lines[number].strip() == "":
            return None
        if _has_text(lines[number]):
            return number
    return None


def run_together(source: str) -> list[tuple[int, int]]:
    """Pairs of line numbers (1-based) whose text is joined when rendered:
    a line that writes text and ends in a block tag, then, with only tag
    lines between, another line that writes text (also at a loop's end,
    where the next round begins with the loop's first line)."""
    lines = source.rstrip("\n").split("\n")
    found = []
    loops: list[int] = []  # where each open `{% for %}`'s body begins
    for number, line in enumerate(lines):
        if _OPEN_FOR.search(line):
            loops.append(number if not line.rstrip().endswith("%}") else number + 1)
        if _END_FOR.search(line) and loops:
            start = loops.pop()
            if not _has_text(line) and number > 0 and _has_text(lines[number - 1]):
                if _loses_its_newline(lines[number - 1].rstrip()):
                    again = _first_written_line(lines, start)
                    if again is not None and again < number:
                        found.append((number, again + 1))
        if _has_text(line) and _loses_its_newline(line.rstrip()):
            following = _first_written_line(lines, number + 1)
            if following is not None:
                found.append((number + 1, following + 1))
    return found


def all_templates() -> list[Path]:
    return sorted(p for locale in ("sv", "en") for p in (templates_dir() / locale).rglob("*.j2"))


def test_the_check_finds_lines_run_together():
    assert run_together("Goals:{% for g in goals %}\n{{ g }}{% endfor %}\n") == [(1, 2)]
    assert run_together("Goals:\n{% for g in goals %}\n{{ g }}\n{% endfor %}\n") == []
    assert run_together("{% if a %}A{% endif %}\n\nB\n") == []  # the blank line is the line break
    # The last line of a loop's body runs into its first in the next round.
    assert run_together("{% for g in goals %}\n{{ g }}{% if x %}!{% endif %}\n{% endfor %}\n") == [(2, 2)]


def test_no_template_runs_two_lines_together():
    joined = []
    for path in all_templates():
        source = path.read_text(encoding="utf-8")
        lines = source.split("\n")
        name = path.relative_to(templates_dir())
        joined += [f"{name}:{a} {lines[a - 1][-30:]!r} + {b} {lines[b - 1][:30]!r}" for a, b in run_together(source)]
    assert joined == []


_IF_TAGS = re.compile(r"\{%\s*(if|elif|else|endif)\b.*?%\}")


def _block_end(lines: list[str], start: int) -> tuple[int, bool] | None:
    """Where the `{% if %}` opening line `start` ends (its `{% endif %}`'s
    line), and whether it has an `{% else %}` or `{% elif %}` of its own."""
    depth, other = 0, False
    for number in range(start, len(lines)):
        for tag in _IF_TAGS.finditer(lines[number]):
            kind = tag.group(1)
            depth += {"if": 1, "endif": -1}.get(kind, 0)
            other |= kind in ("else", "elif") and depth == 1
            if depth == 0:
                return (number, other) if not lines[number][tag.end() :].strip() else None
    return None


def empty_paragraphs(source: str) -> list[int]:
    """Lines (1-based) opening a paragraph that is only an `{% if %}`, between
    blank lines and before more text: when its condition is false, the two
    blank lines meet and the message shows an empty paragraph."""
    lines = source.rstrip("\n").split("\n")
    found = []
    for number, line in enumerate(lines):
        end = _block_end(lines, number) if line.startswith("{% if") else None
        if end is None or end[1]:
            continue
        last = end[0]
        before_blank = number > 0 and lines[number - 1].strip() == ""
        after_blank = last + 1 < len(lines) and lines[last + 1].strip() == ""
        if before_blank and after_blank and any(rest.strip() for rest in lines[last + 2 :]):
            found.append(number + 1)
    return found


def test_the_check_finds_empty_paragraphs():
    assert empty_paragraphs("A.\n\n{% if b %}B.{% endif %}\n\nC.\n") == [3]
    assert empty_paragraphs("A.\n\n{% if b %}\nB.\n{% endif %}\n\nC.\n") == [3]
    assert empty_paragraphs("A.\n\n{% if b %}\nB.\n\n{% endif %}\nC.\n") == []  # the paragraph brings its break
    assert empty_paragraphs("A.\n\n{% if b %}B.{% else %}D.{% endif %}\n\nC.\n") == []  # never empty


def test_no_template_leaves_an_empty_paragraph():
    """`hej` was answered "I don't know the command `hej`." and two empty lines."""
    found = []
    for path in all_templates():
        source = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(templates_dir())}:{n}" for n in empty_paragraphs(source)]
    assert found == []


# ------------------------------------------------ the lists, rendered


def lines_of(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


@pytest.mark.parametrize("locale", ["sv", "en"])
@pytest.mark.parametrize("template", ["firstmeeting/goals", "firstmeeting/goal_added"])
def test_each_goal_is_a_numbered_line_of_its_own(locale, template):
    goals = ["Bli tryggare i lönesamtal", "Andra målet", "Tredje målet"]
    shown = lines_of(render(locale, template, goals=goals, pairs=[{"partner": "Frida", "goals": goals}], limit=3))
    assert shown[1:] == ["1. Bli tryggare i lönesamtal", "2. Andra målet", "3. Tredje målet"]


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_each_pairs_goals_are_numbered_lines_under_the_partners_name(locale):
    pairs = [{"partner": "Bertil", "goals": ["Delegera mer", "Hinna reflektera"]}, {"partner": "Cecilia", "goals": []}]
    shown = lines_of(render(locale, "firstmeeting/goals", pairs=pairs))
    assert shown[1:4] == ["*Bertil*", "1. Delegera mer", "2. Hinna reflektera"]
    assert shown[4].startswith("*Cecilia* – ") and len(shown) == 6  # no goals yet, and who writes them


def _group(role: str, shown: bool) -> dict:
    questions = [{"name": "expectations", "average": 4.0}, {"name": "relationship", "average": 4.5}]
    return {
        "role": role,
        "count": 4 if shown else 2,
        "shown": shown,
        "questions": questions if shown else [],
        "comments": ["Bra samtal", "Svårt att hitta tider"] if shown else [],
    }


RESULTS = {
    "sv": [
        "*Enkäter i P*",
        "*Efter inspirationsträffen*",
        "Adepter: 4 svar.",
        "• Förväntningar: 4 av 5",
        "• Samtalen i paret: 4,5 av 5",
        "  ”Bra samtal”",
        "  ”Svårt att hitta tider”",
        "Mentorer: 2 svar. För få för att visa (minst 3), så att ingen kan pekas ut.",
        "*Avslutningen*",
    ],
    "en": [
        "*Surveys in P*",
        "*After the inspiration meeting*",
        "Mentees: 4 answers.",
        "• Expectations: 4 of 5",
        "• Conversations in the pair: 4.5 of 5",
        "  “Bra samtal”",
        "  “Svårt att hitta tider”",
        "Mentors: 2 answers. Too few to show (at least 3), so that nobody can be singled out.",
        "*The close-out*",
    ],
}


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_survey_results_put_each_survey_group_question_and_comment_on_a_line(locale):
    results = [
        {"survey": s, "groups": [_group("adept", True), _group("mentor", False)]} for s in ("inspiration", "closeout")
    ]
    shown = lines_of(render(locale, "surveys/results", program=SimpleNamespace(name="P"), results=results, minimum=3))
    assert shown[:9] == RESULTS[locale]
    assert shown[9:] == RESULTS[locale][2:8]  # the close-out's groups, alike


def _member(name: str, org: str) -> dict:
    return {"name": name, "org": org}


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_each_warning_of_a_proposed_pair_is_a_line_under_it(locale):
    warnings = [
        {"code": "no_shared_language", "value": {"adept": ["sv"], "mentor": ["en"]}},
        {"code": "in_person_vs_digital", "value": {"wants": "adept", "place": "Kiruna"}},
    ]
    pairs = [
        {
            "id": n,
            "adept": _member(f"Adept {n}", "Knivsta"),
            "mentor": _member(f"Mentor {n}", "Täby"),
            "score": 40 + n,
            "pinned": False,
            "reasons": [{"code": "shared_topics", "value": ["budget"]}],
            "warnings": warnings if n != 2 else [],
        }
        for n in (1, 2, 3)
    ]
    text = render(
        locale,
        "matching/draft",
        program=SimpleNamespace(name="P"),
        rule="other_org",
        pairs=pairs,
        total=3,
        approved=[],
        announced=0,
        unmatched=[],
        waitlisted=[],
        left_out=[],
    )
    shown = lines_of(text)
    starts = [line.lstrip()[:2] for line in shown[1:8]]
    assert starts == ["• ", "⚠️", "⚠️", "• ", "• ", "⚠️", "⚠️"], text
    assert all("⚠️" not in line for line in shown if line.startswith("• "))


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_the_channel_summary_names_each_pair_on_a_line(locale):
    text = render(
        locale,
        "matching/channel_summary",
        program=SimpleNamespace(name="P"),
        count=2,
        names=[("Anna", "Bo"), ("Cecilia", "David")],
        event=None,
    )
    shown = lines_of(text)
    assert len(shown) == 3 and shown[1].startswith("• Anna") and shown[2].startswith("• Cecilia")


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_the_announce_summary_has_no_empty_line_whatever_is_left_out(locale):
    """Probe 2, item 24: each optional line of `match announce`'s answer left
    an empty line when it was false (three in a row before "Could not reach")."""
    import itertools

    for waitlist, unmatched, idle, unreachable in itertools.product((0, 2), (0, 1), (0, 3), ([], ["Bo"])):
        text = render(
            locale,
            "matching/announced",
            count=2,
            in_group=1,
            in_dms=2,
            channel=False,
            waitlist_told=waitlist,
            unmatched_told=unmatched,
            idle_told=idle,
            unreachable=unreachable,
        )
        assert "\n\n" not in text, text
        assert len(text.split("\n")) == 2 + sum(map(bool, (waitlist, unmatched, idle, unreachable))), text
