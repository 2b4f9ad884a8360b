"""Every `UserError(...)` in the code renders, in both languages, with
exactly the keyword arguments its call site gives.

The templates run under `StrictUndefined` (see `bot.i18n.Translator`), so a
variable the call site does not pass is an internal error the person sees as
"something went wrong on our side" instead of the answer meant for them.
This test finds each construction of `UserError` by parsing the source, and

- checks that every variable the template refers to, in any branch, is
  among the keywords passed there (`locale` and `today` are always given), and
- renders the template in Swedish and in English with those keywords.

Literal arguments (`value=0`, `usage="..."`, `example={...}`) are used as
written. An argument computed at run time (`name=person.name`,
`program=program`) gets the sample for its keyword from `SAMPLES` below
(so a keyword means one kind of value wherever it is used);
`x.name` of a sample object is that object's name and `x.isoformat()` of a
sample date its ISO text, as at the call site. A keyword with no sample, a
template name that is neither a literal, a conditional between literals nor
a module constant, or `**kwargs`, fails the test and says so, so that no call
escapes the check.
"""

from __future__ import annotations

import ast
import importlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from jinja2 import meta

from bot.commands import load_all
from bot.commands.registry import COMMANDS
from bot.i18n import LOCALES, Translator
from bot.store.models import Program, ProgramEvent
from tests.core.test_templates import ROOT, _call_name, code_files

load_all()
PROGRAM = Program(slug="mentorprogram-2027", name="Mentorprogram 2027", start=date(2027, 1, 19), end=date(2028, 1, 19))
# A value for each keyword that call sites compute at run time, of the kind they pass.
SAMPLES: dict[str, object] = {
    "adept": "Eva",
    "after_event": True,
    "allowed": ["draft", "active"],
    "announced": date(2027, 2, 1),
    "argument": "nudge",
    "called": "Emma Clarke",
    "arguments": ["kind", "date"],
    "as_text": "remvoe 2",  # a free text typed after its command, as typed
    "at": "02:30",
    "because": "left",  # why the bot ended a pair: labels/end_reason/<because>
    "candidates": [
        {"key": "console:local:lars.ost", "organisation": "Knivsta kommun"},
        {"key": None, "organisation": None},
    ],
    "capacity": 2,
    "choices": ["all", "mentors", "adepts"],
    "code": "same_organisation",
    "command": "program set",
    "coordinator": True,
    "count": 2,
    "date_line": "met Nov 30 90 min",  # `errors/date_or_length`: the line read with the date ...
    "date_typed": "Nov 30",
    "day": date(2027, 1, 4),
    "days": 28,
    "decimal": True,
    "drafts": [PROGRAM],
    "details": {"ref": "Gunnar"},  # the context of the error `error` names
    "end": date(2027, 1, 1),
    "error": "errors/unknown_person",
    "errors": [
        ("errors/bad_timezone", {"value": "Mars/Base"}),
        ("errors/bad_choice", {"argument": "locale", "value": "fr", "choices": ["sv", "en"], "names": ""}),
    ],  # an error another one adds to (`errors/name_in_quotes`)
    "event": ProgramEvent(
        id=3, program_id=1, kind="inspiration", starts_at=datetime(2027, 5, 12, 7, tzinfo=UTC), place="Knivsta"
    ),
    "extra": "extra",
    "first_after": "03:00",
    "forward": "03:30",
    "fraction": True,
    "going_on": "free",
    "gone": ["Maria"],
    "groups": ["Anna Berg", "Bo"],  # a command's words, a name with spaces as one
    "head": "goal",
    "high": 60,
    "held_on": date(2027, 3, 1),
    "joining": True,
    "key": "console:local:eva",
    "kind": "range",
    "known": ["Knivsta kommun", "Täby kommun"],
    "length": 300,
    "length_line": "met 30 min",  # ... and read with the length
    "length_typed": "30 min",
    "limit": 200,
    "line": 'participants org="Solna stad"',
    "load": 2,
    "longer": "Solna stad",  # a longer organisation name that the words after a value make (`org_ambiguous`)
    "low": 7,
    "max": 200,
    "mentor": "Maria",
    "minutes": 30,
    "month": date(2027, 2, 1),
    "name": "Solna stad",
    "names": "",  # a choice's names table (`Param.names`; with `labels/language` in test_language)
    "organisations": ["Knivsta kommun", "Täby kommun"],
    "organisation": "Region Stockholm",
    "own": ["Nacka kommun"],
    "programs": [{"name": "Mentorprogram 2027", "slug": "mentorprogram-2027", "organisations": ["Täby kommun"]}],
    "program_names": ["Mentorprogram 2027"],
    "number": 13,
    "option": "colour",
    "page": 5,
    "pages": 2,
    "pair": 7,
    "placeholders": ["identity"],  # arguments not typed, by their names
    "platform": "slack",
    "program": PROGRAM,
    "quoted": 'org="Solna stad"',
    "ref": "Gunnar",
    "role": "mentor",
    "short_line": 'broadcast org="Solna" stad Hej alla',
    "shared": False,
    "slug": "mentorprogram-2027",
    "source": PROGRAM,
    "then": "2",  # the words typed after a mistyped sub-command's, as typed
    "start": date(2027, 2, 1),
    "status": "closed",
    "subcommands": ["event add", "event edit"],
    "suggestion": "program show",
    "text": '"Täby',
    "today": date(2027, 1, 4),
    "topic": "event",
    "typed": "prgram show",
    "typed_command": True,
    "unit": "days",
    "until": date(2026, 12, 1),
    "usage": COMMANDS[("program", "set")],
    "value": "2,5",
    "what": "name",
    "who": "Eva",
    "zone": "Europe/Stockholm",
}
ALWAYS_GIVEN = {"locale", "today"}  # `Translator.render` adds the first, `Core.error_reply` the second


@dataclass
class Site:
    where: str
    templates: list[str]
    context: dict[str, object]
    problems: list[str]


def _module(path: Path):
    return importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))


def _template_names(node: ast.expr, path: Path) -> list[str] | None:
    """The template(s) a call names: a literal, either side of a conditional,
    or a constant of the module (`STALE_BUTTON`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _template_names(node.body, path), _template_names(node.orelse, path)
        return body + orelse if body is not None and orelse is not None else None
    if isinstance(node, ast.Name):
        value = getattr(_module(path), node.id, None)
        return [value] if isinstance(value, str) else None
    return None


def _sample(keyword: str, node: ast.expr) -> tuple[object, str | None]:
    """(value, problem) for one keyword argument, as described at the top."""
    try:
        return ast.literal_eval(node), None
    except ValueError:
        pass
    if keyword not in SAMPLES:
        return None, f"no sample for `{keyword}={ast.unparse(node)}`: add one to SAMPLES"
    value = SAMPLES[keyword]
    if isinstance(node, ast.Attribute) and node.attr == "name" and not isinstance(value, str):
        return value.name, None  # type: ignore[attr-defined]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "isoformat":
        return value.isoformat(), None  # type: ignore[attr-defined]
    return value, None


def user_error_sites() -> list[Site]:
    sites = []
    for path in code_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or _call_name(node) != "UserError":
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            problems = []
            names = _template_names(node.args[0], path) if node.args else None
            if names is None:
                problems.append("the template name is not a literal, a conditional or a module constant")
            context = {}
            for kw in node.keywords:
                if kw.arg is None:
                    problems.append(f"`**{ast.unparse(kw.value)}`: pass the keywords one by one")
                    continue
                context[kw.arg], problem = _sample(kw.arg, kw.value)
                if problem:
                    problems.append(problem)
            sites.append(Site(where, names or [], context, problems))
    return sites


SITES = user_error_sites()


def test_the_scan_finds_the_call_sites():
    assert len(SITES) > 90
    assert any(s.where.startswith("bot/commands/program.py") for s in SITES)


@pytest.mark.parametrize("site", SITES, ids=[s.where for s in SITES])
def test_each_user_error_renders_with_the_arguments_it_is_given(site):
    assert site.problems == []
    translator = Translator()
    for name in site.templates:
        for locale in LOCALES:
            source = translator.env.loader.get_source(translator.env, f"{locale}/{name}.j2")[0]  # type: ignore[union-attr]
            needed = meta.find_undeclared_variables(translator.env.parse(source)) - ALWAYS_GIVEN
            missing = sorted(needed - set(site.context))
            assert missing == [], f"{locale}/{name} needs {missing}, which {site.where} does not pass"
            context = {"today": "2027-01-04", **site.context}
            assert translator.render(locale, name, **context).strip(), f"{locale}/{name} says nothing"
